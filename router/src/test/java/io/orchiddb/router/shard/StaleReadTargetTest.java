package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link StaleReadTarget}'s choice of replica: it is made at random (seeded here) and kept,
 * so consecutive reads go to the same replica, and made again only every {@code REPICK_READS}
 * reads, visiting every replica over time; a failure on the chosen replica moves it to
 * the next, a failure elsewhere does not; a crowded choice goes last for that read only; a chosen
 * replica that has left the group is replaced.
 */
class StaleReadTargetTest {
  private static final List<String> REPLICAS = List.of("n1", "n2", "n3");

  private final StaleReadTarget target = new StaleReadTarget(new SplittableRandom(42));

  private List<String> order() {
    return target.order(REPLICAS, node -> false);
  }

  @Test
  void theChoiceIsKeptAcrossReadsAndTheOthersFollowInGroupOrder() {
    List<String> first = order();
    assertThat(first).containsExactlyInAnyOrderElementsOf(REPLICAS);
    int at = REPLICAS.indexOf(first.get(0));
    assertThat(first).containsExactly(REPLICAS.get(at), REPLICAS.get((at + 1) % 3), REPLICAS.get((at + 2) % 3));
    for (int i = 0; i < 20; i++) {
      assertThat(order()).isEqualTo(first);
    }
  }

  @Test
  void theChoiceIsMadeAgainEveryRepickReadsAndSoVisitsEveryReplica() {
    java.util.Set<String> chosen = new java.util.HashSet<>();
    String current = order().get(0);
    int changes = 0;
    for (int i = 1; i < 40 * StaleReadTarget.REPICK_READS; i++) {
      String first = order().get(0);
      if (!first.equals(current)) {
        changes++;
        assertThat((i + 1) % StaleReadTarget.REPICK_READS).as("read %d changed the choice", i).isZero();
        current = first;
      }
      chosen.add(first);
    }
    assertThat(changes).isPositive();
    assertThat(chosen).containsExactlyInAnyOrderElementsOf(REPLICAS);
  }

  @Test
  void differentSeedsSpreadTheChoiceOverTheReplicas() {
    java.util.Set<String> chosen = new java.util.HashSet<>();
    for (long seed = 0; seed < 30; seed++) {
      chosen.add(new StaleReadTarget(new SplittableRandom(seed)).order(REPLICAS, node -> false).get(0));
    }
    assertThat(chosen).containsExactlyInAnyOrderElementsOf(REPLICAS);
  }

  @Test
  void aFailureOnTheChosenReplicaMovesTheChoiceToTheNext() {
    String chosen = order().get(0);
    String next = REPLICAS.get((REPLICAS.indexOf(chosen) + 1) % 3);
    target.failed(next, REPLICAS); // not the chosen one: no change
    assertThat(order().get(0)).isEqualTo(chosen);
    target.failed(chosen, REPLICAS);
    assertThat(target.chosen()).isEqualTo(next);
    assertThat(order().get(0)).isEqualTo(next);
  }

  @Test
  void aCrowdedChoiceGoesLastForThatReadOnly() {
    String chosen = order().get(0);
    List<String> spilled = target.order(REPLICAS, node -> node.equals(chosen));
    assertThat(spilled.get(2)).isEqualTo(chosen);
    assertThat(spilled.get(0)).isNotEqualTo(chosen);
    assertThat(target.chosen()).isEqualTo(chosen);
    assertThat(order().get(0)).isEqualTo(chosen);
  }

  @Test
  void aChoiceThatLeftTheGroupIsReplaced() {
    String chosen = order().get(0);
    List<String> without = REPLICAS.stream().filter(n -> !n.equals(chosen)).toList();
    List<String> order = target.order(without, node -> false);
    assertThat(order).containsExactlyInAnyOrderElementsOf(without);
    assertThat(target.chosen()).isIn(without);
  }
}
