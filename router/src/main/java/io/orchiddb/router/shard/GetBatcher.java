package io.orchiddb.router.shard;

import com.google.protobuf.ByteString;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.proto.raft.GetQuery;
import io.orchiddb.proto.raft.MultiGetQuery;
import io.orchiddb.proto.raft.MultiGetResult;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces concurrent gets of one shard that go to the same replica at the same read level into
 * one multi-get request, as {@link ShardWriter} does for writes: a Ratis request costs far more
 * than reading one key (a gRPC message each way, a ReadIndex or applied-index check, futures on
 * both sides), so while {@link #IN_FLIGHT_MAX} requests to a replica are outstanding, new gets
 * queue and go out together (at most {@link ShardCodec#MULTI_GET_KEYS_MAX} keys). Under light
 * load a request carries a single get, as a plain {@code GetQuery}.
 *
 * <p>A lane is (replica, linearizable or not, map epoch): gets routed with different maps never
 * share a request, so one stale map cannot make a fresh request fail. A session read needs the
 * replica to have applied its token's index; a shared request asks for the largest index among
 * its gets, which satisfies every one of them (a replica further behind fails the request and
 * each get fails over on its own, as before).
 *
 * <p>Failure of the request fails each of its gets with the same cause; {@link ReadFailover}
 * then moves each to the next replica. Thread-safe (see {@link Coalescer}).
 */
final class GetBatcher {
  static final int IN_FLIGHT_MAX = 1;

  /** Where the requests go: a shard's {@link GroupChannel}. */
  interface Reads {
    CompletableFuture<GroupChannel.Reply> readLinearizable(byte[] query, String node);

    CompletableFuture<GroupChannel.Reply> readStale(byte[] query, long minIndex, String node);
  }

  private record Lane(String node, boolean linearizable, long epoch) {}

  private record Pending(ByteString key, long minIndex, CompletableFuture<Served> result) {}

  private final Reads channel;
  private final Map<Lane, Queue> lanes = new ConcurrentHashMap<>();
  /** The newest map epoch a get has been routed with; lanes of older epochs are dropped. */
  private final AtomicLong newestEpoch = new AtomicLong();

  GetBatcher(Reads channel) {
    this.channel = channel;
  }

  /**
   * Reads {@code key} on {@code node}: linearizable, or from its own state once it has applied
   * {@code minIndex} (0: any state).
   */
  CompletableFuture<Served> get(String node, boolean linearizable, long epoch, long minIndex, ByteString key) {
    long newest = newestEpoch.get();
    if (epoch > newest && newestEpoch.compareAndSet(newest, epoch)) {
      // A new map: forget the lanes of older ones (a dropped lane finishes its in-flight request;
      // a straggler routed with an old map just opens a lane again).
      lanes.keySet().removeIf(l -> l.epoch < epoch);
    }
    Lane lane = new Lane(node, linearizable, epoch);
    Pending p = new Pending(key, minIndex, new CompletableFuture<>());
    lanes.computeIfAbsent(lane, Queue::new).enqueue(p);
    return p.result;
  }

  /**
   * Whether stale gets to {@code node} with the map of {@code epoch} already have a full request
   * waiting, so that one more would wait for a later request.
   */
  boolean crowded(String node, long epoch) {
    Queue q = lanes.get(new Lane(node, false, epoch));
    return q != null && q.queued() >= ShardCodec.MULTI_GET_KEYS_MAX;
  }

  /** How many lanes exist (for tests). */
  int laneCount() {
    return lanes.size();
  }

  private final class Queue extends Coalescer<Pending, GroupChannel.Reply> {
    private final Lane lane;

    Queue(Lane lane) {
      super(IN_FLIGHT_MAX);
      this.lane = lane;
    }

    @Override
    List<Pending> takeBatch(ArrayDeque<Pending> waiting) {
      int n = Math.min(waiting.size(), ShardCodec.MULTI_GET_KEYS_MAX);
      List<Pending> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(waiting.poll());
      }
      return batch;
    }

    @Override
    CompletableFuture<GroupChannel.Reply> send(List<Pending> batch) {
      ShardRead.Builder read = ShardRead.newBuilder().setEpoch(lane.epoch);
      long minIndex = 0;
      if (batch.size() == 1) {
        read.setGet(GetQuery.newBuilder().setKey(batch.get(0).key));
        minIndex = batch.get(0).minIndex;
      } else {
        MultiGetQuery.Builder multi = MultiGetQuery.newBuilder();
        for (Pending p : batch) {
          multi.addKeys(p.key);
          minIndex = Math.max(minIndex, p.minIndex);
        }
        read.setMultiGet(multi);
      }
      byte[] bytes = read.build().toByteArray();
      return lane.linearizable
          ? channel.readLinearizable(bytes, lane.node)
          : channel.readStale(bytes, minIndex, lane.node);
    }

    @Override
    CompletableFuture<?> caller(Pending item) {
      return item.result;
    }

    @Override
    void answer(List<Pending> batch, GroupChannel.Reply reply) {
      Served whole = Served.of(reply);
      if (batch.size() == 1) {
        batch.get(0).result.complete(whole);
        return;
      }
      MultiGetResult multi = whole.result().getMultiGet();
      if (multi.getResultsCount() != batch.size()) {
        throw new IllegalStateException("replica " + reply.servedBy() + " sent a malformed reply: asked for "
            + batch.size() + " keys, got " + multi.getResultsCount() + " results");
      }
      for (int i = 0; i < batch.size(); i++) {
        ShardReadResult one = ShardReadResult.newBuilder().setAppliedIndex(whole.result().getAppliedIndex())
            .setGet(multi.getResults(i)).build();
        batch.get(i).result.complete(new Served(one, whole.servedBy()));
      }
    }
  }
}
