package io.orchiddb.cli.bench;

import io.orchiddb.client.Consistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything that defines a bench run, checked: a config that exists is valid. Each problem is
 * reported as an {@link IllegalArgumentException} whose message starts with the flag to fix.
 *
 * @param target what to load: OrchidDB (through its Java SDK) or etcd
 * @param endpoints routers ({@code host:port}) for OrchidDB, client URLs for etcd
 * @param workload put, get or mixed
 * @param readPercent for mixed: the share of gets, 0..100; for put 0 and for get 100
 * @param keys key space size: keys are {@code keyPrefix} + a 10-digit index in [0, keys)
 * @param valueBytes size of every value written
 * @param keyDist how keys are chosen
 * @param zipfTheta the Zipfian skew (used only with {@link KeyDist#ZIPFIAN})
 * @param concurrency the most requests in flight at once
 * @param consistency of gets
 * @param duration how long to measure after the warm-up; null when {@code ops} bounds the run
 * @param ops how many requests to measure after the warm-up; 0 when {@code duration} bounds it
 * @param warmup how long to run before measuring (not recorded)
 * @param rateOpsPerSec 0 for a closed loop, else the open-loop target rate
 * @param prefill write every key of the key space (in batches) before the run
 * @param seed of the key and value generators
 * @param timeout deadline of each request
 * @param keyPrefix prefix of every key
 * @param json file to append one JSON line per run to, or null
 * @param coalesceGets OrchidDB: whether the SDK sends concurrent gets together (its default)
 * @param pipeline OrchidDB: whether the SDK sends single-key requests on one stream (its default)
 * @param putsPerRequest puts each put request carries: 1 is a plain put; more is one batch
 *     ({@link Driver#putAll}: OrchidDB's Batch, etcd's Txn), counted as that many ops
 */
public record BenchConfig(
    Target target, List<String> endpoints, Workload workload, int readPercent, long keys,
    int valueBytes, KeyDist keyDist, double zipfTheta, int concurrency, Consistency consistency,
    Duration duration, long ops, Duration warmup, long rateOpsPerSec, boolean prefill, long seed,
    Duration timeout, String keyPrefix, Path json, boolean coalesceGets, boolean pipeline,
    int putsPerRequest) {

  /** Bounds on every knob: the tool refuses what it cannot run sensibly on one machine. */
  static final long KEYS_MAX = 100_000_000L;
  static final int VALUE_BYTES_MAX = 16 * 1024 * 1024;
  static final int CONCURRENCY_MAX = 10_000;
  static final long RATE_OPS_PER_SEC_MAX = 10_000_000L;
  static final Duration DURATION_MAX = Duration.ofHours(24);
  static final long OPS_MAX = 1_000_000_000_000L;
  static final Duration TIMEOUT_MAX = Duration.ofHours(1);
  static final int KEY_PREFIX_BYTES_MAX = 256;
  /** Most puts in one request: OrchidDB's batch-ops-max default, and what etcd's Txn takes by default. */
  static final int PUTS_PER_REQUEST_MAX = 128;
  /** Digits of the key index: enough for {@link #KEYS_MAX}. */
  static final int KEY_INDEX_DIGITS = 10;

  public enum Target { ORCHIDDB, ETCD }

  public enum Workload { PUT, GET, MIXED }

  public enum KeyDist { UNIFORM, ZIPFIAN }

  public BenchConfig {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(keyDist, "keyDist");
    Objects.requireNonNull(consistency, "consistency");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    endpoints = List.copyOf(endpoints);
    check(!endpoints.isEmpty(), target == Target.ETCD ? "--endpoints" : "--router", "at least one endpoint is required");
    switch (workload) {
      case PUT -> check(readPercent == 0, "--read-percent", "only applies to the mixed workload");
      case GET -> check(readPercent == 100, "--read-percent", "only applies to the mixed workload");
      case MIXED -> check(readPercent >= 0 && readPercent <= 100, "--read-percent", "must be between 0 and 100, got " + readPercent);
    }
    check(keys >= 1 && keys <= KEYS_MAX, "--keys", "must be between 1 and " + KEYS_MAX + ", got " + keys);
    check(valueBytes >= 1 && valueBytes <= VALUE_BYTES_MAX, "--value-bytes",
        "must be between 1 and " + VALUE_BYTES_MAX + ", got " + valueBytes);
    check(zipfTheta > 0 && zipfTheta < 1, "--zipf-theta", "must be in (0, 1), got " + zipfTheta);
    check(concurrency >= 1 && concurrency <= CONCURRENCY_MAX, "--concurrency",
        "must be between 1 and " + CONCURRENCY_MAX + ", got " + concurrency);
    if (duration != null) {
      check(ops == 0, "--duration", "give either --duration or --ops, not both");
      check(!duration.isNegative() && !duration.isZero() && duration.compareTo(DURATION_MAX) <= 0, "--duration",
          "must be positive and at most " + format(DURATION_MAX) + ", got " + format(duration));
    } else {
      check(ops >= 1 && ops <= OPS_MAX, "--ops", "must be between 1 and " + OPS_MAX + ", got " + ops);
    }
    check(!warmup.isNegative() && warmup.compareTo(DURATION_MAX) <= 0, "--warmup",
        "must be between 0s and " + format(DURATION_MAX) + ", got " + format(warmup));
    check(rateOpsPerSec >= 0 && rateOpsPerSec <= RATE_OPS_PER_SEC_MAX, "--rate",
        "must be between 0 (closed loop) and " + RATE_OPS_PER_SEC_MAX + ", got " + rateOpsPerSec);
    check(!timeout.isNegative() && !timeout.isZero() && timeout.compareTo(TIMEOUT_MAX) <= 0, "--timeout",
        "must be positive and at most " + format(TIMEOUT_MAX) + ", got " + format(timeout));
    check(putsPerRequest >= 1 && putsPerRequest <= PUTS_PER_REQUEST_MAX, "--puts-per-request",
        "must be between 1 and " + PUTS_PER_REQUEST_MAX + ", got " + putsPerRequest);
    if (putsPerRequest > 1) {
      check(workload != Workload.GET, "--puts-per-request", "only applies to the put and mixed workloads");
      check(ops == 0, "--puts-per-request", "--ops counts requests; measure a --duration instead");
      check(rateOpsPerSec == 0, "--puts-per-request", "closed loop only (--rate counts requests)");
      check(keys >= putsPerRequest, "--puts-per-request", "a request's puts have distinct keys, so at most --keys ("
          + keys + ")");
    }
    check(keyPrefix.length() <= KEY_PREFIX_BYTES_MAX, "--key-prefix", "must be at most " + KEY_PREFIX_BYTES_MAX + " characters");
  }

  private static void check(boolean ok, String flag, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(flag + ": " + problem);
    }
  }

  /** The key distribution this config asks for. */
  KeyDistribution keyDistribution() {
    return keyDist == KeyDist.UNIFORM ? KeyDistribution.uniform(keys) : new ZipfianGenerator(keys, zipfTheta);
  }

  boolean closedLoop() {
    return rateOpsPerSec == 0;
  }

  /** Parses {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or {@code 0}. */
  static Duration parseDuration(String flag, String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(flag + ": expected a duration such as 30s, 500ms, 2m or 1h, got '" + text + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": number too large in '" + text + "'");
    }
    String unit = m.group(2) == null ? "" : m.group(2);
    if (unit.isEmpty() && n != 0) {
      throw new IllegalArgumentException(flag + ": give a unit (ms, s, m or h), e.g. " + n + "s");
    }
    try {
      return switch (unit) {
        case "", "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> throw new IllegalStateException("unit " + unit);
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(flag + ": number too large in '" + text + "'");
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

  /** {@code 30s}, {@code 1500ms}, {@code 2m}: the shortest exact form. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms != 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms != 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
