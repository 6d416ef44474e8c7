package io.orchiddb.node.config;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.orchiddb.node.shard.Limits;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A node's configuration, validated on construction: a bad value fails at start with a message
 * that names the setting. Settings come from a properties file and/or command-line flags; both
 * use the same names (the flag {@code --shard-count} is the file's {@code shard-count}).
 *
 * @param nodeId this node's id; must be one of {@code peers}
 * @param peers every node of the cluster, in order (id → Raft host:port); order decides the
 *     initial layout, so every node must list them the same way
 * @param dataDir where the Raft logs and snapshots live
 * @param clusterName names the cluster's Raft groups, so two clusters never mix
 * @param shardCount shards created when a fresh cluster bootstraps
 * @param replication replicas per shard (all nodes when there are fewer)
 * @param storage durable (fsync'd log on disk) or memory (for tests; loses data on restart)
 * @param snapshotThresholdEntries log entries after which a shard takes a snapshot (once its log
 *     since the last one is also a quarter of its size: {@code ShardStateMachine})
 * @param electionTimeoutMin the lower bound of the randomized election timeout; the upper is twice it
 * @param requestTimeout how long a Raft request may take before it fails
 * @param leaderLease no longer has an effect (kept so that existing configs start; the node warns):
 *     linearizable reads always confirm leadership with a majority ({@code ReadIndex}), since
 *     Ratis's lease falls back, once expired, to a ReadIndex that skips that check
 * @param logSegmentBytes size at which a log segment file is closed; the log is purged by whole
 *     closed segments, so this is also the granularity of compaction. Default 2 MiB: small, since
 *     a group's open segment stays in memory whole, and so does the last closed one until the next
 *     segment closes (Ratis evicts closed segments' cached entries when a segment rolls). An entry
 *     larger than a segment goes into the current one whole (Ratis allows it; reading bounds an
 *     entry by the appender's buffer limit, which is sized for the largest request)
 * @param limits size limits on requests
 * @param metricsPort the port of the node's Prometheus endpoint ({@code GET /metrics}, on the
 *     host of this node's peer address); {@link #METRICS_OFF} for none, 0 for any free port
 */
public record NodeConfig(
    String nodeId,
    Map<String, HostAndPort> peers,
    Path dataDir,
    String clusterName,
    int shardCount,
    int replication,
    Storage storage,
    long snapshotThresholdEntries,
    Duration electionTimeoutMin,
    Duration requestTimeout,
    boolean leaderLease,
    long logSegmentBytes,
    Limits limits,
    int metricsPort) {

  public enum Storage { DURABLE, MEMORY }

  public static final int SHARD_COUNT_MAX = 1024;
  /** The default shard count: one per distinct host of the initial cluster ({@link #shardCount}). */
  public static final String SHARD_COUNT_AUTO = "auto";
  public static final int REPLICATION_MAX = 7;
  /** {@code metricsPort} when the node serves no metrics (the setting's value {@code off}). */
  public static final int METRICS_OFF = -1;
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  /** Every setting's name with its default ("" = required). */
  public static final Map<String, String> SETTINGS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("node-id", "");
    d.put("peers", "");
    d.put("data-dir", "");
    d.put("cluster-name", "orchiddb");
    d.put("shard-count", SHARD_COUNT_AUTO);
    d.put("replication", "3");
    d.put("storage", "durable");
    d.put("snapshot-threshold", "10000");
    d.put("election-timeout-ms", "1000");
    d.put("request-timeout-ms", "5000");
    d.put("leader-lease", "false");
    d.put("log-segment-bytes", String.valueOf(2 * 1024 * 1024));
    d.put("key-bytes-max", String.valueOf(Limits.KEY_BYTES_MAX_DEFAULT));
    d.put("value-bytes-max", String.valueOf(Limits.VALUE_BYTES_MAX_DEFAULT));
    d.put("batch-ops-max", String.valueOf(Limits.BATCH_OPS_MAX_DEFAULT));
    d.put("request-bytes-max", String.valueOf(Limits.REQUEST_BYTES_MAX_DEFAULT));
    d.put("metrics-port", "off");
    return Collections.unmodifiableMap(d);
  }

  public NodeConfig {
    require("node-id", ID.matcher(nodeId).matches(),
        "must be 1-32 of a-z, 0-9, '-', '_', starting with a letter or digit; got '" + nodeId + "'");
    require("peers", !peers.isEmpty(), "must list at least one node");
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    for (var p : peers.entrySet()) {
      require("peers", ID.matcher(p.getKey()).matches(), "bad node id '" + p.getKey() + "'");
      require("peers", p.getValue().hasPort(), "node " + p.getKey() + " has no port");
    }
    require("peers", Set.copyOf(peers.values()).size() == peers.size(), "two nodes share an address");
    require("node-id", peers.containsKey(nodeId), "'" + nodeId + "' is not in peers " + peers.keySet());
    require("cluster-name", ID.matcher(clusterName).matches(), "bad name '" + clusterName + "'");
    require("shard-count", shardCount >= 1 && shardCount <= SHARD_COUNT_MAX,
        "must be between 1 and " + SHARD_COUNT_MAX + ", got " + shardCount);
    require("replication", replication >= 1 && replication <= REPLICATION_MAX,
        "must be between 1 and " + REPLICATION_MAX + ", got " + replication);
    require("snapshot-threshold", snapshotThresholdEntries >= 16,
        "must be at least 16 entries, got " + snapshotThresholdEntries);
    require("election-timeout-ms", electionTimeoutMin.toMillis() >= 100
        && electionTimeoutMin.toMillis() <= 60_000, "must be between 100 and 60000, got "
        + electionTimeoutMin.toMillis());
    require("request-timeout-ms", requestTimeout.toMillis() >= 100
        && requestTimeout.toMillis() <= 600_000, "must be between 100 and 600000, got "
        + requestTimeout.toMillis());
    require("metrics-port", metricsPort >= METRICS_OFF && metricsPort <= 65_535,
        "must be off or a port between 0 and 65535, got " + metricsPort);
    require("log-segment-bytes", logSegmentBytes >= LOG_SEGMENT_MIN_BYTES && logSegmentBytes <= 1L << 30,
        "must be between " + LOG_SEGMENT_MIN_BYTES + " (64 KiB) and 1 GiB, got " + logSegmentBytes);
  }

  public static final int LOG_SEGMENT_MIN_BYTES = 64 * 1024;

  private static void require(String setting, boolean ok, String problem) {
    if (!ok) {
      throw new ConfigException(setting, problem);
    }
  }

  public HostAndPort address() {
    return peers.get(nodeId);
  }

  /**
   * {@code auto} (the default): one shard per machine the peers run on, as the peers list tells
   * it: one per distinct host, every loopback address counting as the same host. Each shard is a
   * Raft group with its own leader, threads and entries. On separate machines one shard per
   * machine lets each lead about one shard, which spreads the leaders' work over their cores;
   * nodes that share a machine share its cores too, and there more groups only split each
   * entry's writes among more entries (BENCHMARKS.md: on 3 nodes sharing 2 cores, one shard
   * was faster than three for puts at every concurrency from 16 and for gets from 16). Hosts
   * are compared as written, without name resolution.
   */
  static int shardCount(String value, Collection<HostAndPort> peers) {
    String v = value.strip();
    if (v.equals(SHARD_COUNT_AUTO)) {
      return distinctHosts(peers);
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException("shard-count", "not a whole number or '" + SHARD_COUNT_AUTO + "': '" + value + "'");
    }
  }

  /** How many machines {@code peers} name: distinct hosts, all loopback addresses as one. */
  static int distinctHosts(Collection<HostAndPort> peers) {
    Set<String> hosts = new HashSet<>();
    for (HostAndPort peer : peers) {
      String host = peer.getHost().toLowerCase(Locale.ROOT);
      boolean loopback = host.equals("localhost")
          || (InetAddresses.isInetAddress(host) && InetAddresses.forString(host).isLoopbackAddress());
      hosts.add(loopback ? "localhost" : host);
    }
    return Math.max(1, hosts.size());
  }

  /** Parses settings given by name; missing ones take their defaults; unknown names are errors. */
  public static NodeConfig parse(Map<String, String> given) {
    Map<String, String> s = Settings.merge(SETTINGS, given);
    String nodeId = required(s, "node-id");
    String dataDir = s.get("data-dir").isEmpty() ? "data/" + nodeId : s.get("data-dir");
    Limits limits = Settings.limits(s);
    Map<String, HostAndPort> peers = peers(required(s, "peers"));
    return new NodeConfig(
        nodeId,
        peers,
        Path.of(dataDir),
        s.get("cluster-name"),
        shardCount(s.get("shard-count"), peers.values()),
        Settings.integer(s, "replication"),
        storage(s.get("storage")),
        Settings.integer(s, "snapshot-threshold"),
        Duration.ofMillis(Settings.integer(s, "election-timeout-ms")),
        Duration.ofMillis(Settings.integer(s, "request-timeout-ms")),
        bool(s, "leader-lease"),
        Settings.integer(s, "log-segment-bytes"),
        limits,
        s.get("metrics-port").strip().equals("off") ? METRICS_OFF : Settings.integer(s, "metrics-port"));
  }

  /** Reads settings from a properties file (same names as the flags). */
  public static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  /** Parses {@code id=host:port,id=host:port,...}. */
  public static Map<String, HostAndPort> peers(String spec) {
    Map<String, HostAndPort> out = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("peers", "expected id=host:port, got '" + p + "'");
      }
      String id = p.substring(0, eq).trim();
      HostAndPort address;
      try {
        address = HostAndPort.fromString(p.substring(eq + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("peers", "bad address in '" + p + "': " + e.getMessage());
      }
      if (!address.hasPort() || address.getPort() == 0) {
        throw new ConfigException("peers", "node " + id + " needs a port other than 0, got '" + p + "'");
      }
      if (out.put(id, address) != null) {
        throw new ConfigException("peers", "node " + id + " is listed twice");
      }
    }
    return out;
  }

  private static String required(Map<String, String> s, String name) {
    String v = s.get(name);
    if (v == null || v.isEmpty()) {
      throw new ConfigException(name, "required");
    }
    return v;
  }


  private static boolean bool(Map<String, String> s, String name) {
    return switch (s.get(name).toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name, "must be true or false, got '" + s.get(name) + "'");
    };
  }

  private static Storage storage(String v) {
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "durable" -> Storage.DURABLE;
      case "memory" -> Storage.MEMORY;
      default -> throw new ConfigException("storage", "must be durable or memory, got '" + v + "'");
    };
  }
}
