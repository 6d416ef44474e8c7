package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.shard.Entry;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.Limits;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.node.shard.TxnOutcome;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.GetResult;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.MultiGetResult;
import io.orchiddb.proto.raft.ScanQuery;
import io.orchiddb.proto.raft.ScanResult;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardSnapshotHeader;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Raft adapter of one shard: decodes {@link ShardWrite} entries and applies them to a
 * {@link ShardStore}; serves {@link ShardRead} queries; snapshots the shard as a
 * {@link ShardSnapshotHeader} record followed by one {@link KeyEntry} record per key, in key order.
 *
 * <p>Epoch fencing: the shard keeps an epoch, the highest {@code fence_epoch} it has applied
 * (0 at first), replicated through the log like its data. A write or read routed with a non-zero
 * epoch older than it is refused with {@link StaleEpochException}: the sender's shard map is out
 * of date. Writes are checked twice: by the leader before they enter the log (the common case),
 * and again when applied, because a fence may be committed but not yet applied when the leader
 * checks; a write caught then applies nothing and reports {@code stale_epoch} in its result.
 */
final class ShardStateMachine extends OrchidStateMachine {
  /** The most entries one scan query returns. */
  static final int SCAN_LIMIT_MAX = 10_000;
  /**
   * The first byte of every {@link KeyEntry} record: the tag of field 1 (the key, never empty) as
   * length-delimited. A {@link ShardSnapshotHeader} never starts with it (its field 1 is a varint).
   */
  private static final byte KEY_ENTRY_FIRST_BYTE = 0x0A;

  private final Limits limits;
  private final InstantSource clock;
  private volatile ShardStore store = new ShardStore();
  /** Written only on the apply thread (and when loading a snapshot); read by any thread. */
  private volatile long epoch;
  /** Transactions applied since start (the metrics); written by the apply thread only. */
  private volatile long appliedTxns;

  ShardStateMachine(Limits limits, InstantSource clock, Duration staleReadWait, LongSupplier nanoClock) {
    super(staleReadWait, nanoClock);
    this.limits = limits;
    this.clock = clock;
  }

  @Override
  byte[] prepare(ByteBuffer request) throws StaleEpochException {
    return prepareEntry(request).logData();
  }

  /**
   * Checks a write at the leader and stamps it with the leader's clock: the log entry is the
   * request's own bytes with a {@code timestamp_ms} field appended. Protobuf keeps the last value
   * of a field that occurs twice, so the entry parses as the request with that timestamp, without
   * building and encoding the message again. The context is the decoded write, which the
   * leader's apply of the entry uses instead of parsing it a second time.
   */
  @Override
  Prepared prepareEntry(ByteBuffer request) throws StaleEpochException {
    int size = request.remaining();
    ShardWrite write = parseWrite(request.duplicate());
    List<List<WriteOp>> txns = ShardCodec.decodeTxns(write);
    limits.check(txns, write.getFenceEpoch(), size);
    checkEpoch(write.getEpoch());
    long now = clock.millis();
    return new Prepared(ShardCodec.stamped(request, now),
        new Checked(write.getEpoch(), write.getFenceEpoch(), now, txns));
  }

  /** A write as the leader decoded and checked it ({@link #prepareEntry}), for its apply there. */
  private record Checked(long epoch, long fenceEpoch, long timestampMs, List<List<WriteOp>> txns) {}

  private void checkEpoch(long routedEpoch) throws StaleEpochException {
    long current = epoch;
    if (isStale(routedEpoch, current)) {
      throw StaleEpochException.of(getGroupId(), current, routedEpoch);
    }
  }

  /** Epochs are uint64 on the wire, so compared unsigned; 0 skips the check. */
  private static boolean isStale(long routedEpoch, long shardEpoch) {
    return routedEpoch != 0 && Long.compareUnsigned(routedEpoch, shardEpoch) < 0;
  }

