package io.orchiddb.router.shard;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * A queue that sends its items in batches with a bounded number of batches in flight: while
 * {@code inFlightMax} batches are outstanding, new items wait, and the next batch takes what has
 * gathered by then. Under light load a batch is a single item, so nothing waits for company; under
 * load the batches grow by themselves. {@link ShardWriter} (writes to a shard, one Raft entry per
 * batch) and {@link GetBatcher} (gets to a node, one request per batch) are the two uses.
 *
 * <p>When a batch's reply arrives (without gathering, below), the next batch goes out first and the
 * batch's callers are answered after: answering them writes their responses on the replying thread,
 * and the destination should not sit idle meanwhile. Failures are handled here, once for both uses:
 * a batch whose sending throws fails like one whose reply fails (a bug in building a batch cannot
 * leave the queue stuck), and a reply that cannot be answered from (it throws) fails the callers
 * not yet answered, rather than leaving them waiting forever.
 *
 * <p>Thread-safe: the queue and the count are guarded by {@code this}; batches are sent and
 * answered outside the lock.
 *
 * <p>Each batch's size goes to {@code batchSizes} as it is sent (the router's metrics).
 *
 * <p><b>Gathering</b> (optional, {@link Gather}; meant for one batch in flight): when a batch's
 * reply arrives, its callers are answered first and the next batch is held back until as many
 * items wait as the answered batch carried plus those that queued during it, or until
 * {@link Gather#maxNanos} have passed, whichever comes first. Closed-loop callers send their next
 * request as soon as they are answered, so the held batch takes them along instead of leaving
 * them for the batch after: batches carry about twice as much. That pays where a batch costs far
 * more than an item (a Raft entry, {@link ShardWriter}); a lone caller never waits, since its
 * own next item is all the target asks for.
 *
 * @param <P> a waiting item (the request and the future of its caller)
 * @param <R> the reply to one batch
 */
abstract class Coalescer<P, R> {
  /**
   * How long a batch may be held back for the callers of the one before (see the class comment).
   *
   * @param maxNanos the longest hold; 0 turns gathering off
   * @param timer ends a hold that reaches no target
   * @param nanoClock the monotonic clock holds are measured on
   */
  record Gather(long maxNanos, ScheduledExecutorService timer, LongSupplier nanoClock) {
    static final Gather NONE = new Gather(0, null, null);

    boolean on() {
      return maxNanos > 0;
    }
  }

  private final int inFlightMax;
  private final IntConsumer batchSizes;
  private final Gather gather;
  private final ArrayDeque<P> waiting = new ArrayDeque<>();
  private int inFlight;
  /** While holding: the queue length that ends the hold (0 = not holding). */
  private int holdTarget;
  private long holdDeadline;
  private boolean timerArmed;

  Coalescer(int inFlightMax, IntConsumer batchSizes) {
    this(inFlightMax, batchSizes, Gather.NONE);
  }

  Coalescer(int inFlightMax, IntConsumer batchSizes, Gather gather) {
    this.inFlightMax = inFlightMax;
    this.batchSizes = batchSizes;
    this.gather = gather;
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
        if (inFlight >= inFlightMax || waiting.isEmpty() || holding()) {
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
          if (gather.on()) {
            holdTarget = batch.size() + waiting.size();
            holdDeadline = gather.nanoClock().getAsLong() + gather.maxNanos();
          }
        }
        if (gather.on()) {
          finish(batch, r, failure);
          pump();
        } else {
          pump();
          finish(batch, r, failure);
        }
      });
    }
  }

  /**
   * Whether the next batch is held back for more items; arms the timer that ends the hold. Runs
   * under the lock.
   */
  private boolean holding() {
    if (holdTarget == 0) {
      return false;
    }
    long left = holdDeadline - gather.nanoClock().getAsLong();
    if (waiting.size() >= holdTarget || left <= 0) {
      holdTarget = 0;
      return false;
    }
    if (!timerArmed) {
      try {
        gather.timer().schedule(this::holdTimedOut, left, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        holdTarget = 0;
        return false;
      }
      timerArmed = true;
    }
    return true;
  }

  /** The timer: a hold past its deadline ends; a later hold (this timer outlived its own) re-arms it. */
  private void holdTimedOut() {
    synchronized (this) {
      timerArmed = false;
    }
    pump();
  }

  /**
   * Answers a batch's callers from its reply, or fails those not yet answered, in one
   * {@link AnswerScope}: the answers of callers that share a response stream leave together.
   */
  private void finish(List<P> batch, R reply, Throwable failure) {
    AnswerScope.run(() -> answerOrFail(batch, reply, failure));
  }

  private void answerOrFail(List<P> batch, R reply, Throwable failure) {
    if (failure == null) {
      try {
        answer(batch, reply);
        return;
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    Throwable cause = failure;
    batch.forEach(p -> caller(p).completeExceptionally(cause));
  }
}
