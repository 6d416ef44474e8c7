package io.orchiddb.cli.bench;

import io.orchiddb.client.Consistency;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code orchiddb bench}: load a cluster and report throughput and latency percentiles. Flags
 * follow etcd's {@code benchmark} tool where they overlap. Progress goes to stderr once a second;
 * the report to stdout; {@code --json} appends the whole run as one line. Exit codes: 0 when the
 * run completed (failed requests are counted, not fatal), 1 when nothing succeeded or the prefill
 * failed, 2 for bad flags.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Load a cluster with puts and/or gets and report throughput and latency percentiles. "
        + "Closed loop by default (--concurrency requests always in flight); --rate makes it an open loop "
        + "that records latency from each request's scheduled start.", ""},
    footer = {"", "Examples:",
        "  orchiddb bench put --concurrency 64 --duration 30s",
        "  orchiddb bench get --prefill --consistency eventual --key-dist zipfian",
        "  orchiddb bench put -c 64 --json runs.jsonl --label 'laptop, nothing else running'",
        "  orchiddb bench mixed --read-percent 90 --rate 2000 --concurrency 256",
        "  orchiddb bench put --target etcd --endpoints http://127.0.0.1:2379"})
public final class BenchCommand implements Callable<Integer> {
  /** Monotonic nanoseconds: phases, rates and latencies. */
  private final LongSupplier nanoClock;
  /** Wall time: only the run's start, as stored in the {@code --json} line. */
  private final InstantSource wallClock;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "put, get or mixed.")
  String workload;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "orchiddb", description = "orchiddb (default) or etcd.")
  String target;

  @Option(names = {"-r", "--router"}, paramLabel = "HOST:PORT[,...]", defaultValue = "${env:ORCHIDDB_ROUTER:-127.0.0.1:4207}",
      description = "OrchidDB routers' gRPC endpoints (default: $ORCHIDDB_ROUTER or ${DEFAULT-VALUE}).")
  String routers;

  @Option(names = "--endpoints", paramLabel = "URL[,...]", defaultValue = "http://127.0.0.1:2379",
      description = "etcd client URLs, with --target etcd (default: ${DEFAULT-VALUE}).")
  String endpoints;

  @Option(names = "--read-percent", paramLabel = "P", description = "mixed: percentage of gets, 0..100 (default: 50).")
  Integer readPercent;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "Key space size (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(names = "--value-bytes", paramLabel = "BYTES", defaultValue = "100", description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--key-dist", paramLabel = "DIST", defaultValue = "uniform", description = "uniform (default) or zipfian.")
  String keyDist;

  @Option(names = "--zipf-theta", paramLabel = "THETA", defaultValue = "0.99", description = "Zipfian skew in (0, 1) (default: ${DEFAULT-VALUE}, as YCSB).")
  double zipfTheta;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "16",
      description = "Most requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--consistency", paramLabel = "LEVEL", defaultValue = "strong",
      description = "Gets: strong (default), session or eventual. etcd: strong is linearizable, the others serializable.")
  String consistency;

  @Option(names = "--duration", paramLabel = "TIME", description = "Measure for this long after the warm-up, e.g. 30s, 2m (default: 30s).")
  String duration;

  @Option(names = "--ops", paramLabel = "N", description = "Measure this many requests after the warm-up, instead of --duration.")
  Long ops;

  @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "5s", description = "Run unmeasured first (default: ${DEFAULT-VALUE}).")
  String warmup;

  @Option(names = "--rate", paramLabel = "OPS/S", defaultValue = "0",
      description = "Open loop at this many requests per second; 0 = closed loop (default).")
  long rate;

  @Option(names = "--prefill", description = "Write every key once (batched) before the run.")
  boolean prefill;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of keys, operations and values (default: random; printed).")
  Long seed;

  @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", description = "Deadline per request (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--key-prefix", paramLabel = "PREFIX", defaultValue = "bench/", description = "Prefix of every key (default: ${DEFAULT-VALUE}).")
  String keyPrefix;

  @Option(names = "--json", paramLabel = "FILE", description = "Append the run (parameters and results) as one JSON line.")
  Path json;

  @Option(names = "--coalesce-gets", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "OrchidDB with --no-pipeline: the SDK sends concurrent gets together as one GetMany, as"
          + " applications without the pipeline get by default; --no-coalesce-gets sends every get as its own call.")
  boolean coalesceGets;

  @Option(names = "--pipeline", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "OrchidDB: the SDK sends gets, puts and deletes as ops of one stream to the router, as"
          + " applications do by default; --no-pipeline sends each as its own call.")
  boolean pipeline;

  @Option(names = "--puts-per-request", paramLabel = "N", defaultValue = "1",
      description = "Puts in each put request (default: 1). More than 1 sends each as one batch"
          + " (OrchidDB: Batch, atomic per shard; etcd: Txn) and counts it as N ops, each with the"
          + " request's latency; at most 128, closed loop with --duration only.")
  int putsPerRequest;

  @Option(names = "--metrics", paramLabel = "URL",
      description = "OrchidDB: the router's metrics (e.g. http://127.0.0.1:4206/metrics), read before and after the run"
          + " to report the Raft entries and read requests it cost and what each carried (every client of that"
          + " router counts, warm-up included).")
  String metrics;

  @Option(names = "--label", paramLabel = "TEXT", description = "Free text stored with the run in --json (e.g. the machine's state).")
  String label;

  /** The command on the real clocks (picocli makes it this way). */
  public BenchCommand() {
    this(System::nanoTime, InstantSource.system());
  }

  BenchCommand(LongSupplier nanoClock, InstantSource wallClock) {
    this.nanoClock = nanoClock;
    this.wallClock = wallClock;
  }

  /** Checks the flags and builds the run's config; the message names the flag at fault. */
  BenchConfig toConfig() {
    BenchConfig.Target t = parseEnum(BenchConfig.Target.class, "--target", target, "orchiddb or etcd");
    BenchConfig.Workload w = parseEnum(BenchConfig.Workload.class, "WORKLOAD", workload, "put, get or mixed");
    if (readPercent != null && w != BenchConfig.Workload.MIXED) {
      throw new IllegalArgumentException("--read-percent: only applies to the mixed workload");
    }
    int reads = switch (w) {
      case PUT -> 0;
      case GET -> 100;
      case MIXED -> readPercent == null ? 50 : readPercent;
    };
    boolean routerGiven = matched("--router");
    boolean endpointsGiven = matched("--endpoints");
    if (t == BenchConfig.Target.ETCD && routerGiven) {
      throw new IllegalArgumentException("--router: is for OrchidDB; give etcd's client URLs with --endpoints");
    }
    for (String sdkFlag : List.of("coalesce-gets", "pipeline")) {
      if (t == BenchConfig.Target.ETCD && (matched("--" + sdkFlag) || matched("--no-" + sdkFlag))) {
        throw new IllegalArgumentException("--[no-]" + sdkFlag + ": is for OrchidDB's SDK, not --target etcd");
      }
    }
    if (t == BenchConfig.Target.ORCHIDDB && endpointsGiven) {
      throw new IllegalArgumentException("--endpoints: is for --target etcd; give OrchidDB routers with --router");
    }
    List<String> list = Arrays.stream((t == BenchConfig.Target.ETCD ? endpoints : routers).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (ops != null && duration != null) {
      throw new IllegalArgumentException("--duration: give either --duration or --ops, not both");
    }
    Duration d = ops != null ? null : BenchConfig.parseDuration("--duration", duration == null ? "30s" : duration);
    return new BenchConfig(t, list, w, reads, keys, valueBytes,
        parseEnum(BenchConfig.KeyDist.class, "--key-dist", keyDist, "uniform or zipfian"), zipfTheta, concurrency,
        parseEnum(Consistency.class, "--consistency", consistency, "strong, session or eventual"),
        d, ops == null ? 0 : ops, BenchConfig.parseDuration("--warmup", warmup), rate, prefill,
        seed != null ? seed : new SplittableRandom().nextLong(), BenchConfig.parseDuration("--timeout", timeout),
        keyPrefix, json, coalesceGets, pipeline, putsPerRequest);
  }

  /** {@code --metrics} as a URL, or null when not given; the message names the flag at fault. */
  URI metricsUrl(BenchConfig.Target t) {
    if (metrics == null) {
      return null;
    }
    if (t != BenchConfig.Target.ORCHIDDB) {
      throw new IllegalArgumentException("--metrics: reads an OrchidDB router's metrics; not for --target etcd");
    }
    String bad = "--metrics: expected the router's metrics URL, such as http://127.0.0.1:4206/metrics, got '" + metrics + "'";
    URI url;
    try {
      url = new URI(metrics.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(bad);
    }
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException(bad);
    }
    return url;
  }

  private boolean matched(String option) {
    return spec != null && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String flag, String text, String allowed) {
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": must be " + allowed + ", got '" + text + "'");
    }
  }

  /** The router's counters, or null after a warning: a run is worth keeping without them. */
  private static ServerCounters scrapeOrWarn(HttpClient http, URI url, PrintStream progress) {
    try {
      return ServerCounters.scrape(http, url);
    } catch (IOException e) {
      progress.println("orchiddb bench: --metrics: cannot read " + url + " (" + e.getMessage() + "); no server-side counts");
      return null;
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    BenchConfig config;
    URI metricsUrl;
    try {
      config = toConfig();
      metricsUrl = metricsUrl(config.target());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream progress = System.err;
    Instant started = wallClock.instant();
    progress.println("orchiddb bench: " + config.workload().name().toLowerCase(Locale.ROOT) + " against "
        + config.target().name().toLowerCase(Locale.ROOT) + " " + String.join(",", config.endpoints())
        + ", seed " + config.seed() + " (rerun with --seed " + config.seed() + ")");
    Driver opened;
    try {
      opened = Drivers.open(config);
    } catch (IllegalArgumentException e) {
      // The client checks endpoint syntax when it is built; connections are made lazily.
      throw new CommandLine.ParameterException(spec.commandLine(),
          (config.target() == BenchConfig.Target.ETCD ? "--endpoints: " : "--router: ") + e.getMessage());
    }
    try (Driver driver = opened) {
      if (config.prefill()) {
        Prefill.run(driver, config, LoadRun.value(config.seed(), config.valueBytes()), nanoClock, progress);
      }
      HttpClient http = metricsUrl == null ? null : HttpClient.newHttpClient();
      ServerCounters before = http == null ? null : scrapeOrWarn(http, metricsUrl, progress);
      Results results = new LoadRun(config, driver, nanoClock, progress).run();
      ServerCounters after = before == null ? null : scrapeOrWarn(http, metricsUrl, progress);
      ServerCounters server = after == null ? null : after.since(before);
      System.out.print(Report.text(config, results));
      if (server != null) {
        System.out.print(Report.serverText(server));
      }
      System.out.flush();
      if (config.json() != null) {
        Map<String, Object> fields = Report.json(config, results, started, label);
        if (server != null) {
          fields.put("server", Report.serverJson(server));
        }
        Report.appendJsonLine(config.json(), Report.jsonLine(fields));
      }
      if (results.ops() == 0) {
        System.err.println("orchiddb bench: no request succeeded");
        return 1;
      }
      return 0;
    } catch (IllegalStateException e) {
      System.err.println("orchiddb bench: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      System.err.println("orchiddb bench: cannot write " + config.json() + ": " + e.getMessage());
      return 1;
    }
  }
}
