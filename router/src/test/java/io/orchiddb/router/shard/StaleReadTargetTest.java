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
 * replica that has left the group is replaced. The targets of several shards share one router-wide
 * preference: they choose the same node while it holds a replica of theirs, each moves alone
 * after a failure, and all follow when the preference is made again.
 */
class StaleReadTargetTest {
  private static final List<String> REPLICAS = List.of("n1", "n2", "n3");

  private final StaleReadTarget target = new StaleReadTarget(new StaleReadTarget.Preference(new SplittableRandom(42)));

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
      chosen.add(new StaleReadTarget(new StaleReadTarget.Preference(new SplittableRandom(seed)))
          .order(REPLICAS, node -> false).get(0));
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

  @Test
  void theShardsOfOneRouterChooseTheSameNodeAndFollowItWhenItIsMadeAgain() {
    StaleReadTarget.Preference shared = new StaleReadTarget.Preference(new SplittableRandom(7));
    StaleReadTarget a = new StaleReadTarget(shared);
    StaleReadTarget b = new StaleReadTarget(shared);
    StaleReadTarget c = new StaleReadTarget(shared);
    List<String> elsewhere = List.of("n4", "n5", "n6"); // c's shard has no replica on n1..n3
    java.util.Set<String> seen = new java.util.HashSet<>();
    int reads = 20 * StaleReadTarget.REPICK_READS;
    int apart = 0;
    for (int i = 0; i < reads; i++) {
      String first = a.order(REPLICAS, node -> false).get(0);
      // They differ only when the preference is made again between the two reads.
      if (!b.order(REPLICAS, node -> false).get(0).equals(first)) {
        apart++;
      }
      assertThat(c.order(elsewhere, node -> false).get(0)).isIn(elsewhere);
      seen.add(first);
    }
    assertThat(apart).isLessThanOrEqualTo(3 * reads / StaleReadTarget.REPICK_READS);
    assertThat(seen).as("made again over time").containsExactlyInAnyOrderElementsOf(REPLICAS);

    // A failure moves only the shard it happened on, until the preference is made again.
    String preferred = a.order(REPLICAS, node -> false).get(0);
    a.failed(preferred, REPLICAS);
    assertThat(a.chosen()).isNotEqualTo(preferred);
    assertThat(b.order(REPLICAS, node -> false).get(0)).isEqualTo(preferred);
    for (int i = 0; i < StaleReadTarget.REPICK_READS; i++) {
      a.order(REPLICAS, node -> false);
    }
    assertThat(a.order(REPLICAS, node -> false).get(0)).isEqualTo(b.order(REPLICAS, node -> false).get(0));
  }

  @Test
  void aRouterInsideANodeChoosesThatNodeEveryTimeAndComesBackToItAfterAFailure() {
    StaleReadTarget.Preference home = new StaleReadTarget.Preference(new SplittableRandom(42), "n2");
    StaleReadTarget shard = new StaleReadTarget(home);
    for (int i = 0; i < 3 * StaleReadTarget.REPICK_READS; i++) {
      assertThat(shard.order(REPLICAS, node -> false)).as("read %d", i).containsExactly("n2", "n3", "n1");
    }
    // Its replica there failed a read: the next replica until the choice is made again, then home.
    shard.failed("n2", REPLICAS);
    assertThat(shard.order(REPLICAS, node -> false).get(0)).isEqualTo("n3");
    String first = "n3";
    int reads = 1;
    while (first.equals("n3")) {
      first = shard.order(REPLICAS, node -> false).get(0);
      assertThat(++reads).isLessThanOrEqualTo(StaleReadTarget.REPICK_READS);
    }
    assertThat(first).isEqualTo("n2");
    // A shard with no replica on the home node still reads from one of its own replicas.
    StaleReadTarget elsewhere = new StaleReadTarget(home);
    assertThat(elsewhere.order(List.of("n4", "n5", "n6"), node -> false)).containsExactlyInAnyOrder("n4", "n5", "n6");
  }
}
