package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import io.orchiddb.node.shard.Condition;
import io.orchiddb.node.shard.Entry;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.TxnOutcome;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.KeyAbsent;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.OpResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteTxn;
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

  /** Writes every entry of {@code store} as a {@link KeyEntry} record, in key order (a snapshot's body). */
  public static void writeEntries(io.orchiddb.node.shard.ShardStore.Frozen store, SnapshotFile.RecordWriter out)
      throws java.io.IOException {
    java.io.IOException[] failure = {null};
    store.forEachInOrder((key, entry) -> {
      if (failure[0] == null) {
        try {
          out.write(encodeEntry(key, entry).toByteArray());
        } catch (java.io.IOException e) {
          failure[0] = e;
        }
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
  }
}
