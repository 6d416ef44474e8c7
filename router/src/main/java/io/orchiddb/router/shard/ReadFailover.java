package io.orchiddb.router.shard;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Tries a read on one replica after another until one answers or the deadline passes. Reads are
 * idempotent, so any failure (replica down, behind the requested index, no leader yet) moves on
 * to the next replica; after a full round the next one waits a little longer (bounded backoff).
 * A failure for which {@code isFinal} holds (the request itself is wrong) ends at once.
 *
 * <p>{@code deadlineNanos} must have been read from {@code nanoClock}: the router hands its one
 * monotonic clock to every class that makes or checks a deadline.
 */
final class ReadFailover {
  private static final long BACKOFF_FIRST_MS = 20;
  private static final long BACKOFF_MAX_MS = 500;

  private ReadFailover() {}

  static <T> CompletableFuture<T> read(List<String> replicas, long deadlineNanos, LongSupplier nanoClock,
      Function<String, CompletableFuture<T>> attempt, Predicate<Throwable> isFinal) {
    CompletableFuture<T> result = new CompletableFuture<>();
    next(replicas, 0, deadlineNanos, nanoClock, attempt, isFinal, BACKOFF_FIRST_MS, result);
    return result;
  }

  private static <T> void next(List<String> replicas, int i, long deadlineNanos, LongSupplier nanoClock,
      Function<String, CompletableFuture<T>> attempt, Predicate<Throwable> isFinal, long backoffMs,
      CompletableFuture<T> result) {
    String node = replicas.get(i % replicas.size());
    attempt.apply(node).whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      boolean roundDone = (i + 1) % replicas.size() == 0;
      long waitMs = roundDone ? backoffMs : 0;
      if (isFinal.test(cause) || nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(waitMs) >= deadlineNanos) {
        result.completeExceptionally(cause);
        return;
      }
      long nextBackoff = roundDone ? Math.min(BACKOFF_MAX_MS, backoffMs * 2) : backoffMs;
      Runnable retry = () -> next(replicas, i + 1, deadlineNanos, nanoClock, attempt, isFinal, nextBackoff, result);
      if (waitMs == 0) {
        retry.run();
      } else {
        CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS).execute(retry);
      }
    });
  }
}
