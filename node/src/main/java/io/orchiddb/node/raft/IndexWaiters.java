package io.orchiddb.node.raft;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Futures that complete when the applied index reaches a given log index. Used by stale reads
 * with a minimum index: Ratis 3.3.0's own {@code BaseStateMachine.queryStale} parks such reads
 * and never wakes them (see RATIS-NOTES.md), so we keep our own.
 */
final class IndexWaiters {
  private record Waiter(long index, CompletableFuture<Void> future) {}

  private final PriorityQueue<Waiter> queue =
      new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
  private long applied = -1;

  /** A future that completes once {@link #advanceTo} has been called with an index ≥ {@code index}. */
  synchronized CompletableFuture<Void> await(long index) {
    if (index <= applied) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    queue.add(new Waiter(index, future));
    return future;
  }

  /** Records that everything up to {@code index} is applied and wakes the waiters it satisfies. */
  void advanceTo(long index) {
    CompletableFuture<?>[] ready;
    synchronized (this) {
      applied = Math.max(applied, index);
      if (queue.isEmpty() || queue.peek().index > applied) {
        return;
      }
      java.util.List<CompletableFuture<Void>> due = new java.util.ArrayList<>();
      while (!queue.isEmpty() && queue.peek().index <= applied) {
        due.add(queue.poll().future);
      }
      ready = due.toArray(new CompletableFuture<?>[0]);
    }
    // Complete outside the lock: dependants run on this thread.
    for (CompletableFuture<?> f : ready) {
      f.complete(null);
    }
  }

  /** Fails every waiter, e.g. when the state machine closes. */
  void failAll(Exception cause) {
    java.util.List<Waiter> all;
    synchronized (this) {
      all = new java.util.ArrayList<>(queue);
      queue.clear();
    }
    all.forEach(w -> w.future.completeExceptionally(cause));
  }

  synchronized int size() {
    return queue.size();
  }
}