  private static ShardWrite parseWrite(ByteBuffer request) {
    try {
      return ShardWrite.parseFrom(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed shard write: " + e.getMessage());
    }
  }

  @Override
  byte[] apply(long index, ByteBuffer command) throws InvalidProtocolBufferException {
    return apply(index, command, null);
  }

  @Override
  byte[] apply(long index, ByteBuffer command, Object prepared) throws InvalidProtocolBufferException {
    if (prepared instanceof Checked checked) {
      return apply(index, checked.epoch(), checked.fenceEpoch(), checked.timestampMs(), checked::txns);
    }
    ShardWrite write = ShardWrite.parseFrom(command);
    return apply(index, write.getEpoch(), write.getFenceEpoch(), write.getTimestampMs(),
        () -> ShardCodec.decodeTxns(write));
  }

  /** Applies a write; its transactions are decoded only once its epoch has passed the check. */
  private byte[] apply(long index, long writeEpoch, long fenceEpoch, long timestampMs,
      Supplier<List<List<WriteOp>>> decoded) {
    ShardWriteResult.Builder result = ShardWriteResult.newBuilder().setIndex(index);
    long current = epoch;
    if (isStale(writeEpoch, current)) {
      // A fence applied after the leader checked this write. A result, not an exception: apply
      // must not throw for what a client caused, and every replica decides the same here.
      return result.setStaleEpoch(current).build().toByteArray();
    }
    if (Long.compareUnsigned(fenceEpoch, current) > 0) {
      epoch = fenceEpoch;
    }
    List<List<WriteOp>> txns = decoded.get();
    List<TxnOutcome> outcomes = store.apply(index, timestampMs, txns);
    appliedTxns += txns.size(); // one writer, the apply thread
    for (TxnOutcome outcome : outcomes) {
      result.addTxns(ShardCodec.encodeOutcome(outcome));
    }
    return result.build().toByteArray();
  }

  @Override
  byte[] read(ByteBuffer query) throws StaleEpochException {
    ShardRead read;
    try {
      read = ShardRead.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed shard read: " + e.getMessage());
    }
    checkEpoch(read.getEpoch());
    // Read the applied index before the data: the data is at least this new.
    ShardReadResult.Builder result = ShardReadResult.newBuilder().setAppliedIndex(appliedIndex());
    ShardStore current = store;
    switch (read.getKindCase()) {
      case GET -> result.setGet(get(current, read.getGet().getKey()));
      case MULTI_GET -> {
        List<ByteString> keys = read.getMultiGet().getKeysList();
        if (keys.isEmpty() || keys.size() > ShardCodec.MULTI_GET_KEYS_MAX) {
          throw new IllegalArgumentException(
              "multi-get-keys: must be between 1 and " + ShardCodec.MULTI_GET_KEYS_MAX + ", got " + keys.size());
        }
        MultiGetResult.Builder multi = MultiGetResult.newBuilder();
        for (ByteString key : keys) {
          multi.addResults(get(current, key));
        }
        result.setMultiGet(multi);
      }
      case SCAN -> result.setScan(scan(current, read.getScan()));
      case KIND_NOT_SET -> throw new IllegalArgumentException("read has no kind");
    }
    return result.build().toByteArray();
  }

  private GetResult get(ShardStore current, ByteString keyBytes) {
    limits.checkKey(keyBytes.size());
    Key key = Key.wrap(keyBytes.toByteArray());
    Entry entry = current.get(key);
    GetResult.Builder get = GetResult.newBuilder();
    if (entry != null) {
      get.setEntry(ShardCodec.encodeEntry(key, entry));
    }
    return get.build();
  }

  private static ScanResult scan(ShardStore current, ScanQuery q) {
    if (q.getLimit() < 1 || q.getLimit() > SCAN_LIMIT_MAX) {
      throw new IllegalArgumentException(
          "scan-limit: must be between 1 and " + SCAN_LIMIT_MAX + ", got " + q.getLimit());
    }
    Key start = Key.wrap(q.getStartKey().toByteArray());
    Key end = q.getEndKey().isEmpty() ? null : Key.wrap(q.getEndKey().toByteArray());
    ShardStore.ScanPage page = current.scan(start, end, q.getLimit());
    ScanResult.Builder b = ScanResult.newBuilder().setMore(page.more());
    for (Map.Entry<Key, Entry> e : page.entries()) {
      b.addEntries(ShardCodec.encodeEntry(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  /**
   * A snapshot writes the whole shard, so it waits, besides Ratis's {@code snapshot-threshold}
   * entries, for log of at least this share of the shard's records since the last one: the bytes
   * snapshots write then stay within a few times the bytes the log took in, however large the
   * shard (at 1M keys of 100 B and single puts, 10,000 entries are ~1.5 MB of log against a 136 MB
   * snapshot), and a restart replays at most about that share of the shard's size of log.
   */
  static final int SNAPSHOT_LOG_SHARE_DIVISOR = 4;

  @Override
  long snapshotLogBytesMin() {
    return store.bytes().live() / SNAPSHOT_LOG_SHARE_DIVISOR;
  }

  @Override
  SnapshotSource freeze() {
    // On the apply thread, so the epoch and the store are both as of the snapshot's index.
    byte[] header = ShardSnapshotHeader.newBuilder().setEpoch(epoch).build().toByteArray();
    ShardStore.Frozen frozen = store.freeze();
    return new SnapshotSource() {
      @Override
      public void writeTo(SnapshotFile.RecordWriter out) throws IOException {
        out.write(header);
        ShardCodec.writeEntries(frozen, out);
      }

      @Override
      public void close() {
        frozen.close();
      }
    };
  }

  /**
   * Reads what {@link #freeze} wrote. Snapshots written before shards had epochs have no
   * header (their first record, if any, is already a {@link KeyEntry}); they load with epoch 0,
   * which is what those shards were at.
   */
  @Override
  SnapshotLoad loadSnapshot() {
    ShardStore.Loader loader = new ShardStore.Loader();
    return new SnapshotLoad() {
      private boolean first = true;
      private long loadedEpoch;

      @Override
      public void read(byte[] record) {
        try {
          if (first) {
            first = false;
            if (record.length == 0 || record[0] != KEY_ENTRY_FIRST_BYTE) {
              loadedEpoch = ShardSnapshotHeader.parseFrom(record).getEpoch();
              return;
            }
          }
          KeyEntry e = KeyEntry.parseFrom(record);
          loader.add(Key.wrap(e.getKey().toByteArray()), ShardCodec.decodeEntry(e));
        } catch (InvalidProtocolBufferException ex) {
          throw new IllegalStateException(ex.getMessage());
        }
      }

      @Override
      public void commit(long index) {
        store = loader.build(index);
        epoch = loadedEpoch;
      }
    };
  }

  @Override
  void reset() {
    store = new ShardStore();
    epoch = 0;
  }

  /** For tests and status: the shard's epoch on this replica. */
  long epoch() {
    return epoch;
  }

  /** For tests and status: the number of keys this replica holds. */
  int size() {
    return store.size();
  }

  /** Off-heap bytes of this replica's records: held and live ({@link ShardStore#bytes}). */
  ShardStore.StoreBytes storeBytes() {
    return store.bytes();
  }

  /** Transactions applied from log entries since this replica started. */
  long appliedTxns() {
    return appliedTxns;
  }
}
