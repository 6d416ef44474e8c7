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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Coalesces concurrent gets that go to the same node at the same read level into one request, as
 * {@link ShardWriter} does for writes: a request costs far more than reading one key (a gRPC
 * message each way, a ReadIndex or applied-index check, futures on both sides), so while {@link
 * #IN_FLIGHT_MAX} requests to a node are outstanding, new gets queue and go out together (at most
 * {@link ShardCodec#MULTI_GET_KEYS_MAX} keys). One per router, for every shard: gets of several
 * shards read from one node share its request, each shard's keys as one part (a multi-get, or a
 * plain {@code GetQuery} for a single key). Under light load a request carries a single get.
 *
 * <p>A part is (shard's group, map epoch): gets routed with different maps never share a part,
 * so one stale map cannot make a fresh get fail. A session read needs the replica to have applied
 * its token's index; a part asks for the largest index among its gets, which satisfies every one
 * of them (a replica further behind fails the part and each get fails over on its own).
 *
 * <p>A failed part fails its own gets, a failed request all of them, each with the cause; {@link
 * ReadFailover} then moves each get to the next replica. Thread-safe (see {@link Coalescer}).
 *
 * @param <G> a shard's group, as {@link Reads} addresses it ({@link GroupChannel}; anything with
 *     identity in tests)
 */
final class GetBatcher<G> {
  static final int IN_FLIGHT_MAX = 1;

  /** One group's share of a request: its {@code ShardRead} and the applied index it needs. */
  record Part<G>(G group, byte[] query, long minIndex) {}

  /** What became of one part: the replica's reply, or why it failed the part. */
  record Outcome(GroupChannel.Reply reply, Throwable failure) {
    static Outcome of(GroupChannel.Reply reply) {
      return new Outcome(reply, null);
    }

    static Outcome failed(Throwable failure) {
      return new Outcome(null, failure);
    }
  }

  /** Where the requests go. */
  interface Reads<G> {
    /**
     * Sends {@code parts} to {@code node} as one request; completes with one outcome per part in
     * order, or fails when the whole request does.
     */
    CompletableFuture<List<Outcome>> read(String node, boolean linearizable, List<Part<G>> parts);
  }

  private record Lane(String node, boolean linearizable) {}

  private record Pending<G>(G group, long epoch, ByteString key, long minIndex, CompletableFuture<Served> result) {}

  /** Which part of a request a get went in. */
  private record PartKey(Object group, long epoch) {}

  /** A request's gets, grouped as its parts, and the outcomes. */
  private record Answered<G>(List<List<Pending<G>>> parts, List<Outcome> outcomes) {}

  /** What is told the number of gets of each request to a node at a read level (the router's metrics). */
  interface LaneSizes {
    IntConsumer of(String node, boolean linearizable);
  }

  private final Reads<G> reads;
  private final LaneSizes sizes;
  private final Map<Lane, Queue> lanes = new ConcurrentHashMap<>();

  GetBatcher(Reads<G> reads, LaneSizes sizes) {
    this.reads = reads;
    this.sizes = sizes;
  }

  /**
   * Reads {@code key} of {@code group}, routed with the map of {@code epoch}, on {@code node}:
   * linearizable, or from its own state once it has applied {@code minIndex} (0: any state).
   */
  CompletableFuture<Served> get(G group, String node, boolean linearizable, long epoch, long minIndex, ByteString key) {
    Pending<G> p = new Pending<>(group, epoch, key, minIndex, new CompletableFuture<>());
    lanes.computeIfAbsent(new Lane(node, linearizable), Queue::new).enqueue(p);
    return p.result;
  }

  /** Whether stale gets to {@code node} already have a full request waiting, so one more would wait for a later one. */
  boolean crowded(String node) {
    Queue q = lanes.get(new Lane(node, false));
    return q != null && q.queued() >= ShardCodec.MULTI_GET_KEYS_MAX;
  }

  private final class Queue extends Coalescer<Pending<G>, Answered<G>> {
    private final Lane lane;

    Queue(Lane lane) {
      super(IN_FLIGHT_MAX, sizes.of(lane.node, lane.linearizable));
      this.lane = lane;
    }

    @Override
    List<Pending<G>> takeBatch(ArrayDeque<Pending<G>> waiting) {
      int n = Math.min(waiting.size(), ShardCodec.MULTI_GET_KEYS_MAX);
      List<Pending<G>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(waiting.poll());
      }
      return batch;
    }

    @Override
    CompletableFuture<Answered<G>> send(List<Pending<G>> batch) {
      Map<PartKey, List<Pending<G>>> byPart = new LinkedHashMap<>();
      for (Pending<G> p : batch) {
        byPart.computeIfAbsent(new PartKey(p.group, p.epoch), k -> new ArrayList<>()).add(p);
      }
      List<List<Pending<G>>> gets = new ArrayList<>(byPart.values());
      List<Part<G>> parts = new ArrayList<>(gets.size());
      for (List<Pending<G>> part : gets) {
        parts.add(part(part));
      }
      return reads.read(lane.node, lane.linearizable, parts).thenApply(outcomes -> new Answered<>(gets, outcomes));
    }

    private Part<G> part(List<Pending<G>> gets) {
      ShardRead.Builder read = ShardRead.newBuilder().setEpoch(gets.get(0).epoch);
      long minIndex = 0;
      if (gets.size() == 1) {
        read.setGet(GetQuery.newBuilder().setKey(gets.get(0).key));
        minIndex = gets.get(0).minIndex;
      } else {
        MultiGetQuery.Builder multi = MultiGetQuery.newBuilder();
        for (Pending<G> p : gets) {
          multi.addKeys(p.key);
          minIndex = Math.max(minIndex, p.minIndex);
        }
        read.setMultiGet(multi);
      }
      return new Part<>(gets.get(0).group, read.build().toByteArray(), minIndex);
    }

    @Override
    CompletableFuture<?> caller(Pending<G> item) {
      return item.result;
    }

    @Override
    void answer(List<Pending<G>> batch, Answered<G> answered) {
      if (answered.outcomes.size() != answered.parts.size()) {
        throw new IllegalStateException("node " + lane.node + " sent a malformed reply: asked for "
            + answered.parts.size() + " parts, got " + answered.outcomes.size() + " outcomes");
      }
      for (int i = 0; i < answered.parts.size(); i++) {
        List<Pending<G>> gets = answered.parts.get(i);
        Outcome outcome = answered.outcomes.get(i);
        try {
          if (outcome.failure != null) {
            throw outcome.failure;
          }
          answerPart(gets, outcome.reply);
        } catch (Throwable failure) {
          gets.forEach(p -> p.result.completeExceptionally(failure));
        }
      }
    }

    /** Answers one part's gets from its reply; throws when the reply does not fit them. */
    private void answerPart(List<Pending<G>> gets, GroupChannel.Reply reply) {
      Served whole = Served.of(reply);
      if (gets.size() == 1) {
        gets.get(0).result.complete(whole);
        return;
      }
      MultiGetResult multi = whole.result().getMultiGet();
      if (multi.getResultsCount() != gets.size()) {
        throw new IllegalStateException("replica " + reply.servedBy() + " sent a malformed reply: asked for "
            + gets.size() + " keys, got " + multi.getResultsCount() + " results");
      }
      for (int i = 0; i < gets.size(); i++) {
        ShardReadResult one = ShardReadResult.newBuilder().setAppliedIndex(whole.result().getAppliedIndex())
            .setGet(multi.getResults(i)).build();
        gets.get(i).result.complete(new Served(one, whole.servedBy()));
      }
    }
  }
}
