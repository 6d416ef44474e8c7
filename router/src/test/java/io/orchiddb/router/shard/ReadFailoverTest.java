package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link ReadFailover} keeps time on the clock it is given: while that clock is short
 * of the deadline a failed read moves on to the next replica; once an attempt has moved it past the
 * deadline the read stops and fails with that attempt's cause; a backoff that would reach the
 * deadline is not waited for. Replicas are scripted (each attempt completes at once and advances
 * the fake clock by a set step), so every decision happens inside {@code read} and nothing waits.
 *
 * <p>The fake clock starts far below or far above any real {@link System#nanoTime()} reading, on
 * the side where the real clock would decide the other way: a ReadFailover that read the real
 * clock fails these tests.
 */
class ReadFailoverTest {
  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Far below any real reading: the real clock would say the deadline has long passed. */
  private static final long LONG_AGO_NANOS = Long.MIN_VALUE / 2;
  /** Far above any real reading: the real clock would say there is plenty of time left. */
  private static final long FAR_AHEAD_NANOS = Long.MAX_VALUE / 2;

  private long nowNanos;
  private final LongSupplier clock = () -> nowNanos;
  private final List<String> tried = new ArrayList<>();

  /** Each replica's answer: a value, or the exception its attempt fails with. */
  private Map<String, Object> answers;
  /** How far each attempt moves the clock before it completes. */
  private long stepNanos;

  private CompletableFuture<String> attempt(String node) {
    tried.add(node);
    nowNanos += stepNanos;
    Object answer = answers.get(node);
    return answer instanceof Throwable t ? CompletableFuture.failedFuture(t)
        : CompletableFuture.completedFuture((String) answer);
  }

  private CompletableFuture<String> read(List<String> replicas, long deadlineNanos) {
    return ReadFailover.read(replicas, deadlineNanos, clock, this::attempt, e -> e instanceof IllegalArgumentException);
  }

  @Test
  void withTimeLeftAFailedReadMovesOnToTheNextReplica() {
    nowNanos = LONG_AGO_NANOS;
    stepNanos = SECOND_NANOS / 2;
    answers = Map.of("a", new IOException("a is down"), "b", "value from b");

    CompletableFuture<String> result = read(List.of("a", "b"), nowNanos + SECOND_NANOS);

    assertThat(result).isCompletedWithValue("value from b");
    assertThat(tried).containsExactly("a", "b");
  }

  @Test
  void onceTheClockPassesTheDeadlineItStopsWithTheLastCause() {
    nowNanos = FAR_AHEAD_NANOS;
    stepNanos = SECOND_NANOS * 6 / 10; // a leaves 0.4 s; b takes the clock past the deadline
    IOException behind = new IOException("b is behind the requested index");
    answers = Map.of("a", new IOException("a is down"), "b", behind, "c", "value from c");

    CompletableFuture<String> result = read(List.of("a", "b", "c"), nowNanos + SECOND_NANOS);

    assertThat(result).isCompletedExceptionally();
    assertThat(catchThrowable(result::join)).isInstanceOf(CompletionException.class).getCause().isSameAs(behind);
    assertThat(tried).containsExactly("a", "b");
  }

  @Test
  void aBackoffThatWouldReachTheDeadlineIsNotWaitedFor() {
    nowNanos = FAR_AHEAD_NANOS;
    stepNanos = 0;
    IOException down = new IOException("a is down");
    answers = Map.of("a", down);

    // One replica: its failure ends a round, and the next try would come after the first
    // backoff (20 ms), which is more than the 10 ms left.
    CompletableFuture<String> result = read(List.of("a"), nowNanos + TimeUnit.MILLISECONDS.toNanos(10));

    assertThat(result).isCompletedExceptionally();
    assertThat(catchThrowable(result::join)).getCause().isSameAs(down);
    assertThat(tried).containsExactly("a");
  }

  @Test
  void aFinalFailureEndsTheReadWhateverTheTimeLeft() {
    nowNanos = LONG_AGO_NANOS;
    stepNanos = 0;
    IllegalArgumentException badRequest = new IllegalArgumentException("bad request");
    answers = Map.of("a", badRequest, "b", "value from b");

    CompletableFuture<String> result = read(List.of("a", "b"), nowNanos + SECOND_NANOS);

    assertThat(result).isCompletedExceptionally();
    assertThat(catchThrowable(result::join)).getCause().isSameAs(badRequest);
    assertThat(tried).containsExactly("a");
  }
}
