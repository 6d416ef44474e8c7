package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.orchiddb.node.shard.Condition;
import io.orchiddb.node.shard.Entry;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.RecordCursor;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.node.shard.TxnOutcome;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.KeyAbsent;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.OpResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteTxn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Converts between the shard's Raft messages (proto) and the pure store's domain types. */
public final class ShardCodec {
  /** Most keys in one multi-get read ({@code MultiGetQuery}); replicas refuse more. */
  public static final int MULTI_GET_KEYS_MAX = 1024;

  private ShardCodec() {}

  public static List<List<WriteOp>> decodeTxns(ShardWrite write) {
    List<List<WriteOp>> txns = new ArrayList<>(write.getTxnsCount());
    for (WriteTxn txn : write.getTxnsList()) {
      List<WriteOp> ops = new ArrayList<>(txn.getOpsCount());
      for (io.orchiddb.proto.raft.WriteOp op : txn.getOpsList()) {
        ops.add(decodeOp(op));
      }
      txns.add(ops);
    }
    return txns;
  }

  /** The tag of {@link ShardWrite}'s {@code timestamp_ms} (field 1, varint). */
  private static final byte TIMESTAMP_TAG = 1 << 3;

  /**
   * The bytes of the {@link ShardWrite} in {@code write} (from its position to its limit, which
   * stay as they were) with {@code timestamp_ms} set to {@code timestampMs}: the field is appended,
   * and a parser keeps the last value of a field that occurs more than once.
   */
  static byte[] stamped(ByteBuffer write, long timestampMs) {
    int length = write.remaining();
    byte[] out = new byte[length + 1 + CodedOutputStream.computeInt64SizeNoTag(timestampMs)];
    write.duplicate().get(out, 0, length);
    out[length] = TIMESTAMP_TAG;
    putVarint(out, length + 1, timestampMs);
    return out;
  }

