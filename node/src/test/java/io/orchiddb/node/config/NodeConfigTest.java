package io.orchiddb.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.HostAndPort;
import io.orchiddb.node.shard.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves that a node configuration gets its documented defaults and that every bad value is
 * refused at start with a {@link ConfigException} naming the setting: the message starts with
 * {@code "<setting>: "} and {@link ConfigException#setting()} returns it.
 *
 * <p>How: start from a minimal valid map of settings ({@code node-id} and {@code peers}), change
 * one setting per case and call {@link NodeConfig#parse}; {@link NodeConfig#readFile} is exercised
 * with a real properties file in a temporary directory.
 */
class NodeConfigTest {
  private static final String PEERS = "n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003";

  private static Map<String, String> minimal() {
    Map<String, String> s = new HashMap<>();
    s.put("node-id", "n1");
    s.put("peers", PEERS);
    return s;
  }

  private static Map<String, String> with(String setting, String value) {
    Map<String, String> s = minimal();
    s.put(setting, value);
    return s;
  }

  private static void assertRefused(Map<String, String> settings, String setting) {
    assertThatThrownBy(() -> NodeConfig.parse(settings))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageStartingWith(setting + ": ");
  }

  @Test
  void defaultsAreApplied() {
    NodeConfig c = NodeConfig.parse(minimal());

    assertThat(c.nodeId()).isEqualTo("n1");
    assertThat(c.peers()).containsExactly(
        Map.entry("n1", HostAndPort.fromParts("127.0.0.1", 9001)),
        Map.entry("n2", HostAndPort.fromParts("127.0.0.1", 9002)),
        Map.entry("n3", HostAndPort.fromParts("127.0.0.1", 9003)));
    assertThat(c.address()).isEqualTo(HostAndPort.fromParts("127.0.0.1", 9001));
    assertThat(c.dataDir()).isEqualTo(Path.of("data", "n1"));
    assertThat(c.clusterName()).isEqualTo("orchiddb");
    assertThat(c.shardCount()).as("auto: one shard per host, and the peers share one").isEqualTo(1);
    assertThat(c.replication()).isEqualTo(3);
    assertThat(c.storage()).isEqualTo(NodeConfig.Storage.DURABLE);
    assertThat(c.snapshotThresholdEntries()).isEqualTo(10_000);
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(1000));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(5000));
    assertThat(c.leaderLease()).isFalse();
    assertThat(c.logSegmentBytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(c.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(c.metricsPort()).as("off").isEqualTo(NodeConfig.METRICS_OFF);
  }

  @Test
  void dataDirDefaultsToDataSlashNodeId() {
    assertThat(NodeConfig.parse(with("node-id", "n2")).dataDir()).isEqualTo(Path.of("data/n2"));
    assertThat(NodeConfig.parse(with("data-dir", "/var/lib/orchid")).dataDir())
        .isEqualTo(Path.of("/var/lib/orchid"));
  }

  @Test
  void givenValuesOverrideDefaults() {
    Map<String, String> s = minimal();
    s.put("cluster-name", "prod-1");
    s.put("shard-count", " 1024 ");
    s.put("replication", "7");
    s.put("storage", "MEMORY");
    s.put("snapshot-threshold", "16");
    s.put("election-timeout-ms", "100");
    s.put("request-timeout-ms", "600000");
    s.put("leader-lease", "True");
    s.put("key-bytes-max", "16384");
    s.put("value-bytes-max", "1");
    s.put("batch-ops-max", "65536");
    s.put("request-bytes-max", "33554432");
    s.put("log-segment-bytes", "1073741824");

    NodeConfig c = NodeConfig.parse(s);

    assertThat(c.clusterName()).isEqualTo("prod-1");
    assertThat(c.shardCount()).isEqualTo(1024);
    assertThat(c.replication()).isEqualTo(7);
    assertThat(c.storage()).isEqualTo(NodeConfig.Storage.MEMORY);
    assertThat(c.snapshotThresholdEntries()).isEqualTo(16);
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(600_000));
    assertThat(c.leaderLease()).isTrue();
    assertThat(c.limits()).isEqualTo(new Limits(16384, 1, 65536, 33554432));
    assertThat(c.logSegmentBytes()).isEqualTo(1L << 30);
  }

  @Test
  void everyDefaultParsesWhenGivenExplicitly() {
    Map<String, String> s = minimal();
    NodeConfig.SETTINGS.forEach((name, value) -> {
      if (!value.isEmpty()) {
        s.put(name, value);
      }
    });
    assertThat(NodeConfig.parse(s)).isEqualTo(NodeConfig.parse(minimal()));
  }

  @Test
  void missingNodeIdIsRefused() {
    Map<String, String> s = minimal();
    s.remove("node-id");
    assertRefused(s, "node-id");
    assertRefused(with("node-id", "  "), "node-id");
  }

  @Test
  void missingPeersIsRefused() {
    Map<String, String> s = minimal();
    s.remove("peers");
    assertRefused(s, "peers");
  }

  @Test
  void nodeIdNotInPeersIsRefused() {
    assertRefused(with("node-id", "n4"), "node-id");
  }

  @Test
  void malformedNodeIdIsRefused() {
    assertRefused(with("node-id", "N1"), "node-id");
    assertRefused(with("node-id", "-n1"), "node-id");
    assertRefused(with("node-id", "n".repeat(33)), "node-id");
  }

  @ParameterizedTest(name = "peers \"{0}\"")
  @CsvSource(delimiter = '|', value = {
      "n1 127.0.0.1:9001",                       // no '='
      "=127.0.0.1:9001",                         // no id
      "n1=127.0.0.1",                            // no port
      "n1=127.0.0.1:0",                          // port 0
      "n1=127.0.0.1:99999",                      // port out of range
      "n1=127.0.0.1:9001,n1=127.0.0.1:9002",     // duplicate id
      "n1=127.0.0.1:9001,n2=127.0.0.1:9001",     // duplicate address
      "n1=127.0.0.1:9001,,n2=127.0.0.1:9002",    // empty entry
      "n1=127.0.0.1:9001,N2=127.0.0.1:9002",     // bad id in peers
  })
  void badPeersAreRefused(String peers) {
    assertRefused(with("peers", peers), "peers");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "shard-count, 0",
      "shard-count, 1025",
      "shard-count, eight",
      "replication, 0",
      "replication, 8",
      "replication, 3.0",
      "storage, disk",
      "leader-lease, yes",
      "leader-lease, 1",
      "snapshot-threshold, 15",
      "snapshot-threshold, 1e4",
      "election-timeout-ms, 99",
      "election-timeout-ms, 60001",
      "election-timeout-ms, 1s",
      "request-timeout-ms, 99",
      "request-timeout-ms, 600001",
      "request-timeout-ms, 99999999999",
      "cluster-name, Prod",
      "key-bytes-max, 16385",
      "key-bytes-max, 0",
      "key-bytes-max, big",
      "value-bytes-max, 16777217",
      "value-bytes-max, -1",
      "batch-ops-max, 65537",
      "batch-ops-max, 0",
      "request-bytes-max, 33554433",
      "request-bytes-max, 0x10",
      "log-segment-bytes, 65535",
      "log-segment-bytes, 1073741825",
      "log-segment-bytes, 8MiB",
      "metrics-port, 65536",
      "metrics-port, -2",
      "metrics-port, on",
  })
  void badValueIsRefusedNamingTheSetting(String setting, String value) {
    assertRefused(with(setting, value), setting);
  }

  @Test
  void theSmallestAndLargestAllowedShardCountsAndReplicationsAreAccepted() {
    assertThat(NodeConfig.parse(with("shard-count", "1")).shardCount()).isEqualTo(1);
    assertThat(NodeConfig.parse(with("shard-count", " auto ")).shardCount()).isEqualTo(1);
    assertThat(NodeConfig.parse(with("shard-count", "1024")).shardCount()).isEqualTo(1024);
    assertThat(NodeConfig.parse(with("replication", "1")).replication()).isEqualTo(1);
    assertThat(NodeConfig.parse(with("replication", "7")).replication()).isEqualTo(7);
  }

  @Test
  void metricsPortIsOffOrAPort() {
    assertThat(NodeConfig.parse(with("metrics-port", "off")).metricsPort()).isEqualTo(NodeConfig.METRICS_OFF);
    assertThat(NodeConfig.parse(with("metrics-port", "0")).metricsPort()).as("any free port").isZero();
    assertThat(NodeConfig.parse(with("metrics-port", "65535")).metricsPort()).isEqualTo(65535);
  }

  @Test
  void logSegmentMayBeSmallerThanTheLargestRequest() {
    // Ratis writes an entry larger than a segment into the current segment whole (RouterIT puts a
    // 4 MiB request through 2 MiB segments), so the request limit does not bound the segment size.
    assertThat(NodeConfig.parse(with("log-segment-bytes", "65536")).logSegmentBytes()).isEqualTo(65536);
    Map<String, String> raised = with("request-bytes-max", String.valueOf(32 * 1024 * 1024));
    raised.put("log-segment-bytes", "1048576");
    assertThat(NodeConfig.parse(raised).logSegmentBytes()).isEqualTo(1048576);
  }

  @Test
  void unknownSettingIsRefused() {
    assertRefused(with("shard-cuont", "8"), "shard-cuont");
  }

  @Test
  void readFileLoadsAPropertiesFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.properties");
    Files.write(file, List.of(
        "# a node",
        "node-id = n2",
        "peers = " + PEERS,
        "shard-count = 16",
        "leader-lease = true"));

    Map<String, String> settings = NodeConfig.readFile(file);
    NodeConfig c = NodeConfig.parse(settings);

    assertThat(settings).containsOnlyKeys("node-id", "peers", "shard-count", "leader-lease");
    assertThat(c.nodeId()).isEqualTo("n2");
    assertThat(c.peers()).hasSize(3);
    assertThat(c.shardCount()).isEqualTo(16);
    assertThat(c.leaderLease()).isTrue();
    assertThat(c.dataDir()).isEqualTo(Path.of("data/n2"));
  }

  @Test
  void readFileOfAMissingFileNamesTheConfig(@TempDir Path dir) {
    assertThatThrownBy(() -> NodeConfig.readFile(dir.resolve("absent.properties")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.setting()).isEqualTo("config"))
        .hasMessageStartingWith("config: ");
  }

  @Test
  void anUnknownNameInAFileIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.properties");
    Files.write(file, List.of("node-id=n1", "peers=" + PEERS, "replicas=3"));
    assertRefused(NodeConfig.readFile(file), "replicas");
  }

  @Test
  void autoShardCountIsOnePerDistinctHostWithEveryLoopbackAddressAsOne() {
    Map<String, String> s = minimal();
    s.put("peers", "n1=db1.example:7000,n2=db2.example:7000,n3=DB3.example:7000");
    assertThat(NodeConfig.parse(s).shardCount()).as("three machines").isEqualTo(3);
    s.put("peers", "n1=10.0.0.1:7000,n2=10.0.0.1:7001,n3=10.0.0.2:7000,n4=[fd00::1]:7000,n5=db5:7000");
    assertThat(NodeConfig.parse(s).shardCount()).as("two nodes on 10.0.0.1").isEqualTo(4);
    s.put("peers", "n1=127.0.0.1:7000,n2=127.0.0.2:7000,n3=localhost:7002,n4=[::1]:7003");
    assertThat(NodeConfig.parse(s).shardCount()).as("all on this machine").isEqualTo(1);
    s.put("peers", "n1=db1.example:7000,n2=db1.example:7001,n3=db1.example:7002");
    assertThat(NodeConfig.parse(s).shardCount()).as("one machine by name").isEqualTo(1);
    s.put("shard-count", "3");
    assertThat(NodeConfig.parse(s).shardCount()).as("a number is taken as given").isEqualTo(3);
  }
}
