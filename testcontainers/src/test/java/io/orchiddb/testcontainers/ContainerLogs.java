package io.orchiddb.testcontainers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** For the container ITs: a failure prints the end of each container's log to the test output. */
final class ContainerLogs {
  /** How many of each container's last lines a failure prints. */
  static final int LINES = 200;

  private ContainerLogs() {}

  /**
   * A watcher that, when a test fails, prints the log tails of every node of the cluster and of its
   * router container if it has one (nothing while the cluster is not started yet).
   */
  static TestWatcher onFailure(Supplier<OrchidCluster> cluster) {
    return new TestWatcher() {
      @Override
      public void testFailed(ExtensionContext context, Throwable cause) {
        OrchidCluster c = cluster.get();
        if (c == null) {
          return;
        }
        List<OrchidContainer> all = new ArrayList<>(c.nodes());
        if (!c.embeddedRouters()) {
          all.add(c.router());
        }
        printTails(all);
      }
    };
  }

  private static void printTails(List<OrchidContainer> containers) {
    for (OrchidContainer c : containers) {
      String[] lines = c.getLogs().split("\n");
      System.err.println("---- last " + Math.min(LINES, lines.length) + " log lines of " + c.getNetworkAliases());
      for (int i = Math.max(0, lines.length - LINES); i < lines.length; i++) {
        System.err.println(lines[i]);
      }
    }
  }
}
