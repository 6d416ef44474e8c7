package io.orchiddb.node;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ends a node whose Raft server closed on its own. Ratis closes a server after a JVM pause longer
 * than its close threshold (a process stopped for a minute, say); the process then lives on
 * serving nothing, and a router inside it answers every request with an error. Exiting instead
 * lets whatever supervises the node (a container's restart policy, systemd) start it again on its
 * data, as after a crash. Checked once a second on a daemon thread.
 */
final class ClosedServerWatch {
  static final Duration EVERY = Duration.ofSeconds(1);

  private ClosedServerWatch() {}

  /**
   * @param closedItself whether the server has closed without being asked to
   * @param exit what to do then, once (the node's main exits the JVM with status 1)
   */
  static ScheduledExecutorService start(BooleanSupplier closedItself, Runnable exit, Duration every) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "closed-server-watch");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      if (closedItself.getAsBoolean()) {
        timer.shutdown();
        exit.run();
      }
    }, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    return timer;
  }
}
