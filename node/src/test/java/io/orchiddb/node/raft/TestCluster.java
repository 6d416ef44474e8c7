package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.config.FreePorts;
import io.orchiddb.node.config.NodeConfig;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.GetQuery;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real cluster of {@link OrchidNode}s in this JVM: separate Ratis servers on loopback ports,
 * each with its own data directory. Nodes can be stopped and restarted from their directories.
 * Clients are real Ratis clients ({@link GroupClient}), one per shard group.
 */
final class TestCluster implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path root;
  private final Map<String, String> settings;
  /** Settings of single nodes, over {@link #settings}. */
  private final Map<String, Map<String, String>> nodeSettings;
  private final List<String> ids = new ArrayList<>();
  private final Map<String, OrchidNode> running = new LinkedHashMap<>();
  private final Map<Integer, GroupClient> clients = new HashMap<>();
  private ShardMap shardMap;
  private OrchidNode any;

  /** Starts {@code n} nodes with the given extra settings (names as in the config file). */
  TestCluster(Path root, int n, Map<String, String> extra) throws IOException {
    this(root, n, extra, Map.of());
  }

  /** As above, with some nodes' settings (node id → settings) over the common ones. */
  TestCluster(Path root, int n, Map<String, String> extra, Map<String, Map<String, String>> nodeSettings)
      throws IOException {
    this.root = root;
    this.nodeSettings = nodeSettings;
    StringBuilder peers = new StringBuilder();
    int[] ports = FreePorts.pick(n);
    for (int i = 1; i <= n; i++) {
      String id = "n" + i;
      ids.add(id);
      peers.append(i > 1 ? "," : "").append(id).append("=127.0.0.1:").append(ports[i - 1]);
    }
    settings = new HashMap<>(extra);
    settings.put("peers", peers.toString());
    settings.putIfAbsent("election-timeout-ms", "500");
    java.util.Properties saved = new java.util.Properties();
    saved.putAll(settings);
    saved.setProperty("test.nodes", String.valueOf(n));
    java.nio.file.Files.createDirectories(root);
    try (var out = java.nio.file.Files.newBufferedWriter(root.resolve("cluster.properties"))) {
      saved.store(out, null);
    }
    for (String id : ids) {
      start(id);
    }
    shardMap = new ShardMap(running.get(ids.get(0)).initialLayout());
    awaitBootstrapped();
  }

  private TestCluster(Path root, Map<String, String> settings, int n) throws IOException {
    this.root = root;
    this.nodeSettings = Map.of();
    this.settings = settings;
    for (int i = 1; i <= n; i++) {
      ids.add("n" + i);
    }
    for (String id : ids) {
      start(id);
    }
    shardMap = new ShardMap(running.get(ids.get(0)).initialLayout());
    awaitBootstrapped();
  }

  /** Restarts, from their data directories and on the same ports, the nodes of a closed cluster. */
  static TestCluster reopen(Path root) throws IOException {
    java.util.Properties saved = new java.util.Properties();
    try (var in = java.nio.file.Files.newBufferedReader(root.resolve("cluster.properties"))) {
      saved.load(in);
    }
    int n = Integer.parseInt((String) saved.remove("test.nodes"));
    Map<String, String> settings = new HashMap<>();
    saved.stringPropertyNames().forEach(k -> settings.put(k, saved.getProperty(k)));
    return new TestCluster(root, settings, n);
  }

  /** A started cluster is a bootstrapped one: the meta group has committed the cluster map. */
  private void awaitBootstrapped() throws IOException {
    try {
      running.get(ids.get(0)).bootstrapped().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the cluster bootstraps", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("the cluster did not bootstrap within " + TIMEOUT, e);
    }
  }

  NodeConfig config(String id) {
    Map<String, String> s = new HashMap<>(settings);
    s.putAll(nodeSettings.getOrDefault(id, Map.of()));
    s.put("node-id", id);
    s.put("data-dir", root.resolve(id).toString());
    return NodeConfig.parse(s);
  }

  void start(String id) throws IOException {
    OrchidNode node = OrchidNode.start(config(id));
    running.put(id, node);
    any = node;
  }

  void stop(String id) throws IOException {
    running.remove(id).close();
    any = running.values().iterator().next();
  }

  List<String> nodeIds() {
    return ids;
  }

  OrchidNode node(String id) {
    return running.get(id);
  }

  ShardMap shardMap() {
    return shardMap;
  }

  ClusterMap layout() {
    return shardMap.clusterMap();
  }

  GroupClient client(ShardInfo shard) {
    return clients.computeIfAbsent(shard.getId(), id ->
        new GroupClient(RaftGroups.shard(layout(), shard), any.raftProperties(), Duration.ofSeconds(5)));
  }

  GroupClient metaClient() {
    return clients.computeIfAbsent(-1, id ->
        new GroupClient(RaftGroups.meta(layout()), any.raftProperties(), Duration.ofSeconds(5)));
  }

  // ---- operations ------------------------------------------------------------------------------

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static ShardWrite putCommand(String key, byte[] value) {
    return ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addOps(WriteOp.newBuilder()
        .setPut(PutOp.newBuilder().setKey(ByteString.copyFrom(utf8(key))).setValue(ByteString.copyFrom(value)))))
        .build();
  }

  ShardWriteResult write(ShardInfo shard, ShardWrite write) {
    try {
      return ShardWriteResult.parseFrom(client(shard).write(write.toByteArray()).get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new AssertionError("write to shard " + shard.getId() + " failed", e);
    }
  }

  /** Puts a key on its shard; returns the version (log index) it got. */
  long put(String key, String value) {
    return put(key, utf8(value));
  }

  long put(String key, byte[] value) {
    ShardWriteResult r = write(shardMap.shardFor(utf8(key)), putCommand(key, value));
    return r.getIndex();
  }

  /**
   * Puts {@code count} keys {@code prefix + i} with {@code value}, keeping up to 64 writes in
   * flight; returns each key's version.
   */
  Map<String, Long> putMany(String prefix, int count, byte[] value) {
    Map<String, Long> versions = new LinkedHashMap<>();
    List<java.util.concurrent.CompletableFuture<byte[]>> window = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = prefix + i;
      keys.add(key);
      window.add(client(shardMap.shardFor(utf8(key))).write(putCommand(key, value).toByteArray()));
      if (window.size() == 64 || i == count - 1) {
        for (int j = 0; j < window.size(); j++) {
          try {
            versions.put(keys.get(j), ShardWriteResult.parseFrom(window.get(j).get(60, TimeUnit.SECONDS)).getIndex());
          } catch (Exception e) {
            throw new AssertionError("write of " + keys.get(j) + " failed", e);
          }
        }
        window.clear();
        keys.clear();
      }
    }
    return versions;
  }

  static byte[] getQuery(String key) {
    return ShardRead.newBuilder().setGet(GetQuery.newBuilder().setKey(ByteString.copyFrom(utf8(key))))
        .build().toByteArray();
  }

  /** A linearizable read; null when the key is absent. */
  KeyEntry get(String key) {
    ShardInfo shard = shardMap.shardFor(utf8(key));
    try {
      ShardReadResult r = ShardReadResult.parseFrom(client(shard).read(getQuery(key)).get(30, TimeUnit.SECONDS));
      return r.getGet().hasEntry() ? r.getGet().getEntry() : null;
    } catch (Exception e) {
      throw new AssertionError("read of " + key + " failed", e);
    }
  }

  /** A read served by {@code node} from its own state, once it has applied {@code minIndex}. */
  ShardReadResult staleGet(String key, long minIndex, String node) {
    ShardInfo shard = shardMap.shardFor(utf8(key));
    try {
      return ShardReadResult.parseFrom(
          client(shard).readStale(getQuery(key), minIndex, node).get(30, TimeUnit.SECONDS));
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new AssertionError("stale read of " + key + " on " + node + " failed", e);
    }
  }

  /** The node leading {@code shard} now, or null when none of the running nodes does. */
  String leaderOf(ShardInfo shard) {
    for (var e : running.entrySet()) {
      try {
        OrchidNode.GroupStatus s = e.getValue().status(RaftGroups.groupId(shard));
        if (s != null && s.leader()) {
          return e.getKey();
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return null;
  }

  OrchidNode.GroupStatus status(String node, ShardInfo shard) {
    try {
      return running.get(node).status(RaftGroups.groupId(shard));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} until it holds or the deadline passes (then fails with {@code what}). */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  static <T> T awaitValue(String what, Duration timeout, Supplier<T> value) {
    Object[] out = new Object[1];
    await(what, timeout, () -> (out[0] = value.get()) != null);
    @SuppressWarnings("unchecked")
    T t = (T) out[0];
    return t;
  }

  @Override
  public void close() throws Exception {
    for (GroupClient c : clients.values()) {
      c.close();
    }
    for (OrchidNode node : running.values()) {
      node.close();
    }
    running.clear();
  }
}
