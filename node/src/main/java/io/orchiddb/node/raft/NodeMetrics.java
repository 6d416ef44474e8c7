package io.orchiddb.node.raft;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orchiddb.node.metrics.JvmMeters;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/**
 * A node's metrics in Prometheus's text format at {@code http://HOST:metrics-port/metrics}: for
 * every Raft group it hosts (tag {@code group}: {@code shard-N} or {@code meta}) its role, term
 * and indexes, the entries and transactions it applied, the keys it holds; and the JVM's and the
 * process's meters ({@link JvmMeters}). The README ("Metrics") lists them.
 *
 * <p>Everything is read when scraped, from Ratis's division and the state machine: nothing is
 * added to the write or read path but two counters the apply thread bumps. One thread serves the
 * endpoint (Prometheus's exporter on the JDK's HTTP server); a scrape is a few hundred lines.
 */
final class NodeMetrics implements Closeable {
  private final PrometheusMeterRegistry registry;
  private final JvmMeters jvm;
  private final ExecutorService executor;
  private final HTTPServer http;

  private NodeMetrics(PrometheusMeterRegistry registry, JvmMeters jvm, ExecutorService executor, HTTPServer http) {
    this.registry = registry;
    this.jvm = jvm;
    this.executor = executor;
    this.http = http;
  }

