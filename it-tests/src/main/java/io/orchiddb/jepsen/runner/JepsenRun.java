package io.orchiddb.jepsen.runner;

import io.orchiddb.jepsen.checker.EventualChecker;
import io.orchiddb.jepsen.checker.LinearizabilityChecker;
import io.orchiddb.jepsen.checker.SessionChecker;
import io.orchiddb.jepsen.checker.SetChecker;
import io.orchiddb.jepsen.checker.Verdict;
import io.orchiddb.jepsen.cluster.ClusterControl;
import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.nemesis.Nemesis;
import io.orchiddb.jepsen.nemesis.Schedule;
import io.orchiddb.jepsen.workload.Keys;
import io.orchiddb.jepsen.workload.MixedWorkload;
import io.orchiddb.testcontainers.OrchidCluster;
import io.orchiddb.testcontainers.OrchidContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Carries out one {@link RunConfig}: start the cluster, run the workload under the nemesis, heal
 * everything, read the whole set, check the history, write the files, remove the containers.
 *
 * <p>Files under {@code <outputRoot>/<name>/}: {@code history.jsonl} (every invocation and
 * completion, one JSON object per line, in real-time order), {@code nemesis.log} (the faults'
 * timeline on the history's clock, with the seed), {@code verdict.txt} (each checker's verdict and,
 * when one fails, its details such as the smallest failing window), {@code logs/<container>.log},
 * and with embedded routers {@code local-writes.txt} ({@link LocalWriteCounters}).
 *
 * <p>The one place the harness reads the real clock: everything below keeps time on
 * {@code nanoClock}.
 */
public final class JepsenRun {
  private static final Duration RECOVERY_PATIENCE = Duration.ofSeconds(120);
  /** The process id of the final read, far above any worker's. */
  private static final int FINAL_PROCESS = 1_000_000;

  private JepsenRun() {}

