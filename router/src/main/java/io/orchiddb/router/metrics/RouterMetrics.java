package io.orchiddb.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orchiddb.node.metrics.JvmMeters;
import io.orchiddb.router.shard.RouterException;
import java.io.Closeable;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The router's metrics (Micrometer), served in Prometheus's text format at {@code GET /metrics}
 * on the HTTP gateway. What they are and what they mean is in the README ("Metrics"); the names
 * here are Micrometer's, which the Prometheus registry turns into {@code orchiddb_router_…} with
 * the unit appended.
 *
 * <ul>
 *   <li>{@value #REQUESTS}: every API call the router handles (gRPC and HTTP alike), by operation, read
 *       consistency ({@code none} for writes) and outcome ({@code ok}, or the error reason of the
 *       public API in lower case, such as {@code condition_failed}), as a histogram of latency.
 *   <li>{@value #ENTRY_TXNS}: the transactions each Raft entry proposed to a shard carried: the
 *       router's write coalescing at work (a Raft entry costs the cluster far more than an op).
 *   <li>{@value #READ_BATCH_GETS}: the gets each read request to a node carried, by read level.
 *   <li>{@value #CACHE_ANSWERS}, {@value #CACHE_ENTRIES}, {@value #CACHE_BYTES}: the EVENTUAL read
 *       cache: gets it answered (divided by the EVENTUAL gets, its hit rate) and its size.
 *   <li>{@value #CONNECTIONS}, {@value #CONNECTIONS_REFUSED}: open client connections by
 *       {@code server} ({@code grpc}, {@code http}), within grpc-connections-max and
 *       http-connections-max, and the connections refused for being beyond them.
 *   <li>{@value #LOCAL_READS}: read requests (each carrying one or more gets) that the node the
 *       router runs in answered in-process, with no network hop ({@code orchiddb node --router}).
 *   <li>The JVM and the process ({@link JvmMeters}).
 * </ul>
 *
 * <p>The meters on the request path are looked up once and kept, so recording one costs a few
 * counter updates and no lookup. {@link #disabled()} records nothing (for tests of classes that
 * need a RouterMetrics but not its numbers).
 *
 * <p>Thread-safe.
 */
public final class RouterMetrics implements Closeable {
  static final String REQUESTS = "orchiddb.router.requests";
  static final String ENTRY_TXNS = "orchiddb.router.write.entry.txns";
  static final String READ_BATCH_GETS = "orchiddb.router.read.batch.gets";
  static final String CACHE_ANSWERS = "orchiddb.router.read.cache.answers";
  static final String CACHE_ENTRIES = "orchiddb.router.read.cache.entries";
  static final String CACHE_BYTES = "orchiddb.router.read.cache.size";
  static final String CONNECTIONS = "orchiddb.router.connections";
  static final String CONNECTIONS_REFUSED = "orchiddb.router.connections.refused";
  static final String LOCAL_READS = "orchiddb.router.local.reads";
  static final String LOCAL_WRITES = "orchiddb.router.local.writes";
  static final String LOCAL_WRITES_RESENT = "orchiddb.router.local.writes.resent";

  /** Latency buckets of {@value #REQUESTS}: from a cached read to a request at its timeout. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1).dividedBy(4), Duration.ofMillis(1).dividedBy(2), Duration.ofMillis(1),
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  /** Buckets of the batch-size summaries: powers of two up to the largest batch (4,096 ops per entry). */
  static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

  /** The public API's calls. */
  public enum Op { GET, GET_MANY, SCAN, PUT, PUT_MANY, DELETE, BATCH }

  /** The read consistency a call asked for; NONE for writes. */
  public enum Level { STRONG, SESSION, EVENTUAL, NONE }

  /** The outcomes a call can have: {@code ok}, then each of the public API's error reasons. */
  private static final int OUTCOMES = 1 + RouterException.Reason.values().length;

  private final MeterRegistry registry;
  /** Null when disabled. */
  private final PrometheusMeterRegistry prometheus;
  private final JvmMeters jvm;
  /** Timers by (op, level, outcome), registered on first use. */
  private final AtomicReferenceArray<Timer> timers =
      new AtomicReferenceArray<>(Op.values().length * Level.values().length * OUTCOMES);

  private RouterMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, JvmMeters jvm) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.jvm = jvm;
  }

  /** Metrics served at /metrics, with the JVM's and the process's. */
  public static RouterMetrics prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new RouterMetrics(registry, registry, JvmMeters.bind(registry));
  }

  /** Metrics that record nothing. */
  public static RouterMetrics disabled() {
    return new RouterMetrics(new CompositeMeterRegistry(), null, null);
  }

  /**
   * Records one finished call.
   *
   * @param failure the public API's reason the call failed with, null when it succeeded (outcome {@code ok})
   */
  public void request(Op op, Level level, RouterException.Reason failure, long nanos) {
    int outcome = failure == null ? 0 : 1 + failure.ordinal();
    int i = (op.ordinal() * Level.values().length + level.ordinal()) * OUTCOMES + outcome;
    Timer t = timers.get(i);
    if (t == null) {
      t = Timer.builder(REQUESTS)
          .description("Public API calls (gRPC and HTTP) by operation, read consistency and outcome")
          .tag("op", tag(op)).tag("consistency", tag(level)).tag("outcome", failure == null ? "ok" : tag(failure))
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(registry);
      timers.set(i, t); // registering twice returns the same timer, so a race is harmless
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The read cache's meters: its size now ({@value #CACHE_ENTRIES}, {@value #CACHE_BYTES}; not
   * registered when there is no cache, both suppliers null) and the counter of gets it answered
   * ({@value #CACHE_ANSWERS}), which the router increments.
   */
  public Counter readCache(LongSupplier entries, LongSupplier bytes) {
    if (entries != null) {
      // Strong references: a gauge holds its object weakly by default, and these suppliers are
      // method references nobody else keeps, so after a collection the gauge would read NaN.
      Gauge.builder(CACHE_ENTRIES, entries, LongSupplier::getAsLong).strongReference(true)
          .description("Answers in the EVENTUAL read cache (write fences are kept apart and not counted)").register(registry);
      Gauge.builder(CACHE_BYTES, bytes, LongSupplier::getAsLong).strongReference(true).baseUnit("bytes")
          .description("Bytes the EVENTUAL read cache holds, as read-cache-bytes counts them").register(registry);
    }
    return Counter.builder(CACHE_ANSWERS)
        .description("EVENTUAL gets answered from the router's read cache, without asking a replica")
        .register(registry);
  }

  /**
   * One server's connection places under its limit, with their meters: the connections it serves
   * now ({@value #CONNECTIONS}) and those refused beyond the limit ({@value #CONNECTIONS_REFUSED}).
   *
   * @param server {@code grpc} or {@code http}
   */
  public ConnectionPlaces connections(String server, int max) {
    AtomicInteger open = new AtomicInteger();
    Gauge.builder(CONNECTIONS, open, AtomicInteger::get).strongReference(true).tag("server", server)
        .description("Client connections the router serves now, within its connection limit").register(registry);
    Counter refused = Counter.builder(CONNECTIONS_REFUSED).tag("server", server)
        .description("Client connections refused for being beyond the router's connection limit")
        .register(registry);
    return new ConnectionPlaces(max, open, refused);
  }

  /** The summary of transactions per Raft entry proposed to {@code shardId}. */
  public DistributionSummary entryTxns(int shardId) {
    return DistributionSummary.builder(ENTRY_TXNS)
        .description("Transactions carried by each Raft entry the router proposed to a shard")
        .tag("shard", Integer.toString(shardId))
        .serviceLevelObjectives(BATCH_BUCKETS)
        .register(registry);
  }

  /** The summary of gets per read request to {@code node} at one read level. */
  public DistributionSummary readBatchGets(String node, boolean linearizable) {
    return DistributionSummary.builder(READ_BATCH_GETS)
        .description("Gets carried by each read request the router sent to a node")
        .tag("node", node).tag("level", linearizable ? "linearizable" : "stale")
        .serviceLevelObjectives(BATCH_BUCKETS)
        .register(registry);
  }

  /** The counter of read requests the node the router runs in answered in-process ({@value #LOCAL_READS}). */
  public Counter localReads() {
    return Counter.builder(LOCAL_READS)
        .description("Read requests answered in-process by the node this router runs in (orchiddb node --router)")
        .register(registry);
  }

  /**
   * The counter of Raft entries the router submitted in-process to the node it runs in, as that
   * node led the shard ({@value #LOCAL_WRITES}).
   */
  public Counter localWrites() {
    return Counter.builder(LOCAL_WRITES)
        .description("Raft entries submitted in-process to the node this router runs in while it led the group")
        .register(registry);
  }

  /**
   * The counter of sends, after the first, of entries submitted in-process ({@value
   * #LOCAL_WRITES_RESENT}): sent again, with the same call id, where the group's leader may be
   * after the node stopped leading or could not take them.
   */
  public Counter localWritesResent() {
    return Counter.builder(LOCAL_WRITES_RESENT)
        .description("Sends after the first of entries submitted in-process, to where the group's leader may be")
        .register(registry);
  }

  /** The metrics in Prometheus's text format (version 0.0.4); empty when disabled. */
  public String scrape() {
    return prometheus == null ? "" : prometheus.scrape();
  }

  static String tag(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    if (jvm != null) {
      jvm.close();
    }
    registry.close();
  }
}
