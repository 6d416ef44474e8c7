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
 * One run: a fresh cluster of {@code nodes} nodes ({@code shards} shards) and a router in
 * containers of {@code image}, the mixed workload for {@code duration} while the nemesis injects
 * {@code faults} on a schedule drawn from {@code seed}; its files go to {@code outputRoot/<name>}.
 */
public record RunConfig(String name, long seed, int nodes, int shards, Set<FaultKind> faults, Duration duration,
                        MixedWorkload.Config workload, DockerImageName image, Path outputRoot) {
  public RunConfig {
    Objects.requireNonNull(name, "name");
    faults = faults.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(faults);
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(outputRoot, "outputRoot");
    if (nodes < 1 || shards < 1) {
      throw new IllegalArgumentException("nodes and shards must be positive");
    }
  }

  /** A run name that says what it did, e.g. {@code 3n-kill-pause-kill-router-s42}. */
  public static String nameOf(int nodes, Set<FaultKind> faults, long seed) {
    String kinds = faults.isEmpty() ? "no-faults"
        : faults.stream().sorted().map(FaultKind::flagName).collect(Collectors.joining("-"));
    return nodes + "n-" + kinds + "-s" + seed;
  }
}
