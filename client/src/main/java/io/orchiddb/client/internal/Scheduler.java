package io.orchiddb.client.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time and delayed work for retries, injected so tests can drive backoff and deadlines without
 * waiting (a fake advances its clock by each delay and runs the task at once).
 */
public interface Scheduler {
  /** Monotonic time in nanoseconds, as {@link System#nanoTime()}; still readable after {@link #close()}. */
  long nanoTime();

  /**
   * Runs {@code task} after {@code delayNanos} (at once if not positive).
   *
   * @throws RejectedExecutionException once closed
   */
  void schedule(Runnable task, long delayNanos);

  /**
   * Runs {@code task} after {@code delayNanos} to end something that did not finish in time (a
   * pipelined request's deadline). Unlike {@link #schedule}, nothing waits for it: a test's fake
   * clock keeps such tasks for the test to run.
   *
   * @throws RejectedExecutionException once closed
   */
  default void timeout(Runnable task, long delayNanos) {
    schedule(task, delayNanos);
  }

  /** Stops running tasks; pending ones are dropped (their owners are completed by the transport). */
  void close();

  /** The real clock and one daemon thread. */
  static Scheduler system() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, task -> {
          Thread thread = new Thread(task, "orchiddb-client-retry");
          thread.setDaemon(true);
          return thread;
        });
    executor.setRemoveOnCancelPolicy(true);
    return new Scheduler() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void schedule(Runnable task, long delayNanos) {
        executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }
}
