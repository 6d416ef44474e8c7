package io.orchiddb.node.raft;

import com.google.common.base.Verify;
import io.orchiddb.node.config.NodeConfig;
import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.MetaWrite;
import io.orchiddb.proto.raft.MetaWriteResult;
import io.orchiddb.proto.raft.ShardInfo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One storage node: a single Ratis {@link RaftServer} hosting a Raft group per shard it
 * replicates, plus the meta group if it is one of the meta replicas.
 *
 * <p>Start-up: on a fresh data directory the node computes the cluster's initial layout from its
 * configuration ({@link ClusterLayout}; every node computes the same one), creates the groups it
 * is a member of, records that in {@code node.properties}, and proposes the layout to the meta
 * group (idempotent: the first proposal wins). On a data directory it has used before, Ratis
 * recovers every group from disk: newest valid snapshot, then log replay.
 */
public final class OrchidNode implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(OrchidNode.class);
  private static final String MARKER = "node.properties";

  private final NodeConfig config;
  private final RaftServer server;
  private final ClusterMap layout;
  private final RaftProperties properties;
  private final NodeReads reads;
  private final CompletableFuture<ClusterMap> bootstrapped = new CompletableFuture<>();
  private volatile boolean closed;
  /** Null when metrics-port is off. */
  private volatile NodeMetrics metrics;
  /** Runs the Raft calls that block inside Ratis (RaftSettings.blocks); threads end when idle. */
  private final ExecutorService blockingCalls = Executors.newCachedThreadPool(task -> {
    Thread t = new Thread(task, "raft-blocking-call");
    t.setDaemon(true);
    return t;
  });

  private OrchidNode(NodeConfig config, InstantSource clock) throws IOException {
    this.config = config;
    this.properties = RaftSettings.forNode(config);
    List<Member> members = new ArrayList<>();
    config.peers().forEach((id, address) ->
        members.add(Member.newBuilder().setId(id).setAddress(address.toString()).build()));
    this.layout = ClusterLayout.initial(config.clusterName(), members, config.shardCount(), config.replication());
    RaftGroupId metaGroup = RaftGroupId.valueOf(ClusterLayout.metaGroupUuid(config.clusterName()));
    Duration staleWait = config.requestTimeout();
    AtomicReference<RaftServer> built = new AtomicReference<>();
    this.reads = new NodeReads(built::get, config.requestTimeout());
    this.server = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(config.nodeId()))
        .setProperties(properties)
        .setParameters(RaftSettings.parameters(reads, blockingCalls))
        // One state machine per group (never setStateMachine: it would share one across groups).
        .setStateMachineRegistry(gid -> gid.equals(metaGroup)
            ? new MetaStateMachine(staleWait, System::nanoTime)
            : (StateMachine) new ShardStateMachine(config.limits(), clock, staleWait, System::nanoTime))
        .build();
    built.set(server);
  }

  /** Starts a node: recovers its groups, or creates them on a fresh data directory. */
  public static OrchidNode start(NodeConfig config) throws IOException {
    return start(config, InstantSource.system());
  }

  static OrchidNode start(NodeConfig config, InstantSource clock) throws IOException {
    Files.createDirectories(config.dataDir());
    boolean fresh = checkMarker(config);
    OrchidNode node = new OrchidNode(config, clock);
    if (config.leaderLease()) {
      LOG.warn("leader-lease=true has no effect any more: linearizable reads always confirm leadership with a"
          + " majority (Ratis's lease, once expired, fell back to a read index that skips that check)");
    }
    try {
      node.server.start();
      if (fresh) {
        node.createGroups();
        writeMarker(config);
      }
      if (config.metricsPort() != NodeConfig.METRICS_OFF) {
        node.metrics = NodeMetrics.start(node.server, node.groupNames(), node.reads, config.address().getHost(),
            config.metricsPort());
      }
      node.proposeLayoutInBackground();
      LOG.info("node {} listening on {} with {} groups", config.nodeId(), config.address(),
          groupCount(node.server));
      return node;
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /** Returns true when the data directory is new; fails when it belongs to another node or cluster. */
  private static boolean checkMarker(NodeConfig config) throws IOException {
    Path marker = config.dataDir().resolve(MARKER);
    if (!Files.exists(marker)) {
      return true;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    if (!config.nodeId().equals(p.getProperty("node-id"))
        || !config.clusterName().equals(p.getProperty("cluster-name"))) {
      throw new IllegalStateException("data-dir: " + config.dataDir() + " belongs to node '"
          + p.getProperty("node-id") + "' of cluster '" + p.getProperty("cluster-name")
          + "', not node '" + config.nodeId() + "' of cluster '" + config.clusterName() + "'");
    }
    return false;
  }

  private static void writeMarker(NodeConfig config) throws IOException {
    Properties p = new Properties();
    p.setProperty("node-id", config.nodeId());
    p.setProperty("cluster-name", config.clusterName());
    Path marker = config.dataDir().resolve(MARKER);
    Path tmp = marker.resolveSibling(MARKER + ".tmp");
    try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "OrchidDB node identity; do not edit");
    }
    Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    SnapshotFile.forceDirectory(config.dataDir());
  }

  private void createGroups() throws IOException {
    List<RaftGroup> groups = new ArrayList<>();
    if (layout.getMetaReplicasList().contains(config.nodeId())) {
      groups.add(RaftGroups.meta(layout));
    }
    for (ShardInfo shard : layout.getShardsList()) {
      if (shard.getReplicasList().contains(config.nodeId())) {
        groups.add(RaftGroups.shard(layout, shard));
      }
    }
    AtomicLong callId = new AtomicLong();
    ClientId self = ClientId.randomId();
    for (RaftGroup group : groups) {
      if (hosts(server, group.getGroupId())) {
        continue; // created before a crash that came ahead of the marker
      }
      RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(
          self, server.getId(), callId.incrementAndGet(), group, true));
      if (!reply.isSuccess()) {
        throw new IOException("cannot create group " + group.getGroupId() + ": " + reply.getException());
      }
    }
    LOG.info("node {} created {} groups", config.nodeId(), groups.size());
  }

  /**
   * Proposes the initial layout to the meta group until it commits (or the node closes). Every
   * node does this; the meta state machine keeps only the first.
   */
  private void proposeLayoutInBackground() {
    byte[] command = MetaWrite.newBuilder().setBootstrap(layout).build().toByteArray();
    Thread t = new Thread(() -> {
      long backoffMs = 100;
      while (!closed) {
        try (GroupClient meta = new GroupClient(RaftGroups.meta(layout), properties, config.requestTimeout())) {
          MetaWriteResult result = MetaWriteResult.parseFrom(meta.write(command).get());
          bootstrapped.complete(result.getMap());
          return;
        } catch (Exception e) {
          if (closed) {
            return;
          }
          LOG.debug("node {}: meta bootstrap not yet committed: {}", config.nodeId(), e.toString());
        }
        try {
          Thread.sleep(backoffMs); // retry pacing, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
        backoffMs = Math.min(2_000, backoffMs * 2);
      }
    }, "meta-bootstrap-" + config.nodeId());
    t.setDaemon(true);
    t.start();
  }

  /** This node's reads, for a router in the same JVM to call without a transport. */
  public NodeReads reads() {
    return reads;
  }

  public NodeConfig config() {
    return config;
  }

  /** The layout this node computed from its configuration (the map a fresh cluster starts with). */
  public ClusterMap initialLayout() {
    return layout;
  }

  /** Completes with the cluster map once the meta group has committed one. */
  public CompletableFuture<ClusterMap> bootstrapped() {
    return bootstrapped;
  }

  /** The Ratis properties every group here uses; clients of this cluster can start from them. */
  public RaftProperties raftProperties() {
    return properties;
  }

  /** This node's Raft server (tests reach its groups through it). */
  RaftServer raftServer() {
    return server;
  }

  /** What this node knows of a group it hosts, or null when it does not host it. */
  public GroupStatus status(RaftGroupId groupId) throws IOException {
    if (!hosts(server, groupId)) {
      return null;
    }
    RaftServer.Division d = server.getDivision(groupId);
    long applied = d.getStateMachine().getLastAppliedTermIndex() == null ? 0
        : d.getStateMachine().getLastAppliedTermIndex().getIndex();
    Object sm = d.getStateMachine();
    int keys = sm instanceof ShardStateMachine shard ? shard.size() : -1;
    return new GroupStatus(d.getInfo().isLeader(), d.getInfo().getCurrentTerm(),
        d.getRaftLog().getLastCommittedIndex(), applied, d.getRaftLog().getStartIndex(),
        d.getStateMachine().getLatestSnapshot() == null ? -1 : d.getStateMachine().getLatestSnapshot().getIndex(),
        keys);
  }

  /**
   * @param logStartIndex the first index still in the log (greater than 0 once it was purged)
   * @param snapshotIndex index of the newest snapshot, -1 when there is none
   * @param keys keys held, for a shard group; -1 for the meta group
   */
  public record GroupStatus(boolean leader, long term, long commitIndex, long appliedIndex,
      long logStartIndex, long snapshotIndex, int keys) {}

  /** The groups this node hosts, named as the metrics tag them: "meta", or "shard-" and the shard's id. */
  private Map<RaftGroupId, String> groupNames() throws IOException {
    Map<RaftGroupId, String> known = new HashMap<>();
    known.put(RaftGroups.meta(layout).getGroupId(), "meta");
    for (ShardInfo shard : layout.getShardsList()) {
      known.put(RaftGroups.groupId(shard), "shard-" + shard.getId());
    }
    Map<RaftGroupId, String> names = new LinkedHashMap<>();
    for (RaftGroupId id : server.getGroupIds()) {
      names.put(id, known.getOrDefault(id, id.getUuid().toString()));
    }
    return names;
  }

  /** The port of this node's metrics endpoint, or -1 when metrics-port is off. */
  public int metricsPort() {
    NodeMetrics m = metrics;
    return m == null ? NodeConfig.METRICS_OFF : m.port();
  }

  private static boolean hosts(RaftServer server, RaftGroupId groupId) throws IOException {
    for (RaftGroupId id : server.getGroupIds()) {
      if (id.equals(groupId)) {
        return true;
      }
    }
    return false;
  }

  private static int groupCount(RaftServer server) throws IOException {
    int n = 0;
    for (RaftGroupId ignored : server.getGroupIds()) {
      n++;
    }
    return n;
  }

  /**
   * Whether the Raft server has closed although {@link #close} was not called: Ratis closes it
   * itself after a JVM pause longer than its close threshold (60 s), and from then on the node
   * serves nothing while its process lives on ({@code NodeMain} exits it, so that it is restarted).
   */
  public boolean serverClosedItself() {
    return !closed && server.getLifeCycleState().isClosingOrClosed();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    NodeMetrics m = metrics;
    if (m != null) {
      m.close();
    }
    try {
      server.close();
    } finally {
      reads.close();
      blockingCalls.shutdown();
    }
  }
}
