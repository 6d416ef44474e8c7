package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link IndexWaiters} completes a future exactly when the applied index reaches its
 * target: at once for an index already applied, otherwise on the {@code advanceTo} that reaches
 * it (waking due waiters in index order and leaving the rest parked), and exceptionally on
 * {@code failAll}.
 *
 * <p>How: single-threaded and step by step; each future's state is inspected with
 * {@code isDone()} after every call, and completion order is recorded by callbacks (which run on
 * the thread that completes the future).
 */
class IndexWaitersTest {
  private final IndexWaiters waiters = new IndexWaiters();

  @Test
  void beforeAnyAdvanceOnlyNegativeIndexesAreApplied() {
    assertThat(waiters.await(-1)).isCompleted();
    assertThat(waiters.await(0)).isNotDone();
    assertThat(waiters.size()).isEqualTo(1);
  }

  @Test
  void awaitBelowOrAtTheAppliedIndexCompletesAtOnce() {
    waiters.advanceTo(10);
    assertThat(waiters.await(3)).isCompleted();
    assertThat(waiters.await(10)).isCompleted();
    assertThat(waiters.size()).isZero();
  }

  @Test
  void awaitAboveTheAppliedIndexWaitsUntilItIsReached() {
    waiters.advanceTo(10);
    CompletableFuture<Void> f = waiters.await(11);
    assertThat(f).isNotDone();
    waiters.advanceTo(10);
    assertThat(f).isNotDone();
    waiters.advanceTo(11);
    assertThat(f).isCompleted();
    assertThat(waiters.size()).isZero();
  }

  @Test
  void advanceCompletesExactlyTheDueWaitersInIndexOrder() {
    List<Long> completed = new ArrayList<>();
    long[] indexes = {7, 3, 12, 5, 9, 5, 20};
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (long index : indexes) {
      CompletableFuture<Void> f = waiters.await(index);
      f.thenRun(() -> completed.add(index));
      futures.add(f);
    }
    assertThat(completed).isEmpty();

    waiters.advanceTo(7);
    assertThat(completed).containsExactly(3L, 5L, 5L, 7L);
    assertThat(futures.get(2)).isNotDone(); // 12
    assertThat(futures.get(4)).isNotDone(); // 9
    assertThat(futures.get(6)).isNotDone(); // 20
    assertThat(waiters.size()).isEqualTo(3);

    waiters.advanceTo(12);
    assertThat(completed).containsExactly(3L, 5L, 5L, 7L, 9L, 12L);
    assertThat(futures.get(6)).isNotDone();

    waiters.advanceTo(100);
    assertThat(completed).containsExactly(3L, 5L, 5L, 7L, 9L, 12L, 20L);
    assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(waiters.size()).isZero();
  }

  @Test
  void theAppliedIndexNeverGoesBack() {
    waiters.advanceTo(10);
    waiters.advanceTo(4);
    assertThat(waiters.await(8)).isCompleted();
    CompletableFuture<Void> f = waiters.await(11);
    waiters.advanceTo(5);
    assertThat(f).isNotDone();
  }

  @Test
  void failAllFailsEveryPendingWaiterWithTheCause() {
    waiters.advanceTo(1);
    CompletableFuture<Void> done = waiters.await(1);
    CompletableFuture<Void> a = waiters.await(5);
    CompletableFuture<Void> b = waiters.await(9);
    IllegalStateException cause = new IllegalStateException("closed");

    waiters.failAll(cause);

    assertThat(done).isCompleted();
    assertThat(a).isCompletedExceptionally();
    assertThat(b).isCompletedExceptionally();
    assertThat(a.handle((v, e) -> e).join()).isSameAs(cause);
    assertThat(waiters.size()).isZero();
    // Later advances find nothing left to complete; later waiters still work.
    waiters.advanceTo(10);
    assertThat(a).isCompletedExceptionally();
    CompletableFuture<Void> c = waiters.await(12);
    assertThat(c).isNotDone();
    waiters.advanceTo(12);
    assertThat(c).isCompleted();
  }

  @Test
  void aCallbackMayAwaitAgain() {
    // Futures complete outside the lock, so a dependant may call back into the waiters.
    List<CompletableFuture<Void>> nested = new ArrayList<>();
    waiters.await(3).thenRun(() -> nested.add(waiters.await(4)));
    waiters.advanceTo(3);
    assertThat(nested).hasSize(1);
    assertThat(nested.get(0)).isNotDone();
    waiters.advanceTo(4);
    assertThat(nested.get(0)).isCompleted();
  }
}
