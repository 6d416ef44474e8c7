package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orchiddb.cli.OrchidCli;
import io.orchiddb.router.DevCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orchiddb bench} end to end against a real 3-node cluster and router in this JVM
 * (in-memory Raft logs, 2 shards): a prefilled get run finds every key, put, mixed Zipfian and
 * open-loop runs complete without errors, and each run appends one JSON line with its results.
 * Runs are bounded by op counts; nothing asserts on timing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private String router;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir.resolve("data"), 3, 0, Map.of("storage", "memory", "shard-count", "2"),
        Map.of("grpc-port", "0", "http-port", "0"));
    router = "127.0.0.1:" + cluster.router().grpcPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Runs {@code orchiddb <args>} against the cluster and returns the JSON line it appended. */
  private JsonNode bench(Path json, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--router", router, "--json", json.toString(), "--warmup", "0s", "--seed", "11",
        "--timeout", "20s", "--label", "BenchIT"));
    assertThat(OrchidCli.commandLine().execute(all.toArray(String[]::new))).isZero();
    List<String> lines = Files.readAllLines(json, StandardCharsets.UTF_8);
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  @Test
  void prefilledGetsFindEveryKey() throws Exception {
    Path json = dir.resolve("get.jsonl");
    JsonNode run = bench(json, "bench", "get", "--prefill", "--keys", "500", "--ops", "300", "-c", "8",
        "--key-prefix", "it-get/", "--consistency", "session");
    assertThat(run.get("workload").asText()).isEqualTo("get");
    assertThat(run.get("consistency").asText()).isEqualTo("session");
    JsonNode res = run.get("results");
    assertThat(res.get("ops").asLong()).isEqualTo(300);
    assertThat(res.get("errors_total").asLong()).isZero();
    assertThat(res.get("not_found").asLong()).isZero();
    assertThat(res.get("latency_ms").get("get").get("count").asLong()).isEqualTo(300);
  }

  @Test
  void withTheRoutersMetricsARunReportsTheRaftEntriesItsPutsTookAndWhatEachCarried() throws Exception {
    Path json = dir.resolve("metrics.jsonl");
    JsonNode run = bench(json, "bench", "put", "--keys", "1000", "--ops", "200", "-c", "16", "--key-prefix", "it-metrics/",
        "--metrics", "http://127.0.0.1:" + cluster.router().httpPort() + "/metrics");
    JsonNode server = run.get("server");
    assertThat(server).as("the router's side of the run").isNotNull();
    // Every measured put was one transaction in some entry; requests still in flight at the end may add a few.
    assertThat(server.get("txns").asLong()).isBetween(200L, 216L);
    assertThat(server.get("raft_entries").asLong()).isBetween(1L, server.get("txns").asLong());
    assertThat(server.get("txns_per_entry").asDouble()).isGreaterThanOrEqualTo(1.0);
    assertThat(server.get("read_requests").asLong()).as("a put run reads nothing").isZero();
  }

  @Test
  void putMixedAndOpenLoopRunsComplete() throws Exception {
    Path json = dir.resolve("runs.jsonl");
    bench(json, "bench", "put", "--keys", "1000", "--ops", "200", "-c", "16", "--key-prefix", "it-put/");
    bench(json, "bench", "mixed", "--read-percent", "70", "--key-dist", "zipfian", "--keys", "1000", "--ops", "200",
        "-c", "4", "--key-prefix", "it-put/", "--consistency", "eventual");
    bench(json, "bench", "put", "--rate", "200", "--ops", "100", "-c", "32", "--key-prefix", "it-rate/");
    List<String> lines = Files.readAllLines(json, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      JsonNode res = JSON.readTree(line).get("results");
      assertThat(res.get("errors_total").asLong()).isZero();
      assertThat(res.get("abandoned").asLong()).isZero();
    }
    assertThat(JSON.readTree(lines.get(0)).get("results").get("ops").asLong()).isEqualTo(200);
    JsonNode mixed = JSON.readTree(lines.get(1)).get("results").get("latency_ms");
    assertThat(mixed.get("get").get("count").asLong() + mixed.get("put").get("count").asLong()).isEqualTo(200);
    JsonNode rate = JSON.readTree(lines.get(2));
    assertThat(rate.get("rate").asLong()).isEqualTo(200);
    assertThat(rate.get("results").get("ops").asLong()).isEqualTo(100);
  }
}
