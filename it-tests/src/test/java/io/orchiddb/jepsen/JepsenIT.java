package io.orchiddb.jepsen;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.jepsen.cluster.ClusterControl;
import io.orchiddb.jepsen.nemesis.FaultKind;
import io.orchiddb.jepsen.runner.JepsenRun;
import io.orchiddb.jepsen.runner.RunConfig;
import io.orchiddb.jepsen.runner.RunResult;
import io.orchiddb.jepsen.workload.MixedWorkload;
import io.orchiddb.testcontainers.ContainerRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Jepsen-style suite against a real cluster in containers: for each run, a fresh cluster of
 * the image, eight clients through the SDK, a nemesis killing, pausing and partitioning nodes and
 * killing the router on a seeded schedule, then the checkers (linearizable registers, no lost or
 * invented set elements, session and eventual promises). Each run is one test, failed with the
 * run's report (verdict.txt) when any checker or the harness says so.
 *
 * <p>Bounded form (every {@code ./mvnw verify}): {@code jepsen.runs} runs (default 2) of
 * {@code jepsen.seconds} (default 60) alternating two layouts: 3 nodes under kill -9, pause,
 * isolation and router kills, and 5 nodes under all three partition shapes and kill -9. Long form:
 * {@code -Pjepsen -Djepsen.minutes=30} runs those layouts in turn for that long (runs of
 * {@code jepsen.seconds}, 300 under the profile). {@code -Djepsen.seed=N} gives every run seed N,
 * which replays its fault schedule. Results: {@code it-tests/target/jepsen/<run>/}.
 *
 * <p>Needs a container runtime and the image (see {@link ContainerRuntime}): skipped loudly
 * without them, failed under {@code CI=true}. Partitions also need root, nsenter and iptables on
 * the host; without them the partition faults are left out, loudly (and under CI the run fails).
 */
@ExtendWith(ContainerRuntime.class)
class JepsenIT {
  private record Layout(int nodes, Set<FaultKind> faults) {}

  private static final List<Layout> LAYOUTS = List.of(
      new Layout(3, EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION_ISOLATE, FaultKind.KILL_ROUTER)),
      new Layout(5, EnumSet.of(FaultKind.PARTITION_ISOLATE, FaultKind.PARTITION_HALVES, FaultKind.PARTITION_BRIDGE,
          FaultKind.KILL)));

  @BeforeAll
  static void requireRuntime() {
    ContainerRuntime.require();
    String noPartitions = ClusterControl.partitionsSupported();
    if (noPartitions != null) {
      String message = "Jepsen suite: partitions cannot be made here (" + noPartitions + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + "; under CI=true that is a failure");
      }
      System.err.println("\n" + "=".repeat(100) + "\n" + message + "; running without partition faults\n" + "=".repeat(100));
    }
  }

  @TestFactory
  Stream<DynamicTest> runs() {
    int seconds = Integer.getInteger("jepsen.seconds", 60);
    String minutes = System.getProperty("jepsen.minutes", "");
    int runs = minutes.isBlank()
        ? Integer.getInteger("jepsen.runs", 2)
        : (int) Math.max(1, Math.ceil(Double.parseDouble(minutes) * 60 / (seconds + 45.0))); // ~45 s start + check
    String fixedSeed = System.getProperty("jepsen.seed", "");
    Path output = Path.of(System.getProperty("jepsen.dir", "target/jepsen"));
    boolean partitions = ClusterControl.partitionsSupported() == null;
    String only = System.getProperty("jepsen.layouts", "");
    List<Layout> layouts = LAYOUTS.stream()
        .filter(l -> only.isBlank() || List.of(only.split(",")).contains(l.nodes() + "n"))
        .toList();
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Layout layout = layouts.get(i % layouts.size());
      long seed = fixedSeed.isBlank() ? ThreadLocalRandom.current().nextLong(1, 1L << 40) : Long.parseLong(fixedSeed);
      Set<FaultKind> faults = EnumSet.copyOf(layout.faults());
      if (!partitions) {
        faults.removeAll(FaultKind.PARTITIONS);
      }
      String name = RunConfig.nameOf(layout.nodes(), faults, seed);
      RunConfig config = new RunConfig(name, seed, layout.nodes(), 4, faults, Duration.ofSeconds(seconds),
          MixedWorkload.Config.defaults(), ContainerRuntime.IMAGE, output);
      tests.add(DynamicTest.dynamicTest(name, () -> {
        RunResult result = JepsenRun.run(config);
        assertThat(result.faults()).as("faults injected").isPositive();
        assertThat(result.ok()).as("acknowledged operations").isPositive();
        assertThat(result.valid()).as(result.report()).isTrue();
      }));
    }
    return tests.stream();
  }
}