  public static RunResult run(RunConfig config) {
    Path dir = config.outputRoot().resolve(config.name());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.printf(Locale.ROOT, "jepsen %s: seed %d (replay with -Djepsen.seed=%d), %d nodes, routers %s, faults %s,"
            + " %d s%n", config.name(), config.seed(), config.seed(), config.nodes(), config.routers(), config.faults(),
        config.duration().toSeconds());
    OrchidCluster cluster = new OrchidCluster(config.image())
        .withNodes(config.nodes())
        .withNodeSetting("shard-count", Integer.toString(config.shards()))
        // Small snapshot threshold: restarts recover from snapshots, laggards catch up by installs.
        .withNodeSetting("snapshot-threshold", "500");
    if (config.routers() == RunConfig.Routers.EMBEDDED) {
      cluster.withEmbeddedRouters(); // fixed host ports too: clients keep their endpoints across restarts
    } else {
      cluster.withRouterPortsFixed();
    }
    String nodeJavaOpts = System.getProperty("jepsen.node-java-opts", "");
    if (!nodeJavaOpts.isBlank()) {
      cluster.withNodeSetting("java-opts", nodeJavaOpts); // e.g. Ratis log levels for a post-mortem
    }
    List<String> harnessErrors = new ArrayList<>();
    LongSupplier nanoClock = System::nanoTime;
    History history = new History(nanoClock);
    Nemesis nemesis = null;
    MixedWorkload workload = null;
    try {
      cluster.start();
      ClusterControl control = new ClusterControl(cluster, nanoClock);
      Schedule schedule = Schedule.generate(config.seed(), control.nodeIds(), config.faults(), config.duration());
      History started = new History(nanoClock); // its clock starts now, with the workload
      history = started;
      nemesis = new Nemesis(control, schedule, started::nanosSinceStart); // the nemesis keeps time on it too
      workload = new MixedWorkload(cluster.grpcEndpoints(), history, config.workload(), config.seed(), nanoClock);
      nemesis.start();
      workload.run(config.duration());
      nemesis.stop();
      healEverything(control, harnessErrors);
      if (!workload.readSet(FINAL_PROCESS, RECOVERY_PATIENCE)) {
        harnessErrors.add("the cluster did not serve the final read of the set within " + RECOVERY_PATIENCE.toSeconds()
            + " s of healing (availability after faults is part of the contract)");
      }
      if (config.routers() == RunConfig.Routers.EMBEDDED) {
        LocalWriteCounters.check(cluster, dir.resolve("local-writes.txt"), RECOVERY_PATIENCE, nanoClock, harnessErrors);
      }
      harnessErrors.addAll(nemesis.errors().stream().map(e -> "nemesis " + e.fault()).toList());
      if (workload.unexpectedErrors() > 0) {
        harnessErrors.add(workload.unexpectedErrors() + " exceptions the SDK should not throw, first: "
            + workload.firstUnexpected());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      harnessErrors.add("interrupted");
    } catch (RuntimeException e) {
      harnessErrors.add("harness: " + e);
    } finally {
      if (nemesis != null) {
        nemesis.stop();
      }
      saveLogs(cluster, dir.resolve("logs"), harnessErrors);
      try {
        cluster.stop();
      } catch (RuntimeException e) {
        harnessErrors.add("cleanup: " + e);
      }
    }
    List<Op> ops = history.ops();
    List<Verdict> verdicts = check(ops, config.workload().workers());
    RunResult result = RunResult.of(config, dir, ops, nemesis == null ? 0 : nemesis.injections(), verdicts, harnessErrors);
    try {
      history.writeJsonLines(dir.resolve("history.jsonl"));
      if (nemesis != null) {
        nemesis.writeTimeline(dir.resolve("nemesis.log"));
      }
      Files.writeString(dir.resolve("verdict.txt"), result.report(), StandardCharsets.UTF_8);
      for (Verdict v : verdicts) {
        if (!v.evidence().isEmpty()) {
          History.writeJsonLines(v.evidence(), dir.resolve("evidence-" + v.checker() + ".jsonl"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the run's files to " + dir, e);
    }
    System.out.println(result.summaryLine());
    return result;
  }

  /** Every checker over its part of the history. */
  static List<Verdict> check(List<Op> ops, int workers) {
    List<Verdict> verdicts = new ArrayList<>();
    verdicts.add(new LinearizabilityChecker().check(select(ops, op -> op.key() != null && op.key().startsWith(Keys.REGISTER))));
    verdicts.add(new SetChecker().check(select(ops, op -> op.f() == Fn.ADD || op.f() == Fn.READ_ALL)));
    // Session promises hold for a worker's reads of the keys it writes itself.
    verdicts.add(new SessionChecker().check(select(ops,
        op -> Keys.sessionOwner(op.key()) >= 0 && Keys.sessionOwner(op.key()) == op.process() % workers)));
    verdicts.add(new EventualChecker().check(select(ops, op -> op.key() != null && op.key().startsWith(Keys.SESSION))));
    return verdicts;
  }

  private static List<Op> select(List<Op> ops, Predicate<Op> which) {
    return ops.stream().filter(which).toList();
  }

  /** After the schedule: every node and the router (if in a container) running, resumed and fully connected. */
  private static void healEverything(ClusterControl control, List<String> errors) {
    for (String id : control.nodeIds()) {
      try {
        control.startNode(id);
        control.resumeNode(id);
        control.healNetwork(id);
      } catch (RuntimeException e) {
        errors.add("heal " + id + ": " + e.getMessage());
      }
    }
    if (!control.hasRouterContainer()) {
      return; // the routers run in the nodes, started above
    }
    try {
      control.startRouter();
    } catch (RuntimeException e) {
      errors.add("heal router: " + e.getMessage());
    }
  }

  private static void saveLogs(OrchidCluster cluster, Path logs, List<String> errors) {
    List<OrchidContainer> containers = new ArrayList<>(cluster.nodes());
    if (!cluster.embeddedRouters()) {
      try {
        containers.add(cluster.router());
      } catch (IllegalStateException notStarted) {
        // no router: the cluster did not start
      }
    }
    try {
      Files.createDirectories(logs);
      for (OrchidContainer c : containers) {
        if (c.getContainerId() != null) {
          Files.writeString(logs.resolve(c.nodeId().orElse("router") + ".log"), c.getLogs(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException | RuntimeException e) {
      errors.add("saving container logs: " + e.getMessage());
    }
  }

  static long count(List<Op> ops, OpType type) {
    return ops.stream().filter(op -> op.type() == type).count();
  }
}
