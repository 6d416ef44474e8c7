package io.orchiddb.router.shard;

import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteTxn;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Coalesces the writes of many callers to one shard into few Raft entries. A Raft entry costs
 * milliseconds of CPU however small it is (RATIS-NOTES.md), so while {@link #IN_FLIGHT_MAX}
 * proposals are outstanding, new transactions wait in a queue and go out together as one
 * {@link ShardWrite} (bounded by {@link #OPS_MAX} operations and the request byte limit). Each
 * caller completes from its own {@link TxnResult}: one transaction failing its condition does not
 * fail the others. Under light load a proposal carries a single transaction, so latency at
 * concurrency 1 does not suffer.
 *
 * <p>When an entry is applied, its callers are answered and the next entry is held back up to
 * {@code write-gather-ms} for them to come back with their next writes ({@link Coalescer}'s
 * gathering): with 3 shards on 2 cores, entries carried about twice the writes and puts ran
 * faster (21–59%) at concurrency 16–256, with a lower p99 (BENCHMARKS.md, eleventh session).
 *
 * <p>One proposal in flight per shard: with 4 (the first setting), 64 concurrent writers over 8
 * shards left almost nothing queued and entries carried 1–2 writes; with 1, puts at concurrency 64
 * went from 172 to 241 ops/s and at 256 from 368 to 505 (BENCHMARKS.md, "Optimisations").
 *
 * <p>Thread-safe (see {@link Coalescer}).
 */
final class ShardWriter extends Coalescer<ShardWriter.Pending, ShardWriteResult> {
  static final int IN_FLIGHT_MAX = 1;
  static final int OPS_MAX = 4096;
  /** Per-entry framing beyond the transactions themselves (timestamp, epoch, fence, tags). */
  static final int ENTRY_OVERHEAD_BYTES = 64;

  /** What a proposal needs from the router: where to send it, and how to classify failures. */
  interface Sender {
    /** Sends one entry to the shard, stamped with the epoch of the map it was routed with. */
    CompletableFuture<ShardWriteResult> send(ShardMap map, ShardInfo shard, ShardWrite write);
  }

  record Pending(WriteTxn txn, int bytes, CompletableFuture<Applied> result) {
    static Pending of(WriteTxn txn) {
      return new Pending(txn, txn.getSerializedSize() + 8, new CompletableFuture<>());
    }
  }

  /** A transaction's result and the log index of the entry that carried it. */
  record Applied(long index, TxnResult txn) {}

  private final int shardId;
  private final int entryBytesMax;
  private final Function<Integer, Route> route;
  private final Sender sender;

  /** The map and shard info a proposal is routed with right now. */
  record Route(ShardMap map, ShardInfo shard) {}

  /**
   * @param entrySizes told the number of transactions of each entry as it is proposed
   * @param gather how long the next entry may wait for the writers of the last one to come back
   *     ({@code write-gather-ms})
   */
  ShardWriter(int shardId, int entryBytesMax, Function<Integer, Route> route, Sender sender, IntConsumer entrySizes,
      Gather gather) {
    super(IN_FLIGHT_MAX, entrySizes, gather);
    this.shardId = shardId;
    this.entryBytesMax = entryBytesMax;
    this.route = route;
    this.sender = sender;
  }

  /** Queues a transaction; completes with its result once the entry carrying it is applied. */
  CompletableFuture<Applied> submit(WriteTxn txn) {
    Pending p = Pending.of(txn);
    enqueue(p);
    return p.result;
  }

  /** Queues transactions together ({@link #enqueueAll}); one future per transaction, in order. */
  List<CompletableFuture<Applied>> submitAll(List<WriteTxn> txns) {
    List<Pending> pending = new ArrayList<>(txns.size());
    for (WriteTxn txn : txns) {
      pending.add(Pending.of(txn));
    }
    enqueueAll(pending);
    return pending.stream().map(Pending::result).toList();
  }

  @Override
  List<Pending> takeBatch(ArrayDeque<Pending> queue) {
    List<Pending> batch = new ArrayList<>();
    int ops = 0;
    int bytes = ENTRY_OVERHEAD_BYTES;
    while (!queue.isEmpty()) {
      Pending next = queue.peek();
      boolean fits = ops + next.txn.getOpsCount() <= OPS_MAX && bytes + next.bytes <= entryBytesMax;
      if (!batch.isEmpty() && !fits) {
        break;
      }
      queue.poll();
      batch.add(next);
      ops += next.txn.getOpsCount();
      bytes += next.bytes;
    }
    return batch;
  }

  @Override
  CompletableFuture<ShardWriteResult> send(List<Pending> batch) {
    Route r = route.apply(shardId);
    ShardWrite.Builder write = ShardWrite.newBuilder().setEpoch(r.shard().getEpoch());
    batch.forEach(p -> write.addTxns(p.txn));
    return sender.send(r.map(), r.shard(), write.build());
  }

  @Override
  CompletableFuture<?> caller(Pending item) {
    return item.result;
  }

  @Override
  void answer(List<Pending> batch, ShardWriteResult result) {
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).result.complete(new Applied(result.getIndex(), result.getTxns(i)));
    }
  }
}
