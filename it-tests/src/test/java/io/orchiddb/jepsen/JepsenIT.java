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
 * <p>The layouts ({@code -Djepsen.layouts=3n,5n,3e} picks some): {@code 3n}, 3 nodes and a router
 * container under kill -9, pause, isolation and router kills; {@code 5n}, 5 nodes and a router
 * container under all three partition shapes and kill -9; {@code 3e}, 3 nodes each running a
 * router in its JVM and no router container, under kill -9, pause and isolation, with every
 * client knowing every node. In {@code 3e} a router submits writes to the shards its node leads
 * in-process and resends them with the same call id when the lead moves (the path benchmarks
 * measure), and the faults hit the routers with their nodes.
 *
 * <p>Bounded form (every {@code ./mvnw verify}): {@code jepsen.runs} runs (default: one per
 * layout) of {@code jepsen.seconds} (default 60), taking the layouts in turn. Long form:
 * {@code -Pjepsen -Djepsen.minutes=30} runs the layouts in turn for that long (runs of
 * {@code jepsen.seconds}, 300 under the profile). {@code -Djepsen.seed=N} gives every run seed N,
 * which replays its fault schedule. Results: {@code it-tests/target/jepsen/<run>/}.
 *
 * <p>Needs a container runtime and the image (see {@link ContainerRuntime}): skipped loudly
 * without them, failed under {@code CI=true}. Partitions also need root, nsenter and iptables on
 * the host; without them the partition faults are left out, loudly (and under CI the run fails).
 */
@ExtendWith(ContainerRuntime.class)
class JepsenIT {
  private record Layout(int nodes, RunConfig.Routers routers, Set<FaultKind> faults) {
    /** What {@code -Djepsen.layouts} calls it: {@code 3n}, {@code 5n}, {@code 3e}. */
    String name() {
      return routers.layoutName(nodes);
    }
  }

  private static final List<Layout> LAYOUTS = List.of(
      new Layout(3, RunConfig.Routers.CONTAINER,
          EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION_ISOLATE, FaultKind.KILL_ROUTER)),
      new Layout(5, RunConfig.Routers.CONTAINER,
          EnumSet.of(FaultKind.PARTITION_ISOLATE, FaultKind.PARTITION_HALVES, FaultKind.PARTITION_BRIDGE, FaultKind.KILL)),
      new Layout(3, RunConfig.Routers.EMBEDDED, EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION_ISOLATE)));

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
    String only = System.getProperty("jepsen.layouts", "");
    List<String> wanted = List.of(only.split(",")).stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
    List<Layout> layouts = LAYOUTS.stream().filter(l -> wanted.isEmpty() || wanted.contains(l.name())).toList();
    List<String> known = LAYOUTS.stream().map(Layout::name).toList();
    assertThat(known).as("-Djepsen.layouts=%s names layouts that exist", only).containsAll(wanted);
    String runsProperty = System.getProperty("jepsen.runs", "").trim();
    int runs = !minutes.isBlank()
        ? (int) Math.max(1, Math.ceil(Double.parseDouble(minutes) * 60 / (seconds + 45.0))) // ~45 s start + check
        : runsProperty.isEmpty() ? layouts.size() : Integer.parseInt(runsProperty);
    String fixedSeed = System.getProperty("jepsen.seed", "");
    Path output = Path.of(System.getProperty("jepsen.dir", "target/jepsen"));
    boolean partitions = ClusterControl.partitionsSupported() == null;
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Layout layout = layouts.get(i % layouts.size());
      long seed = fixedSeed.isBlank() ? ThreadLocalRandom.current().nextLong(1, 1L << 40) : Long.parseLong(fixedSeed);
      Set<FaultKind> faults = EnumSet.copyOf(layout.faults());
      if (!partitions) {
        faults.removeAll(FaultKind.PARTITIONS);
      }
      String name = RunConfig.nameOf(layout.nodes(), layout.routers(), faults, seed);
      RunConfig config = new RunConfig(name, seed, layout.nodes(), layout.routers(), 4, faults,
          Duration.ofSeconds(seconds), MixedWorkload.Config.defaults(), ContainerRuntime.IMAGE, output);
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