  /** Unsigned LEB128, as protobuf writes uint64 and int64 (a negative int64 takes 10 bytes). */
  private static int putVarint(byte[] buf, int at, long v) {
    while ((v & ~0x7FL) != 0) {
      buf[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[at++] = (byte) v;
    return at;
  }

  static WriteOp decodeOp(io.orchiddb.proto.raft.WriteOp op) {
    return switch (op.getKindCase()) {
      case PUT -> new WriteOp.Put(Key.wrap(op.getPut().getKey().toByteArray()),
          op.getPut().getValue().toByteArray(), decodeCondition(op.getPut().getCondition()));
      case DELETE -> new WriteOp.Delete(Key.wrap(op.getDelete().getKey().toByteArray()),
          decodeCondition(op.getDelete().getCondition()));
      case KIND_NOT_SET -> throw new IllegalArgumentException("operation has no kind");
    };
  }

  static Condition decodeCondition(io.orchiddb.proto.raft.Condition c) {
    return switch (c.getKindCase()) {
      case KIND_NOT_SET -> Condition.ALWAYS;
      case ABSENT -> Condition.ABSENT;
      case VERSION_EQUALS -> new Condition.VersionEquals(c.getVersionEquals());
      case VALUE_EQUALS -> new Condition.ValueEquals(c.getValueEquals().toByteArray());
    };
  }

  public static io.orchiddb.proto.raft.Condition encodeCondition(Condition c) {
    var b = io.orchiddb.proto.raft.Condition.newBuilder();
    if (c instanceof Condition.Absent) {
      b.setAbsent(KeyAbsent.getDefaultInstance());
    } else if (c instanceof Condition.VersionEquals v) {
      b.setVersionEquals(v.version());
    } else if (c instanceof Condition.ValueEquals v) {
      b.setValueEquals(ByteString.copyFrom(v.value()));
    }
    return b.build();
  }

  public static io.orchiddb.proto.raft.WriteOp encodeOp(WriteOp op) {
    var b = io.orchiddb.proto.raft.WriteOp.newBuilder();
    if (op instanceof WriteOp.Put put) {
      b.getPutBuilder().setKey(ByteString.copyFrom(put.key().bytes()))
          .setValue(ByteString.copyFrom(put.value())).setCondition(encodeCondition(put.condition()));
    } else {
      b.getDeleteBuilder().setKey(ByteString.copyFrom(op.key().bytes()))
          .setCondition(encodeCondition(op.condition()));
    }
    return b.build();
  }

  public static TxnResult encodeOutcome(TxnOutcome outcome) {
    TxnResult.Builder b = TxnResult.newBuilder().setCommitted(outcome.committed());
    for (TxnOutcome.OpOutcome op : outcome.ops()) {
      b.addOps(OpResult.newBuilder().setExisted(op.existed())
          .setPreviousVersion(op.previousVersion()).setConditionFailed(op.conditionFailed()));
    }
    return b.build();
  }

  public static KeyEntry encodeEntry(Key key, Entry entry) {
    return KeyEntry.newBuilder()
        .setKey(ByteString.copyFrom(key.bytes()))
        .setValue(ByteString.copyFrom(entry.value()))
        .setVersion(entry.version())
        .setCreateIndex(entry.createIndex())
        .setModifyTimeMs(entry.modifyTimeMs())
        .build();
  }

  public static Entry decodeEntry(KeyEntry e) {
    return new Entry(e.getValue().toByteArray(), e.getVersion(), e.getCreateIndex(), e.getModifyTimeMs());
  }

  /**
   * Writes every entry of {@code store} as a {@link KeyEntry} record, in key order (a snapshot's
   * body). Each record is encoded straight from the store's slabs into the file's buffer, in
   * exactly the bytes {@link KeyEntry#toByteArray} gives (fields in number order, defaults left
   * out), so the files match those written before and readers parse them with {@link KeyEntry}.
   */
  public static void writeEntries(ShardStore.Frozen store, SnapshotFile.RecordWriter out) throws IOException {
    KeyEntryRecord record = new KeyEntryRecord(store.cursor());
    while (record.cursor.next()) {
      out.write(record);
    }
  }

  /** The {@link KeyEntry} encoding of the record at a cursor (one instance for the whole walk). */
  static final class KeyEntryRecord implements SnapshotFile.RecordBody {
    private static final int KEY_TAG = 1 << 3 | 2; // field 1, length-delimited
    private static final int VALUE_TAG = 2 << 3 | 2;
    private static final int VERSION_TAG = 3 << 3; // varint
    private static final int CREATE_INDEX_TAG = 4 << 3;
    private static final int MODIFY_TIME_TAG = 5 << 3;
    final RecordCursor cursor;

    KeyEntryRecord(RecordCursor cursor) {
      this.cursor = cursor;
    }

    @Override
    public int length() {
      RecordCursor c = cursor;
      return bytesField(c.keyLength()) + bytesField(c.valueLength()) + varintField(c.version())
          + varintField(c.createIndex()) + varintField(c.modifyTimeMs());
    }

    @Override
    public void writeTo(byte[] buf, int at) {
      RecordCursor c = cursor;
      if (c.keyLength() != 0) {
        buf[at++] = KEY_TAG;
        at = putVarint(buf, at, c.keyLength());
        c.copyKey(buf, at);
        at += c.keyLength();
      }
      if (c.valueLength() != 0) {
        buf[at++] = VALUE_TAG;
        at = putVarint(buf, at, c.valueLength());
        c.copyValue(buf, at);
        at += c.valueLength();
      }
      at = putVarintField(buf, at, VERSION_TAG, c.version());
      at = putVarintField(buf, at, CREATE_INDEX_TAG, c.createIndex());
      putVarintField(buf, at, MODIFY_TIME_TAG, c.modifyTimeMs());
    }

    private static int bytesField(int length) {
      return length == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    private static int varintField(long v) {
      return v == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(v);
    }

    private static int putVarintField(byte[] buf, int at, int tag, long v) {
      if (v == 0) {
        return at;
      }
      buf[at++] = (byte) tag;
      return putVarint(buf, at, v);
    }
  }
}
