package io.orchiddb.cli.bench;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One load run: at most {@code concurrency} requests in flight, each completion (on the driver's
 * threads) recording its latency.
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@code rate == 0}): {@code concurrency} clients, each sending its next
 *       request from the completion of its last, on the thread that completed it; a request's
 *       latency counts from the moment it is drawn. No thread sits between a reply and the next
 *       request: handing each completion to an issuing thread and that thread's request back to
 *       the driver's event loop cost two thread wake-ups per request, a large part of a 0.1 ms
 *       request at concurrency 1 (issue 7, session 18).
 *   <li><b>Open loop</b> ({@code rate > 0}): a single issuing thread, with a semaphore bounding the
 *       requests in flight; request i is due at {@link RateSchedule#startOf(long)};
 *       the issuer waits for that time, then for a permit (so in-flight requests stay bounded), and
 *       the latency counts from the due time. When the target falls behind, waiting for permits
 *       shows up as latency instead of silently lowering the rate (no coordinated omission).
 * </ul>
 *
 * <p>Phases: requests due before {@code warmup} has passed are sent but not measured; from then
 * on, requests are measured until {@code duration} has passed or {@code ops} were sent, then the
 * run waits (bounded by the request timeout) for those in flight. Throughput is measured
 * successes over the time from the end of the warm-up to the last measured completion.
 *
 * <p>Operations and keys are drawn one at a time (under a lock in the closed loop), so the sequence
 * drawn is determined by the seed; which client sends which, and when, is not (at concurrency 1 the
 * send order is the draw order too). A progress line per second goes to {@code progress}.
 */
final class LoadRun {
  enum Op { PUT, GET }

  /** Latencies above an hour are recorded as an hour (requests time out long before). */
  static final long LATENCY_US_MAX = TimeUnit.HOURS.toMicros(1);
  static final int SIGNIFICANT_DIGITS = 3;
  /** Extra wait, past the request timeout, for requests in flight at the end. */
  private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final BenchConfig config;
  private final Driver driver;
  private final LongSupplier nanoClock;
  private final PrintStream progress;
  private final KeyDistribution keys;
  private final KeyFormat keyFormat;
  private final byte[] value;
  private final SplittableRandom random;
  private final Semaphore permits;

  private final Map<Op, Recorder> measured = new EnumMap<>(Op.class);
  private final Map<Op, Histogram> cumulative = new EnumMap<>(Op.class);
  private final Recorder warmup = newRecorder();
  private final LongAdder notFound = new LongAdder();
  private final LongAdder cachedGets = new LongAdder();
  private final LongAdder warmupOps = new LongAdder();
  private final ErrorCounts errors = new ErrorCounts();
  private final ErrorCounts warmupErrors = new ErrorCounts();
  private final LongAccumulator lastMeasuredCompletion = new LongAccumulator(Math::max, Long.MIN_VALUE);

  LoadRun(BenchConfig config, Driver driver, LongSupplier nanoClock, PrintStream progress) {
    this.config = config;
    this.driver = driver;
    this.nanoClock = nanoClock;
    this.progress = progress;
    this.keys = config.keyDistribution();
    this.keyFormat = new KeyFormat(config.keyPrefix());
    this.random = new SplittableRandom(config.seed());
    this.value = value(config.seed(), config.valueBytes());
    this.permits = new Semaphore(config.concurrency());
    for (Op op : Op.values()) {
      measured.put(op, newRecorder());
      cumulative.put(op, new Histogram(LATENCY_US_MAX, SIGNIFICANT_DIGITS));
    }
  }

  /** The value every put writes: random bytes from the seed (incompressible, like etcd's tool). */
  static byte[] value(long seed, int bytes) {
    byte[] v = new byte[bytes];
    new SplittableRandom(seed).split().nextBytes(v);
    return v;
  }

  private static Recorder newRecorder() {
    return new Recorder(LATENCY_US_MAX, SIGNIFICANT_DIGITS);
  }

  Results run() throws InterruptedException {
    long start = nanoClock.getAsLong();
    long warmupEnd = start + config.warmup().toNanos();
    long measureEnd = config.duration() == null ? Long.MAX_VALUE : warmupEnd + config.duration().toNanos();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    Progress line = new Progress(start, warmupEnd);
    ticker.scheduleAtFixedRate(line::tick, 1, 1, TimeUnit.SECONDS);
    long abandoned;
    try {
      if (config.closedLoop()) {
        runClients(warmupEnd, measureEnd);
      } else {
        issueAll(start, warmupEnd, measureEnd);
      }
      long drainNanos = config.timeout().toNanos() + DRAIN_GRACE_NANOS;
      abandoned = permits.tryAcquire(config.concurrency(), drainNanos, TimeUnit.NANOSECONDS)
          ? 0 : config.concurrency() - permits.availablePermits();
    } finally {
      ticker.shutdownNow();
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    }
    line.tick();
    Histogram all = new Histogram(LATENCY_US_MAX, SIGNIFICANT_DIGITS);
    Map<Op, Histogram> byOp = new EnumMap<>(Op.class);
    cumulative.forEach((op, h) -> {
      if (h.getTotalCount() > 0) {
        byOp.put(op, h);
        all.add(h);
      }
    });
    long last = lastMeasuredCompletion.get();
    long elapsed = (last == Long.MIN_VALUE ? nanoClock.getAsLong() : last) - warmupEnd;
    return new Results(byOp, all, Math.max(0, elapsed), notFound.sum(), cachedGets.sum(), errors.counts(), errors.samples(),
        warmupOps.sum(), abandoned);
  }

  /** A request drawn for a closed-loop client: what to send, and when it was drawn. */
  private record Drawn(Op op, byte[] key, long due, boolean isMeasured) {}

  /** Measured requests sent so far (the open loop's thread, or the closed loop's {@link #draw} under its lock). */
  private long measuredSent;

  /**
   * The closed loop: starts the clients, each holding a permit while it sends, and returns once
   * every client has stopped (the duration is over, or {@code ops} were sent) and given its permit
   * back, or once the last one's wait is over (then the drain below counts what is still out).
   */
  private void runClients(long warmupEnd, long measureEnd) throws InterruptedException {
    int clients = config.concurrency();
    permits.acquire(clients);
    for (int i = 0; i < clients; i++) {
      client(warmupEnd, measureEnd);
    }
    // Clients stop within one request of the end; each request is bounded by the driver's timeout.
    if (permits.tryAcquire(clients, measureEnd - nanoClock.getAsLong(), TimeUnit.NANOSECONDS)) {
      permits.release(clients);
    }
  }

  /** The next request of a closed-loop client, or null when the run is over for it. */
  private synchronized Drawn draw(long warmupEnd, long measureEnd) {
    long due = nanoClock.getAsLong();
    if (due >= measureEnd) {
      return null;
    }
    boolean isMeasured = due >= warmupEnd;
    if (!admit(isMeasured)) {
      return null;
    }
    Op op = nextOp();
    return new Drawn(op, keyFormat.key(keys.next(random)), due, isMeasured);
  }

  /** Counts a request about to go out; false once {@code ops} measured requests have. */
  private boolean admit(boolean isMeasured) {
    if (!isMeasured) {
      return true;
    }
    if (config.ops() > 0 && measuredSent == config.ops()) {
      return false;
    }
    measuredSent++;
    return true;
  }

  /**
   * One closed-loop client: sends requests one after another until {@link #draw} says stop, then
   * gives its permit back. A request completed by the time it returns (a driver failing at once)
   * is recorded here and the loop goes on, so a run of such requests does not grow the stack.
   */
  private void client(long warmupEnd, long measureEnd) {
    try {
      for (;;) {
        Drawn next = draw(warmupEnd, measureEnd);
        if (next == null) {
          permits.release();
          return;
        }
        CompletableFuture<?> request = send(next.op(), next.key());
        if (!request.isDone()) {
          request.whenComplete((result, failure) -> {
            try {
              record(next.op(), next.due(), next.isMeasured(), result, failure);
            } finally {
              client(warmupEnd, measureEnd);
            }
          });
          return;
        }
        request.handle((result, failure) -> {
          record(next.op(), next.due(), next.isMeasured(), result, failure);
          return null;
        });
      }
    } catch (RuntimeException | Error e) {
      // A client that dies must not hold its permit: the run would wait for it for good.
      permits.release();
      throw e;
    }
  }

  /** The open loop: one thread issues requests at their due times, a permit each. */
  private void issueAll(long start, long warmupEnd, long measureEnd) throws InterruptedException {
    RateSchedule schedule = new RateSchedule(start, config.rateOpsPerSec());
    for (long i = 0; ; i++) {
      long due = schedule.startOf(i);
      if (due >= measureEnd) {
        return;
      }
      parkUntil(due);
      permits.acquire();
      boolean isMeasured = due >= warmupEnd;
      if (!admit(isMeasured)) {
        permits.release();
        return;
      }
      Op op = nextOp();
      issue(op, keyFormat.key(keys.next(random)), due, isMeasured);
    }
  }

  private Op nextOp() {
    return switch (config.workload()) {
      case PUT -> Op.PUT;
      case GET -> Op.GET;
      case MIXED -> random.nextInt(100) < config.readPercent() ? Op.GET : Op.PUT;
    };
  }

  private void parkUntil(long due) {
    for (long wait = due - nanoClock.getAsLong(); wait > 0; wait = due - nanoClock.getAsLong()) {
      LockSupport.parkNanos(wait);
    }
  }

  private void issue(Op op, byte[] key, long due, boolean isMeasured) {
    send(op, key).whenComplete((result, failure) -> {
      try {
        record(op, due, isMeasured, result, failure);
      } finally {
        permits.release();
      }
    });
  }

  /** Sends one request (several puts when so configured); a driver that throws gives a failed future. */
  private CompletableFuture<?> send(Op op, byte[] key) {
    CompletableFuture<?> request;
    try {
      if (op == Op.PUT && config.putsPerRequest() > 1) {
        // Distinct keys: etcd refuses a transaction that puts one key twice.
        Set<ByteBuffer> distinct = new HashSet<>();
        List<byte[]> batch = new ArrayList<>(config.putsPerRequest());
        for (byte[] k = key; batch.size() < config.putsPerRequest(); k = keyFormat.key(keys.next(random))) {
          if (distinct.add(ByteBuffer.wrap(k))) {
            batch.add(k);
          }
        }
        request = driver.putAll(batch, value);
      } else {
        request = op == Op.PUT ? driver.put(key, value) : driver.get(key);
      }
    } catch (RuntimeException e) {
      // The contract says drivers fail futures, but a bug must not leak the permit.
      request = CompletableFuture.failedFuture(e);
    }
    return request;
  }

  private void record(Op op, long due, boolean isMeasured, Object result, Throwable failure) {
    long now = nanoClock.getAsLong();
    // A request of several puts counts as that many ops, each with the request's latency.
    int count = op == Op.PUT ? config.putsPerRequest() : 1;
    if (!isMeasured) {
      warmupOps.add(count);
      if (failure != null) {
        warmupErrors.add(failure);
      } else {
        warmup.recordValueWithCount(latencyUs(due, now), count);
      }
      return;
    }
    if (failure != null) {
      errors.add(failure);
    } else {
      measured.get(op).recordValueWithCount(latencyUs(due, now), count);
      if (result instanceof Driver.Read read) {
        if (!read.found()) {
          notFound.increment();
        }
        if (read.cached()) {
          cachedGets.increment();
        }
      }
    }
    lastMeasuredCompletion.accumulate(now);
  }

  static long latencyUs(long startNanos, long endNanos) {
    return Math.min(LATENCY_US_MAX, Math.max(0, (endNanos - startNanos) / 1000));
  }

  /**
   * The once-a-second line. Runs on the ticker thread (and once more on the run's thread after
   * the ticker stopped), which alone moves the interval histograms into the cumulative ones.
   */
  private final class Progress {
    private final long start;
    private final long warmupEnd;
    private long lastTick;
    private final Histogram interval = new Histogram(LATENCY_US_MAX, SIGNIFICANT_DIGITS);
    private long measuredSoFar;

    Progress(long start, long warmupEnd) {
      this.start = start;
      this.warmupEnd = warmupEnd;
      this.lastTick = start;
    }

    synchronized void tick() {
      long now = nanoClock.getAsLong();
      interval.reset();
      for (Op op : Op.values()) {
        // Not recycled: a Recorder only takes back histograms it handed out itself.
        Histogram h = measured.get(op).getIntervalHistogram();
        cumulative.get(op).add(h);
        interval.add(h);
        measuredSoFar += h.getTotalCount();
      }
      interval.add(warmup.getIntervalHistogram());
      double seconds = Math.max(1e-9, (now - lastTick) / 1e9);
      lastTick = now;
      progress.println(String.format(Locale.ROOT, "[%4ds] %-7s %9.0f ops/s  p50 %8.2f ms  p99 %8.2f ms  measured %,d  errors %d",
          (now - start) / 1_000_000_000L, now < warmupEnd ? "warmup" : "", interval.getTotalCount() / seconds,
          interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
          measuredSoFar, errors.total() + warmupErrors.total()));
      progress.flush();
    }
  }

  /** Warm-up failures by type, for the report. */
  ErrorCounts warmupErrors() {
    return warmupErrors;
  }
}
