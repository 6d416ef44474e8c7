package io.orchiddb.router.shard;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The router's per-request timeouts, on one timer wheel for the JVM (Netty's {@link
 * HashedWheelTimer}): {@link #orTimeout} is {@link CompletableFuture#orTimeout} without a thread
 * wake-up per request. {@code CompletableFuture.orTimeout} puts each timeout in the JDK's shared
 * scheduled executor, whose thread is signalled whenever a new task becomes the earliest; at
 * concurrency 1 that is every request, so each strong get woke a second thread of the node for
 * nothing (~7% of the node's CPU under strong gets from one client, BENCHMARKS.md). The wheel's
 * thread instead wakes once per {@link #TICK_MS}, however many requests there are; adding and
 * cancelling a timeout only queue it. A timeout fires up to one tick late, which the router's
 * timeouts (whole seconds, or the rest of a request's deadline) do not notice.
 */
final class Deadlines {
  /** The wheel's resolution. */
  static final long TICK_MS = 10;

  private static final HashedWheelTimer WHEEL = new HashedWheelTimer(
      new ThreadFactoryBuilder().setNameFormat("router-deadlines").setDaemon(true).build(), TICK_MS, TimeUnit.MILLISECONDS);

  private Deadlines() {}

  /**
   * Completes {@code future} exceptionally with a {@link TimeoutException} if it has not completed
   * within {@code timeout}, as {@link CompletableFuture#orTimeout} does; the timer is dropped once
   * the future completes. Returns {@code future}.
   */
  static <T> CompletableFuture<T> orTimeout(CompletableFuture<T> future, long timeout, TimeUnit unit) {
    if (future.isDone()) {
      return future;
    }
    Timeout timer = WHEEL.newTimeout(t -> future.completeExceptionally(new TimeoutException()), timeout, unit);
    future.whenComplete((result, failure) -> timer.cancel());
    return future;
  }
}
