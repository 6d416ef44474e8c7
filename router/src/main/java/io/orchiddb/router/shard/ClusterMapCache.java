package io.orchiddb.router.shard;

import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.RaftGroups;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.GetClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.MetaRead;
import io.orchiddb.proto.raft.MetaReadResult;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.router.RouterConfig;
import io.orchiddb.router.metrics.RouterMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's copy of the cluster map, read from the meta group: refreshed on a timer, and on
 * demand when a shard says a request was routed with an old epoch. Also owns the
 * {@link GroupChannel} to each group, rebuilt when a shard's replicas change.
 *
 * <p>The meta group's id and members follow from the peer list and cluster name the same way
 * every node computes them ({@link ClusterLayout}), so a router needs only the node list to start.
 *
 * <p>Deadlines ({@link #mapBy}) are on {@code nanoClock}, the router's one monotonic clock;
 * {@link KvRouter} and {@link StatusCollector} take it from here ({@link #nanoClock()}).
 */
public final class ClusterMapCache implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMapCache.class);
  private static final long FIRST_MAP_RETRY_MS = 100;

  private final RouterConfig config;
  private final Executor blocking;
  private final LongSupplier nanoClock;
  private final GroupChannel meta;
  private final List<String> metaReplicas;
  private final Map<String, GroupChannel> channels = new ConcurrentHashMap<>();
  private final NodeReadChannels reads;
  /** The id of the node this router runs in; null for none. */
  private final String localNode;
  private final GroupChannel.LocalWrites localWrites;
  private final GetBatcher<GroupChannel> gets;
  private volatile ShardMap current;
  private CompletableFuture<ShardMap> inFlight;
  private ScheduledFuture<?> timer;

  /**
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}); deadlines given to this cache are on it
   * @param metrics where the gets per read request go
   * @param local the node this router runs in, whose reads it calls in-process; null for none
   */
  public ClusterMapCache(RouterConfig config, ScheduledExecutorService scheduler, Executor blocking,
      LongSupplier nanoClock, RouterMetrics metrics, LocalNode local) {
    this.config = config;
    this.localWrites = local == null ? null
        : new GroupChannel.LocalWrites(local, metrics.localWrites(), metrics.localWritesResent());
    if (local == null) {
      this.localNode = null;
      this.reads = new NodeReadChannels();
    } else {
      if (!config.peers().containsKey(local.id())) {
        throw new IllegalArgumentException("node " + local.id() + " is not one of the router's peers " + config.peers().keySet());
      }
      this.localNode = local.id();
      this.reads = new NodeReadChannels(config.peers().get(local.id()).toString(), local.reads(), metrics.localReads());
    }
    this.blocking = blocking;
    this.nanoClock = nanoClock;
    List<Member> members = new ArrayList<>();
    config.peers().forEach((id, address) ->
        members.add(Member.newBuilder().setId(id).setAddress(address.toString()).build()));
    ClusterMap seed = ClusterLayout.initial(config.clusterName(), members, 1, 1);
    this.metaReplicas = seed.getMetaReplicasList();
    this.gets = new GetBatcher<>(GroupChannel.batchReads(reads, config.requestTimeout()),
        (node, linearizable) -> metrics.readBatchGets(node, linearizable)::record);
    this.meta = new GroupChannel(RaftGroups.meta(seed), config.requestTimeout(), blocking, reads, localWrites, nanoClock);
    long periodMs = config.mapRefresh().toMillis();
    this.timer = scheduler.scheduleWithFixedDelay(() -> refresh().exceptionally(e -> {
      LOG.debug("shard map refresh failed: {}", e.toString());
      return null;
    }), 0, periodMs, TimeUnit.MILLISECONDS);
  }

  /** The newest map this router has, or null before the first successful read. */
  public ShardMap current() {
    return current;
  }

  /** The id of the node this router runs in, or null when it runs in a process of its own. */
  public String localNode() {
    return localNode;
  }

  /** The monotonic clock this cache's deadlines are on: whoever makes a deadline for it reads this one. */
  public LongSupplier nanoClock() {
    return nanoClock;
  }

  /**
   * The current map, or, while there is none yet (cluster starting), the first one read before
   * {@code deadlineNanos} (on this cache's {@code nanoClock}); fails with NO_QUORUM when none could
   * be read by then.
   */
  public CompletableFuture<ShardMap> mapBy(long deadlineNanos) {
    ShardMap map = current;
    if (map != null) {
      return CompletableFuture.completedFuture(map);
    }
    return refresh().handle((m, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(m);
      }
      if (nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(FIRST_MAP_RETRY_MS) >= deadlineNanos) {
        return CompletableFuture.<ShardMap>failedFuture(new RouterException(RouterException.Reason.NO_QUORUM,
            "the cluster map is not available yet: " + Failures.describe(failure)));
      }
      return CompletableFuture.supplyAsync(() -> null,
              CompletableFuture.delayedExecutor(FIRST_MAP_RETRY_MS, TimeUnit.MILLISECONDS))
          .thenCompose(x -> mapBy(deadlineNanos));
    }).thenCompose(f -> f);
  }

  /** Re-reads the map from the meta group; concurrent callers share one read. */
  public synchronized CompletableFuture<ShardMap> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    byte[] query = MetaRead.newBuilder().setGetClusterMap(GetClusterMap.getDefaultInstance()).build().toByteArray();
    long deadline = nanoClock.getAsLong() + config.requestTimeout().toNanos();
    String hint = meta.leaderHint();
    List<String> order = new ArrayList<>(metaReplicas);
    if (hint != null && order.remove(hint)) {
      order.add(0, hint);
    }
    CompletableFuture<ShardMap> f = ReadFailover.read(order, deadline, nanoClock,
        node -> meta.readLinearizable(query, node), e -> false)
        .thenApply(reply -> {
          try {
            ClusterMap map = MetaReadResult.parseFrom(reply.bytes()).getMap();
            if (map.getEpoch() == 0) {
              throw new IllegalStateException("the cluster has not bootstrapped yet");
            }
            return install(map);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    inFlight = f;
    f.whenComplete((m, e) -> {
      synchronized (this) {
        inFlight = null;
      }
    });
    return f;
  }

  private ShardMap install(ClusterMap map) {
    ShardMap old = current;
    if (old != null && old.clusterMap().getEpoch() >= map.getEpoch()) {
      return old;
    }
    ShardMap next = new ShardMap(map);
    current = next;
    LOG.info("shard map epoch {}: {} shards on {} nodes", map.getEpoch(), map.getShardsCount(), map.getNodesCount());
    return next;
  }

  /** Gets of every shard, coalesced per node and read level. */
  GetBatcher<GroupChannel> gets() {
    return gets;
  }

  /** The channel to a shard's group as the given map describes it. */
  GroupChannel channel(ShardMap map, ShardInfo shard) {
    String key = RaftGroups.groupId(shard) + "/" + String.join(",", shard.getReplicasList());
    return channels.computeIfAbsent(key, k -> {
      RaftGroup group = RaftGroups.shard(map.clusterMap(), shard);
      return new GroupChannel(group, config.requestTimeout(), blocking, reads, localWrites, nanoClock);
    });
  }

  @Override
  public void close() throws IOException {
    timer.cancel(false);
    for (GroupChannel c : channels.values()) {
      c.close();
    }
    meta.close();
    reads.close();
  }
}
