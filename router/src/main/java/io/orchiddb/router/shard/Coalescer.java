package io.orchiddb.router.shard;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * A queue that sends its items in batches with a bounded number of batches in flight: while
 * {@code inFlightMax} batches are outstanding, new items wait, and the next batch takes what has
 * gathered by then. Under light load a batch is a single item, so nothing waits for company; under
 * load the batches grow by themselves. {@link ShardWriter} (writes to a shard, one Raft entry per
 * batch) and {@link GetBatcher} (gets to a node, one request per batch) are the two uses.
 *
 * <p>When a batch's reply arrives, the next batch goes out first and the batch's callers are
 * answered after: answering them writes their responses on the replying thread, and the
 * destination should not sit idle meanwhile. Failures are handled here, once for both uses: a
 * batch whose sending throws fails like one whose reply fails (a bug in building a batch cannot
 * leave the queue stuck), and a reply that cannot be answered from (it throws) fails the callers
 * not yet answered, rather than leaving them waiting forever.
 *
 * <p>Thread-safe: the queue and the count are guarded by {@code this}; batches are sent and
 * answered outside the lock.
 *
 * <p>Each batch's size goes to {@code batchSizes} as it is sent (the router's metrics).
 *
 * @param <P> a waiting item (the request and the future of its caller)
 * @param <R> the reply to one batch
 */
abstract class Coalescer<P, R> {
  private final int inFlightMax;
  private final IntConsumer batchSizes;
  private final ArrayDeque<P> waiting = new ArrayDeque<>();
  private int inFlight;

  Coalescer(int inFlightMax, IntConsumer batchSizes) {
    this.inFlightMax = inFlightMax;
    this.batchSizes = batchSizes;
  }

  /** Takes the next batch (at least one item) off the non-empty queue; runs under the lock. */
  abstract List<P> takeBatch(ArrayDeque<P> waiting);

  /** Sends one batch. */
  abstract CompletableFuture<R> send(List<P> batch);

  /** Answers a batch's callers from its reply; may throw when the reply does not fit the batch. */
  abstract void answer(List<P> batch, R reply);

  /** The future through which {@code item}'s caller is answered. */
  abstract CompletableFuture<?> caller(P item);

  final void enqueue(P item) {
    synchronized (this) {
      waiting.add(item);
    }
    pump();
  }

  /**
   * Queues several items at once, before any batch is taken: with nothing in flight, they all
   * go in the first batch instead of the first alone and the rest in the next (for a caller
   * answered only once every item is).
   */
  final void enqueueAll(List<P> items) {
    synchronized (this) {
      waiting.addAll(items);
    }
    pump();
  }

  final synchronized int queued() {
    return waiting.size();
  }

  private void pump() {
    while (true) {
      List<P> batch;
      synchronized (this) {
        if (inFlight >= inFlightMax || waiting.isEmpty()) {
          return;
        }
        batch = takeBatch(waiting);
        inFlight++;
      }
      batchSizes.accept(batch.size());
      CompletableFuture<R> reply;
      try {
        reply = send(batch);
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete((r, failure) -> {
        synchronized (this) {
          inFlight--;
        }
        pump();
        if (failure == null) {
          try {
            answer(batch, r);
            return;
          } catch (RuntimeException e) {
            failure = e;
          }
        }
        Throwable cause = failure;
        batch.forEach(p -> caller(p).completeExceptionally(cause));
      });
    }
  }
}
