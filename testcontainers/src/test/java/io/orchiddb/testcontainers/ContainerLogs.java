package io.orchiddb.testcontainers;

import java.util.List;

/** For the ITs' failure watchers: the end of each container's log, printed to the test output. */
final class ContainerLogs {
  /** How many of each container's last lines a failure prints. */
  static final int LINES = 200;

  private ContainerLogs() {}

  static void printTails(List<OrchidContainer> containers) {
    for (OrchidContainer c : containers) {
      String[] lines = c.getLogs().split("\n");
      System.err.println("---- last " + Math.min(LINES, lines.length) + " log lines of " + c.getNetworkAliases());
      for (int i = Math.max(0, lines.length - LINES); i < lines.length; i++) {
        System.err.println(lines[i]);
      }
    }
  }
}
