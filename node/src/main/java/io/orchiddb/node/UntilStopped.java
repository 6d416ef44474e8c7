package io.orchiddb.node;

import java.util.concurrent.CountDownLatch;

/**
 * Runs a started service until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it
 * cleanly from a shutdown hook. Shared by every long-running {@code orchiddb} command.
 */
public final class UntilStopped {
  private UntilStopped() {}

  /**
   * Registers the hook, prints {@code readyLine} (tests and scripts wait for it), and blocks until
   * the service has been closed.
   *
   * @param command the command's name for messages, e.g. {@code "orchiddb node"}
   */
  public static void await(String command, AutoCloseable service, String readyLine) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        System.out.println(command + ": stopping ...");
        System.out.flush();
        service.close();
      } catch (Exception e) {
        System.err.println(command + ": error while stopping: " + e);
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    System.out.println(readyLine);
    System.out.flush();
    stopped.await();
  }
}
