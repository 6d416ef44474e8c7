package io.orchiddb.jepsen.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The nemesis's plan for a run, a pure function of its inputs: the same seed, nodes, kinds and
 * duration give the same steps, so a failing run's faults can be replayed ({@code -Djepsen.seed}).
 * Each step waits for a quiet spell, injects one fault or two composed ones (never twice on one
 * node), holds them, and heals them; the last few seconds of a run are always quiet.
 */
public record Schedule(long seed, List<Step> steps) {
  /** One step: at {@code at} after the run's start inject {@code faults}, heal them {@code hold} later. */
  public record Step(Duration at, List<Fault> faults, Duration hold) {
    public Step {
      faults = List.copyOf(faults);
    }
  }

  private static final long QUIET_MIN_MS = 2_000;
  private static final long QUIET_SPREAD_MS = 3_000;
  private static final long HOLD_MIN_MS = 3_000;
  private static final long HOLD_SPREAD_MS = 6_000;
  private static final long TAIL_MS = 5_000;
  private static final double COMPOSE_CHANCE = 0.3;

  public Schedule {
    steps = List.copyOf(steps);
  }

  public static Schedule generate(long seed, List<String> nodes, Set<FaultKind> kinds, Duration duration) {
    Objects.requireNonNull(nodes, "nodes");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no nodes");
    }
    List<FaultKind> pool = new ArrayList<>(kinds);
    if (nodes.size() < 3) {
      pool.removeAll(FaultKind.PARTITIONS); // one or two nodes cannot be split in a meaningful way
    }
    List<Step> steps = new ArrayList<>();
    if (pool.isEmpty()) {
      return new Schedule(seed, steps);
    }
    pool.sort(null); // the enum's order, whatever order the set had
    SplittableRandom random = new SplittableRandom(seed);
    long t = QUIET_MIN_MS + random.nextLong(QUIET_SPREAD_MS);
    long end = duration.toMillis() - TAIL_MS;
    while (true) {
      long hold = HOLD_MIN_MS + random.nextLong(HOLD_SPREAD_MS);
      if (t + hold > end) {
        break;
      }
      List<Fault> faults = new ArrayList<>();
      Set<String> touched = new HashSet<>();
      Fault first = draw(pool.get(random.nextInt(pool.size())), nodes, touched, random);
      faults.add(first);
      touched.addAll(first.nodes());
      boolean routerDown = first instanceof Fault.KillRouter;
      if (random.nextDouble() < COMPOSE_CHANCE) {
        // A second fault of a node-level or router kind, on nodes the first left alone.
        List<FaultKind> second = pool.stream().filter(k -> !FaultKind.PARTITIONS.contains(k)).toList();
        if (!second.isEmpty()) {
          FaultKind kind = second.get(random.nextInt(second.size()));
          boolean fits = kind == FaultKind.KILL_ROUTER ? !routerDown : touched.size() < nodes.size();
          if (fits && !(first instanceof Fault.Partition && kind != FaultKind.KILL_ROUTER)) {
            faults.add(draw(kind, nodes, touched, random));
          }
        }
      }
      steps.add(new Step(Duration.ofMillis(t), faults, Duration.ofMillis(hold)));
      t += hold + QUIET_MIN_MS + random.nextLong(QUIET_SPREAD_MS);
    }
    return new Schedule(seed, steps);
  }

  private static Fault draw(FaultKind kind, List<String> nodes, Set<String> taken, SplittableRandom random) {
    List<String> free = new ArrayList<>(nodes);
    free.removeAll(taken);
    List<String> shuffled = new ArrayList<>(nodes);
    shuffle(shuffled, random);
    return switch (kind) {
      case KILL -> new Fault.KillNode(free.get(random.nextInt(free.size())));
      case PAUSE -> new Fault.PauseNode(free.get(random.nextInt(free.size())));
      case KILL_ROUTER -> new Fault.KillRouter();
      case PARTITION_ISOLATE -> Fault.Partition.isolate(shuffled.get(0), nodes);
      case PARTITION_HALVES -> {
        int minority = (nodes.size() - 1) / 2;
        yield Fault.Partition.halves("majority/minority", shuffled.subList(0, minority), shuffled.subList(minority, nodes.size()));
      }
      case PARTITION_BRIDGE -> {
        int left = (nodes.size() - 1) / 2;
        yield Fault.Partition.bridge(shuffled.subList(0, left), shuffled.get(left), shuffled.subList(left + 1, nodes.size()));
      }
    };
  }

  /**
   * Fisher-Yates on the schedule's own generator (Java 17's {@code Collections.shuffle} takes only
   * a {@code java.util.Random}), so the plan stays a function of the seed alone.
   */
  private static void shuffle(List<String> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      java.util.Collections.swap(list, i, random.nextInt(i + 1));
    }
  }

  /** The number of faults the plan injects. */
  public int faultCount() {
    return steps.stream().mapToInt(s -> s.faults().size()).sum();
  }
}