  /**
   * Registers the meters of {@code groups} (id → name) and starts serving on {@code host:port}.
   *
   * @throws IOException when the port cannot be bound (the message names the setting)
   */
  static NodeMetrics start(RaftServer server, Map<RaftGroupId, String> groups, NodeReads reads, String host, int port)
      throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmMeters jvm = JvmMeters.bind(registry);
    groups.forEach((id, name) -> bindGroup(registry, server, id, name));
    FunctionCounter.builder("orchiddb.node.read.index.rounds", reads, NodeReads::readIndexRounds)
        .description("Leadership rounds this node ran as a leader for linearizable reads (a term request to as many"
            + " other voters as a majority needs), all groups").register(registry);
    FunctionCounter.builder("orchiddb.node.read.index.rounds.widened", reads, NodeReads::readIndexRoundsWidened)
        .description("Of those rounds, the ones that asked every other voter because one asked first did not say"
            + " yes within " + ReadIndex.ASK_MORE_AFTER_MS + " ms (unreachable, slow, or in another term)")
        .register(registry);
    FunctionCounter.builder("orchiddb.node.read.index.reads", reads, NodeReads::readIndexReads)
        .description("Linearizable reads this node took into those rounds as a leader, its own and its followers'"
            + " (divided by rounds: reads per round)").register(registry);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    });
    try {
      HTTPServer http = HTTPServer.builder().hostname(host).port(port)
          .registry(registry.getPrometheusRegistry()).executorService(executor).buildAndStart();
      return new NodeMetrics(registry, jvm, executor, http);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      jvm.close();
      registry.close();
      throw new IOException("metrics-port " + port + ": cannot listen on " + host + ": " + e.getMessage(), e);
    }
  }

  private static void bindGroup(PrometheusMeterRegistry registry, RaftServer server, RaftGroupId id, String name) {
    Tags tags = Tags.of("group", name);
    gauge(registry, "orchiddb.node.raft.leader", "1 while this replica leads the group, else 0", tags,
        server, id, d -> d.getInfo().isLeader() ? 1 : 0);
    gauge(registry, "orchiddb.node.raft.term", "The group's current Raft term on this replica", tags,
        server, id, d -> d.getInfo().getCurrentTerm());
    gauge(registry, "orchiddb.node.raft.commit.index", "The highest log index this replica knows is committed", tags,
        server, id, d -> d.getRaftLog().getLastCommittedIndex());
    gauge(registry, "orchiddb.node.raft.applied.index", "The highest log index this replica applied", tags,
        server, id, d -> appliedIndex(d));
    gauge(registry, "orchiddb.node.raft.log.start.index", "The first index still in the log (compaction purges before it)",
        tags, server, id, d -> d.getRaftLog().getStartIndex());
    gauge(registry, "orchiddb.node.raft.follower.lag", "On the leader: log entries the furthest-behind follower"
        + " does not have yet (NaN on a follower)", tags, server, id, NodeMetrics::followerLag);
    gauge(registry, "orchiddb.node.raft.snapshot.index", "The index of the newest snapshot, -1 when none", tags,
        server, id, d -> d.getStateMachine().getLatestSnapshot() == null ? -1 : d.getStateMachine().getLatestSnapshot().getIndex());
    FunctionCounter.builder("orchiddb.node.raft.applied.entries", server,
            s -> stateMachine(s, id) instanceof OrchidStateMachine sm ? sm.appliedEntries() : Double.NaN)
        .description("Log entries with a command this replica applied since the node started").tags(tags).register(registry);
    if (name.startsWith("shard-")) {
      gauge(registry, "orchiddb.node.shard.keys", "Keys the shard holds on this replica", tags,
          server, id, d -> d.getStateMachine() instanceof ShardStateMachine sm ? sm.size() : Double.NaN);
      gauge(registry, "orchiddb.node.shard.store.bytes", "Bytes of off-heap slabs holding the shard's records on"
          + " this replica", tags, server, id,
          d -> d.getStateMachine() instanceof ShardStateMachine sm ? sm.storeBytes().held() : Double.NaN);
      gauge(registry, "orchiddb.node.shard.store.live.bytes", "Of those, bytes of records still referenced (the"
          + " rest is dead space that compaction reclaims)", tags, server, id,
          d -> d.getStateMachine() instanceof ShardStateMachine sm ? sm.storeBytes().live() : Double.NaN);
      FunctionCounter.builder("orchiddb.node.shard.applied.txns", server,
              s -> stateMachine(s, id) instanceof ShardStateMachine sm ? sm.appliedTxns() : Double.NaN)
          .description("Transactions this replica applied since the node started (divided by applied entries:"
              + " transactions per Raft entry)").tags(tags).register(registry);
    }
  }

  private static void gauge(PrometheusMeterRegistry registry, String name, String description, Tags tags,
      RaftServer server, RaftGroupId id, ToDoubleFunction<RaftServer.Division> value) {
    Gauge.builder(name, server, s -> {
      RaftServer.Division d = division(s, id);
      return d == null ? Double.NaN : value.applyAsDouble(d);
    }).description(description).tags(tags).register(registry);
  }

  /** The group's division here, or null when it is gone (removed, or the server is closing). */
  private static RaftServer.Division division(RaftServer server, RaftGroupId id) {
    try {
      return server.getDivision(id);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The group's state machine here, or null. */
  private static Object stateMachine(RaftServer server, RaftGroupId id) {
    RaftServer.Division d = division(server, id);
    return d == null ? null : d.getStateMachine();
  }

  /** The leader's last log index less the lowest match index of its followers; NaN when not leader. */
  private static double followerLag(RaftServer.Division d) {
    if (!d.getInfo().isLeader()) {
      return Double.NaN;
    }
    long[] matched = d.getInfo().getFollowerMatchIndices();
    if (matched == null || matched.length == 0) {
      return 0; // a group of one
    }
    long lowest = Long.MAX_VALUE;
    for (long m : matched) {
      lowest = Math.min(lowest, m);
    }
    return Math.max(0, d.getRaftLog().getLastEntryTermIndex().getIndex() - lowest);
  }

  private static double appliedIndex(RaftServer.Division d) {
    var last = d.getStateMachine().getLastAppliedTermIndex();
    return last == null ? 0 : last.getIndex();
  }

  /** The port actually bound (useful with metrics-port 0). */
  int port() {
    return http.getPort();
  }

  @Override
  public void close() {
    http.close();
    executor.shutdownNow();
    jvm.close();
    registry.close();
  }
}
