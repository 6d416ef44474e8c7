package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The router's timer wheel: a timeout fails the future no sooner than asked, and only an unfinished one. */
class DeadlinesTest {
  @Test
  void unfinishedFutureFailsWithATimeoutNoSoonerThanAskedAndWithinAFewTicks() {
    long start = System.nanoTime();
    CompletableFuture<String> future = Deadlines.orTimeout(new CompletableFuture<>(), 50, TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(50).isLessThan(2_000);
  }

  @Test
  void futureThatCompletesInTimeKeepsItsResult() throws Exception {
    CompletableFuture<String> future = new CompletableFuture<>();
    assertThat(Deadlines.orTimeout(future, 100, TimeUnit.MILLISECONDS)).isSameAs(future);
    future.complete("answered");
    // A later timeout of the same length fires after the first one would have: the first did nothing.
    CompletableFuture<String> later = Deadlines.orTimeout(new CompletableFuture<>(), 100, TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> later.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
    assertThat(future.get()).isEqualTo("answered");
    assertThat(future.isCompletedExceptionally()).isFalse();
  }

  @Test
  void finishedFutureIsReturnedAsItIs() throws Exception {
    CompletableFuture<String> done = CompletableFuture.completedFuture("v");
    assertThat(Deadlines.orTimeout(done, 1, TimeUnit.NANOSECONDS)).isSameAs(done);
    assertThat(done.get()).isEqualTo("v");
  }
}
