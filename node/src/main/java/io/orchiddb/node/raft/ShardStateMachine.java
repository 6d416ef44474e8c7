package io.orchiddb.node.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.shard.Entry;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.Limits;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.node.shard.TxnOutcome;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.GetResult;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.ScanQuery;
import io.orchiddb.proto.raft.ScanResult;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * The Raft adapter of one shard: decodes {@link ShardWrite} entries and applies them to a
 * {@link ShardStore}; serves {@link ShardRead} queries; snapshots the store as one
 * {@link KeyEntry} record per key, in key order.
 */
final class ShardStateMachine extends OrchidStateMachine {
  /** The most entries one scan query returns. */
  static final int SCAN_LIMIT_MAX = 10_000;

  private final Limits limits;
  private final InstantSource clock;
  private volatile ShardStore store = new ShardStore();

  ShardStateMachine(Limits limits, InstantSource clock, Duration staleReadWait) {
    super(staleReadWait);
    this.limits = limits;
    this.clock = clock;
  }

  @Override
  byte[] prepare(ByteBuffer request) throws InvalidProtocolBufferException {
    int size = request.remaining();
    ShardWrite write = parseWrite(request);
    limits.check(ShardCodec.decodeTxns(write), size);
    return write.toBuilder().setTimestampMs(clock.millis()).build().toByteArray();
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
    ShardWrite write = ShardWrite.parseFrom(command);
    List<List<WriteOp>> txns = ShardCodec.decodeTxns(write);
    List<TxnOutcome> outcomes = store.apply(index, write.getTimestampMs(), txns);
    ShardWriteResult.Builder result = ShardWriteResult.newBuilder().setIndex(index);
    for (TxnOutcome outcome : outcomes) {
      result.addTxns(ShardCodec.encodeOutcome(outcome));
    }
    return result.build().toByteArray();
  }

  @Override
  byte[] read(ByteBuffer query) {
    ShardRead read;
    try {
      read = ShardRead.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed shard read: " + e.getMessage());
    }
    // Read the applied index before the data: the data is at least this new.
    ShardReadResult.Builder result = ShardReadResult.newBuilder().setAppliedIndex(appliedIndex());
    ShardStore current = store;
    switch (read.getKindCase()) {
      case GET -> {
        limits.checkKey(read.getGet().getKey().size());
        Key key = Key.wrap(read.getGet().getKey().toByteArray());
        Entry entry = current.get(key);
        GetResult.Builder get = GetResult.newBuilder();
        if (entry != null) {
          get.setEntry(ShardCodec.encodeEntry(key, entry));
        }
        result.setGet(get);
      }
      case SCAN -> result.setScan(scan(current, read.getScan()));
      case KIND_NOT_SET -> throw new IllegalArgumentException("read has no kind");
    }
    return result.build().toByteArray();
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

  @Override
  void writeSnapshot(SnapshotFile.RecordWriter out) throws IOException {
    IOException[] failure = {null};
    store.forEachInOrder((key, entry) -> {
      if (failure[0] == null) {
        try {
          out.write(ShardCodec.encodeEntry(key, entry).toByteArray());
        } catch (IOException e) {
          failure[0] = e;
        }
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  @Override
  SnapshotLoad loadSnapshot() {
    ShardStore.Loader loader = new ShardStore.Loader();
    return new SnapshotLoad() {
      @Override
      public void read(byte[] record) {
        KeyEntry e;
        try {
          e = KeyEntry.parseFrom(record);
        } catch (InvalidProtocolBufferException ex) {
          throw new IllegalStateException(ex.getMessage());
        }
        loader.add(Key.wrap(e.getKey().toByteArray()), ShardCodec.decodeEntry(e));
      }

      @Override
      public void commit(long index) {
        store = loader.build(index);
      }
    };
  }

  @Override
  void reset() {
    store = new ShardStore();
  }

  /** For tests and status: the number of keys this replica holds. */
  int size() {
    return store.size();
  }
}
