package io.orchiddb.jepsen.runner;

import io.orchiddb.jepsen.nemesis.FaultKind;
import io.orchiddb.jepsen.workload.MixedWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.testcontainers.utility.DockerImageName;

/**
 * One run: a fresh cluster of {@code nodes} nodes ({@code shards} shards) and its routers (as
 * {@code routers} says) in containers of {@code image}, the mixed workload for {@code duration}
 * while the nemesis injects {@code faults} on a schedule drawn from {@code seed}; its files go to
 * {@code outputRoot/<name>}.
 */
public record RunConfig(String name, long seed, int nodes, Routers routers, int shards, Set<FaultKind> faults,
                        Duration duration, MixedWorkload.Config workload, DockerImageName image, Path outputRoot) {
  /** Where the routers the clients talk to run. */
  public enum Routers {
    /**
     * One router container outside the nodes; the clients talk to it alone. Every write reaches
     * a shard's leader through the router's Ratis client.
     */
    CONTAINER('n'),
    /**
     * A router in every node's JVM and no router container; every client knows every node and
     * prefers one of them. A router submits writes to the shards its node leads in-process and
     * sends them again, with the same call id, where the lead went when its node loses it.
     */
    EMBEDDED('e');

    private final char letter;

    Routers(char letter) {
      this.letter = letter;
    }

    /** The layout's short name, e.g. {@code 3n} (3 nodes and a router container) or {@code 3e}. */
    public String layoutName(int nodes) {
      return Integer.toString(nodes) + letter;
    }
  }

  public RunConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(routers, "routers");
    faults = faults.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(faults);
    if (routers == Routers.EMBEDDED && faults.contains(FaultKind.KILL_ROUTER)) {
      throw new IllegalArgumentException(FaultKind.KILL_ROUTER.flagName() + " needs a router container; with"
          + " embedded routers a router dies with its node (" + FaultKind.KILL.flagName() + ")");
    }
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(outputRoot, "outputRoot");
    if (nodes < 1 || shards < 1) {
      throw new IllegalArgumentException("nodes and shards must be positive");
    }
  }

  /**
   * A run name that says what it did, e.g. {@code 3n-kill-pause-kill-router-s42}, or
   * {@code 3e-kill-pause-s42} with embedded routers.
   */
  public static String nameOf(int nodes, Routers routers, Set<FaultKind> faults, long seed) {
    String kinds = faults.isEmpty() ? "no-faults"
        : faults.stream().sorted().map(FaultKind::flagName).collect(Collectors.joining("-"));
    return routers.layoutName(nodes) + "-" + kinds + "-s" + seed;
  }
}
