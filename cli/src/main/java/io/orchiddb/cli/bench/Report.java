package io.orchiddb.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of a run, for people (a few aligned lines) and for machines (one JSON object per
 * line, every parameter and every result, so runs can be compared and tabulated later). Pure
 * formatting, apart from {@link #appendJsonLine}.
 */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Percentiles reported, with their names in text and JSON. */
  private static final double[] PERCENTILES = {50, 90, 99, 99.9};
  private static final String[] PERCENTILE_KEYS = {"p50", "p90", "p99", "p99_9"};

  private Report() {}

  static String text(BenchConfig c, Results r) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "orchiddb bench: %s at %s, workload %s, %,d keys %s, %,d B values%n",
        lower(c.target()), String.join(",", c.endpoints()), workload(c), c.keys(), keyDist(c), c.valueBytes()));
    out.append(String.format(Locale.ROOT, "  concurrency %d%s, %s%s, %s after %s warm-up, seed %d%n",
        c.concurrency(), c.putsPerRequest() > 1 ? " (" + c.putsPerRequest() + " puts per request)" : "", c.closedLoop() ? "closed loop" : "open loop at " + c.rateOpsPerSec() + " ops/s",
        c.workload() == BenchConfig.Workload.PUT ? "" : ", " + lower(c.consistency()) + " reads", c.duration() != null ? "measured " + BenchConfig.format(c.duration())
            : String.format(Locale.ROOT, "%,d ops measured", c.ops()),
        BenchConfig.format(c.warmup()), c.seed()));
    out.append(String.format(Locale.ROOT, "Throughput  %,.1f ops/s  (%,d ops in %.2f s; %,d errors",
        r.opsPerSec(), r.ops(), r.elapsedSeconds(), r.errorsTotal()));
    if (r.latencyByOp().containsKey(LoadRun.Op.GET)) {
      out.append(String.format(Locale.ROOT, "; %,d gets found no key", r.notFound()));
      if (r.cachedGets() > 0) {
        out.append(String.format(Locale.ROOT, "; %,d gets answered by the router's read cache", r.cachedGets()));
      }
    }
    if (r.abandoned() > 0) {
      out.append(String.format(Locale.ROOT, "; %,d requests still in flight were abandoned", r.abandoned()));
    }
    out.append(")\n");
    if (r.ops() > 0) {
      out.append(String.format(Locale.ROOT, "Latency ms %9s %9s %9s %9s %9s %9s%n", "p50", "p90", "p99", "p99.9", "max", "mean"));
    }
    r.latencyByOp().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append(latencyRow(lower(e.getKey()), e.getValue())));
    if (r.latencyByOp().size() > 1) {
      out.append(latencyRow("all", r.all()));
    }
    if (r.errorsTotal() > 0) {
      out.append("Errors\n");
      r.errors().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.append(String.format(
          Locale.ROOT, "  %-40s %,10d  first: %s%n", e.getKey(), e.getValue(), r.errorSamples().get(e.getKey()))));
    }
    return out.toString();
  }

  /** The cluster's side of a run ({@code --metrics}): Raft entries and read requests, and what they carried. */
  static String serverText(ServerCounters d) {
    return String.format(Locale.ROOT, "Router     %,.0f Raft entries carrying %,.0f transactions (%s per entry);"
        + " %,.0f read requests carrying %,.0f gets (%s per request); warm-up included%n",
        d.entries(), d.txns(), ratio(d.txns(), d.entries()), d.readRequests(), d.gets(), ratio(d.gets(), d.readRequests()));
  }

  /** The same as JSON fields; the ratios are null when there was nothing to divide by. */
  static Map<String, Object> serverJson(ServerCounters d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("raft_entries", Math.round(d.entries()));
    m.put("txns", Math.round(d.txns()));
    m.put("txns_per_entry", d.entries() > 0 ? round3(d.txns() / d.entries()) : null);
    m.put("read_requests", Math.round(d.readRequests()));
    m.put("gets", Math.round(d.gets()));
    m.put("gets_per_request", d.readRequests() > 0 ? round3(d.gets() / d.readRequests()) : null);
    return m;
  }

  private static String ratio(double of, double per) {
    return per > 0 ? String.format(Locale.ROOT, "%.1f", of / per) : "-";
  }

  private static String latencyRow(String name, Histogram h) {
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-8s", name));
    for (double p : PERCENTILES) {
      row.append(String.format(Locale.ROOT, " %9.3f", ms(h.getValueAtPercentile(p))));
    }
    row.append(String.format(Locale.ROOT, " %9.3f %9.3f%n", ms(h.getMaxValue()), h.getMean() / 1000.0));
    return row.toString();
  }

  /** Every parameter and result of a run, as an ordered map ready for JSON. */
  static Map<String, Object> json(BenchConfig c, Results r, Instant started, String label) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", started.toString());
    m.put("tool", "orchiddb bench");
    m.put("label", label);
    m.put("target", lower(c.target()));
    m.put("endpoints", c.endpoints());
    m.put("workload", lower(c.workload()));
    m.put("read_percent", c.readPercent());
    m.put("keys", c.keys());
    m.put("value_bytes", c.valueBytes());
    m.put("key_dist", lower(c.keyDist()));
    m.put("zipf_theta", c.keyDist() == BenchConfig.KeyDist.ZIPFIAN ? c.zipfTheta() : null);
    m.put("concurrency", c.concurrency());
    m.put("consistency", lower(c.consistency()));
    m.put("duration_s", c.duration() == null ? null : c.duration().toMillis() / 1000.0);
    m.put("ops_limit", c.ops() == 0 ? null : c.ops());
    m.put("warmup_s", c.warmup().toMillis() / 1000.0);
    m.put("rate", c.rateOpsPerSec());
    m.put("prefill", c.prefill());
    m.put("seed", c.seed());
    m.put("timeout_ms", c.timeout().toMillis());
    m.put("key_prefix", c.keyPrefix());
    m.put("coalesce_gets", c.target() == BenchConfig.Target.ORCHIDDB ? c.coalesceGets() : null);
    m.put("pipeline", c.target() == BenchConfig.Target.ORCHIDDB ? c.pipeline() : null);
    m.put("puts_per_request", c.putsPerRequest());

    Map<String, Object> res = new LinkedHashMap<>();
    res.put("ops", r.ops());
    res.put("elapsed_s", round3(r.elapsedSeconds()));
    res.put("ops_per_s", round3(r.opsPerSec()));
    res.put("not_found", r.notFound());
    res.put("cached_gets", r.cachedGets());
    res.put("errors_total", r.errorsTotal());
    res.put("errors", r.errors());
    res.put("warmup_ops", r.warmupOps());
    res.put("abandoned", r.abandoned());
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("all", latencyJson(r.all()));
    r.latencyByOp().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> latency.put(lower(e.getKey()), latencyJson(e.getValue())));
    res.put("latency_ms", latency);
    m.put("results", res);
    return m;
  }

  private static Map<String, Object> latencyJson(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    m.put("mean", round3(h.getMean() / 1000.0));
    for (int i = 0; i < PERCENTILES.length; i++) {
      m.put(PERCENTILE_KEYS[i], ms(h.getValueAtPercentile(PERCENTILES[i])));
    }
    m.put("max", ms(h.getMaxValue()));
    return m;
  }

  static String jsonLine(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a bench report must serialise: " + e.getMessage(), e);
    }
  }

  /** Appends one line; the file is created if needed. One write call, so runs never interleave mid-line. */
  static void appendJsonLine(Path file, String line) throws IOException {
    Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  private static double round3(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String workload(BenchConfig c) {
    return c.workload() == BenchConfig.Workload.MIXED ? "mixed (" + c.readPercent() + "% gets)" : lower(c.workload());
  }

  private static String keyDist(BenchConfig c) {
    return c.keyDist() == BenchConfig.KeyDist.ZIPFIAN ? "zipfian (theta " + c.zipfTheta() + ")" : "uniform";
  }
}
