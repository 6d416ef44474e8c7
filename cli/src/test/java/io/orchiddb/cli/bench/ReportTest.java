package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orchiddb.client.Consistency;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's two forms from fixed histograms: the text table has the promised rows and columns,
 * and the JSON line carries every parameter and result under stable names, parses back, and
 * appends one line per run.
 */
class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static BenchConfig config() {
    return new BenchConfig(BenchConfig.Target.ORCHIDDB, List.of("127.0.0.1:4207"), BenchConfig.Workload.MIXED, 90,
        100_000, 100, BenchConfig.KeyDist.ZIPFIAN, 0.99, 64, Consistency.SESSION, Duration.ofSeconds(30), 0,
        Duration.ofSeconds(5), 0, true, 42, Duration.ofSeconds(10), "bench/", null, true, true, 1);
  }

  /** Puts at 1..1000 ms, gets at 1..100 ms (one of each per value), over 10 s. */
  private static Results results() {
    Histogram put = new Histogram(LoadRun.LATENCY_US_MAX, 3);
    Histogram get = new Histogram(LoadRun.LATENCY_US_MAX, 3);
    for (int ms = 1; ms <= 1000; ms++) {
      put.recordValue(ms * 1000L);
      if (ms <= 100) {
        get.recordValue(ms * 1000L);
      }
    }
    Histogram all = new Histogram(LoadRun.LATENCY_US_MAX, 3);
    all.add(put);
    all.add(get);
    return new Results(Map.of(LoadRun.Op.PUT, put, LoadRun.Op.GET, get), all, 10_000_000_000L, 7, 5,
        Map.of("UnavailableException/NO_QUORUM", 3L), Map.of("UnavailableException/NO_QUORUM", "no quorum"), 500, 0);
  }

  @Test
  void textHasThroughputAndAPercentileRowPerOperation() {
    String text = Report.text(config(), results());
    assertThat(text).contains("workload mixed (90% gets)", "zipfian (theta 0.99)", "concurrency 64, closed loop",
        "session reads", "measured 30s after 5s warm-up, seed 42");
    assertThat(text).contains("Throughput  110.0 ops/s  (1,100 ops in 10.00 s; 3 errors; 7 gets found no key;"
        + " 5 gets answered by the router's read cache)");
    assertThat(text).containsPattern("Latency ms +p50 +p90 +p99 +p99\\.9 +max +mean");
    assertThat(text).containsPattern("\\n  get +50\\.0\\d\\d +90\\.\\d+ +99\\.\\d+ +100\\.\\d+ +100\\.\\d+ +50\\.5");
    assertThat(text).containsPattern("\\n  put +500\\.\\d+ +900\\.\\d+ +990\\.\\d+ +999\\.\\d+ +1000\\.\\d+ +500\\.5");
    assertThat(text).containsPattern("\\n  all +");
    assertThat(text).contains("UnavailableException/NO_QUORUM", "first: no quorum");
  }

  @Test
  void jsonCarriesEveryParameterAndResult() throws Exception {
    String line = Report.jsonLine(Report.json(config(), results(), Instant.parse("2026-11-25T18:00:00Z"), "PRELIMINARY"));
    assertThat(line).doesNotContain("\n");
    JsonNode run = JSON.readTree(line);
    assertThat(run.fieldNames()).toIterable().containsExactly("time", "tool", "label", "target", "endpoints",
        "workload", "read_percent", "keys", "value_bytes", "key_dist", "zipf_theta", "concurrency", "consistency",
        "duration_s", "ops_limit", "warmup_s", "rate", "prefill", "seed", "timeout_ms", "key_prefix", "coalesce_gets", "pipeline", "puts_per_request",
        "results");
    assertThat(run.get("time").asText()).isEqualTo("2026-11-25T18:00:00Z");
    assertThat(run.get("label").asText()).isEqualTo("PRELIMINARY");
    assertThat(run.get("workload").asText()).isEqualTo("mixed");
    assertThat(run.get("consistency").asText()).isEqualTo("session");
    assertThat(run.get("zipf_theta").asDouble()).isEqualTo(0.99);
    assertThat(run.get("duration_s").asDouble()).isEqualTo(30.0);
    assertThat(run.get("ops_limit").isNull()).isTrue();
    assertThat(run.get("coalesce_gets").asBoolean()).isTrue();
    assertThat(run.get("pipeline").asBoolean()).isTrue();
    assertThat(run.get("puts_per_request").asInt()).isEqualTo(1);
    JsonNode res = run.get("results");
    assertThat(res.get("ops").asLong()).isEqualTo(1100);
    assertThat(res.get("ops_per_s").asDouble()).isEqualTo(110.0);
    assertThat(res.get("errors").get("UnavailableException/NO_QUORUM").asLong()).isEqualTo(3);
    assertThat(res.get("errors_total").asLong()).isEqualTo(3);
    assertThat(res.get("not_found").asLong()).isEqualTo(7);
    assertThat(res.get("cached_gets").asLong()).isEqualTo(5);
    JsonNode put = res.get("latency_ms").get("put");
    assertThat(put.fieldNames()).toIterable().containsExactly("count", "mean", "p50", "p90", "p99", "p99_9", "max");
    assertThat(put.get("count").asLong()).isEqualTo(1000);
    assertThat(put.get("p50").asDouble()).isBetween(499.0, 501.0);
    assertThat(put.get("max").asDouble()).isBetween(999.0, 1001.0);
    assertThat(res.get("latency_ms").get("all").get("count").asLong()).isEqualTo(1100);
  }

  @Test
  void appendsOneLinePerRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("runs.jsonl");
    String line = Report.jsonLine(Report.json(config(), results(), Instant.EPOCH, null));
    Report.appendJsonLine(file, line);
    Report.appendJsonLine(file, line);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    for (String l : lines) {
      assertThat(JSON.readTree(l).get("results").get("ops").asLong()).isEqualTo(1100);
    }
  }
}
