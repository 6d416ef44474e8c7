package io.orchiddb.cli.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Writes every key of the key space once, in batches of {@link Driver#batchOpsMax()} keys with a
 * bounded number of batches in flight, so that gets find their keys. Puts are idempotent, so a
 * failed batch is simply sent again, up to {@link #ATTEMPTS} times; after that the prefill fails
 * (a get benchmark over a half-written key space would measure the wrong thing).
 */
final class Prefill {
  static final int ATTEMPTS = 3;
  static final int BATCHES_IN_FLIGHT_MAX = 16;

  private Prefill() {}

  /** @throws IllegalStateException a batch failed {@link #ATTEMPTS} times, or batches did not finish in time */
  static void run(Driver driver, BenchConfig config, byte[] value, LongSupplier nanoClock, PrintStream progress)
      throws InterruptedException {
    KeyFormat format = new KeyFormat(config.keyPrefix());
    int inFlight = Math.min(config.concurrency(), BATCHES_IN_FLIGHT_MAX);
    Semaphore permits = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    LongAdder written = new LongAdder();
    long start = nanoClock.getAsLong();
    long lastPrint = start;
    int batch = driver.batchOpsMax();
    for (long first = 0; first < config.keys() && failure.get() == null; first += batch) {
      permits.acquire();
      List<byte[]> keys = new ArrayList<>(batch);
      for (long k = first; k < Math.min(config.keys(), first + batch); k++) {
        keys.add(format.key(k));
      }
      attempt(driver, keys, value, ATTEMPTS).whenComplete((ok, e) -> {
        if (e != null) {
          failure.compareAndSet(null, ErrorCounts.unwrap(e));
        } else {
          written.add(keys.size());
        }
        permits.release();
      });
      long now = nanoClock.getAsLong();
      if (now - lastPrint >= TimeUnit.SECONDS.toNanos(1)) {
        lastPrint = now;
        print(progress, start, now, written.sum(), config.keys());
      }
    }
    if (!permits.tryAcquire(inFlight, config.timeout().toNanos() * ATTEMPTS + TimeUnit.SECONDS.toNanos(5),
        TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("prefill: batches still unanswered after the request timeout");
    }
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("prefill: a batch failed " + ATTEMPTS + " times: "
          + ErrorCounts.typeOf(e) + ": " + e.getMessage(), e);
    }
    print(progress, start, nanoClock.getAsLong(), written.sum(), config.keys());
  }

  private static CompletableFuture<Object> attempt(Driver driver, List<byte[]> keys, byte[] value, int attemptsLeft) {
    CompletableFuture<?> sent;
    try {
      sent = driver.putAll(keys, value);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((ok, e) -> e == null || attemptsLeft <= 1
            ? (e == null ? CompletableFuture.completedFuture((Object) ok) : CompletableFuture.failedFuture(e))
            : attempt(driver, keys, value, attemptsLeft - 1))
        .thenCompose(f -> f);
  }

  private static void print(PrintStream progress, long start, long now, long written, long total) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    progress.println(String.format(Locale.ROOT, "[%4ds] prefill %,d / %,d keys (%.0f keys/s)",
        (now - start) / 1_000_000_000L, written, total, written / seconds));
    progress.flush();
  }
}
