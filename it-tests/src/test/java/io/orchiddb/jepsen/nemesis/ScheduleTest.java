package io.orchiddb.jepsen.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves that a {@link Schedule} is a pure function of its inputs, so a run's faults replay from
 * its seed: the same seed gives the same steps every time (including which nodes a partition puts
 * on each side), different seeds give different plans, and every plan keeps its own rules (steps in
 * order, healed before the quiet tail, no node hit twice in one step).
 *
 * <p>How: {@link Schedule#generate} over a fixed range of seeds (each failure names its seed), on
 * five nodes with every kind of fault, for ten minutes of run.
 */
class ScheduleTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Set<FaultKind> ALL = EnumSet.allOf(FaultKind.class);
  private static final Duration RUN = Duration.ofMinutes(10);
  private static final int SEEDS = 200;

  @Test
  void theSameSeedGivesTheSameSchedule() {
    for (long seed = 0; seed < SEEDS; seed++) {
      assertThat(Schedule.generate(seed, NODES, ALL, RUN)).as("seed %d", seed)
          .isEqualTo(Schedule.generate(seed, NODES, ALL, RUN));
    }
  }

  @Test
  void differentSeedsGiveDifferentSchedules() {
    Set<List<Schedule.Step>> plans = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      plans.add(Schedule.generate(seed, NODES, ALL, RUN).steps());
    }
    assertThat(plans).hasSize(SEEDS);
  }

  @Test
  void partitionSidesVaryWithTheSeed() {
    Set<String> isolated = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      for (Schedule.Step step : Schedule.generate(seed, NODES, EnumSet.of(FaultKind.PARTITION_ISOLATE), RUN).steps()) {
        Fault.Partition p = (Fault.Partition) step.faults().get(0);
        isolated.addAll(p.grudges().entrySet().stream()
            .filter(e -> e.getValue().size() == NODES.size() - 1).map(Map.Entry::getKey).toList());
      }
    }
    assertThat(isolated).containsExactlyInAnyOrderElementsOf(NODES);
  }

  @Test
  void everyPlanKeepsItsRules() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Duration previousEnd = Duration.ZERO;
      for (Schedule.Step step : Schedule.generate(seed, NODES, ALL, RUN).steps()) {
        assertThat(step.at()).as("seed %d: steps in order, a quiet spell between", seed).isGreaterThan(previousEnd);
        previousEnd = step.at().plus(step.hold());
        assertThat(previousEnd).as("seed %d: healed before the quiet tail", seed)
            .isLessThanOrEqualTo(RUN.minusSeconds(5));
        assertThat(step.faults()).as("seed %d: one or two faults", seed).hasSizeBetween(1, 2);
        Set<String> touched = new HashSet<>();
        for (Fault f : step.faults()) {
          for (String node : f.nodes()) {
            assertThat(touched.add(node)).as("seed %d: %s hit twice in one step", seed, node).isTrue();
          }
        }
      }
    }
  }
}
