package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/** The counting of one leadership round ({@link ReadIndex.Quorum}). */
class ReadIndexQuorumTest {
  private static final long TERM = 7;

  @Test
  void threeVotersNeedTheLeaderAndOneFollowerInItsTerm() {
    ReadIndex.Quorum q = quorum(ids("n1", "n2", "n3"), Set.of());
    q.answer(id("n1"), TERM, null);
    assertThat(q.done).isNotDone();
    q.answer(id("n2"), TERM, null);
    assertThat(q.done).isCompletedWithValue(TERM);
  }

  @Test
  void aVoterInALaterTermOrUnreachableCountsAgainst() {
    ReadIndex.Quorum q = quorum(ids("n1", "n2", "n3"), Set.of());
    q.answer(id("n1"), TERM, null);
    q.answer(id("n2"), TERM + 1, null);
    assertThat(q.done).isNotDone();
    q.answer(id("n3"), -1, "UNAVAILABLE: partitioned");
    assertThat(q.done).isCompletedExceptionally();
    assertThat(q.done.handle((v, e) -> e.getMessage()).join())
        .contains("n1@g could not confirm it still leads term 7").contains("n2 is in term 8").contains("partitioned");
    // A late yes changes nothing once decided.
    q.answer(id("n3"), TERM, null);
    assertThat(q.done).isCompletedExceptionally();
  }

  @Test
  void aVoterInAnEarlierTermDoesNotConfirm() {
    ReadIndex.Quorum q = quorum(ids("n1", "n2", "n3"), Set.of());
    q.answer(id("n1"), TERM, null);
    q.answer(id("n2"), TERM - 1, null);
    assertThat(q.done).isNotDone();
    q.answer(id("n3"), TERM, null);
    assertThat(q.done).isCompletedWithValue(TERM);
  }

  @Test
  void fiveVotersNeedThreeAndFailOnceThreeSayNo() {
    ReadIndex.Quorum yes = quorum(ids("a", "b", "c", "d", "e"), Set.of());
    yes.answer(id("a"), TERM, null);
    yes.answer(id("b"), TERM, null);
    assertThat(yes.done).isNotDone();
    yes.answer(id("c"), TERM, null);
    assertThat(yes.done).isCompletedWithValue(TERM);

    ReadIndex.Quorum no = quorum(ids("a", "b", "c", "d", "e"), Set.of());
    no.answer(id("a"), TERM, null);
    no.answer(id("b"), -1, "timeout");
    no.answer(id("c"), -1, "timeout");
    assertThat(no.done).isNotDone();
    no.answer(id("d"), -1, "timeout");
    assertThat(no.done).isCompletedExceptionally();
  }

  @Test
  void whileTheConfigurationChangesBothMajoritiesMustConfirm() {
    // Old {a, b, c}, new {a, d, e}: a (the leader) and b confirm the old one, not the new one.
    ReadIndex.Quorum q = quorum(ids("a", "d", "e"), ids("a", "b", "c"));
    q.answer(id("a"), TERM, null);
    q.answer(id("b"), TERM, null);
    assertThat(q.done).isNotDone();
    q.answer(id("d"), TERM, null);
    assertThat(q.done).isCompletedWithValue(TERM);

    ReadIndex.Quorum lost = quorum(ids("a", "d", "e"), ids("a", "b", "c"));
    lost.answer(id("a"), TERM, null);
    lost.answer(id("d"), TERM, null);
    lost.answer(id("b"), -1, "down");
    assertThat(lost.done).isNotDone();
    lost.answer(id("c"), TERM + 1, null);
    assertThat(lost.done).as("the old configuration can no longer confirm").isCompletedExceptionally();
  }

  @Test
  void aLeaderAloneConfirmsAGroupOfOne() {
    ReadIndex.Quorum q = quorum(ids("n1"), Set.of());
    q.answer(id("n1"), TERM, null);
    assertThat(q.done).isCompletedWithValue(TERM);
  }

  @Test
  void aVotersFirstAnswerIsTheOneThatCounts() {
    ReadIndex.Quorum q = quorum(ids("n1", "n2", "n3"), Set.of());
    q.answer(id("n1"), TERM, null);
    q.answer(id("n2"), -1, "timeout");
    q.answer(id("n2"), TERM, null);
    assertThat(q.done).as("n2's later yes is not counted").isNotDone();
    assertThat(q.answered(id("n2"))).isTrue();
    assertThat(q.answered(id("n3"))).isFalse();
    q.answer(id("n3"), -1, "down");
    assertThat(q.done).isCompletedExceptionally();
  }

  @Test
  void enoughWithTellsWhichVotersAMajorityStillNeeds() {
    ReadIndex.Quorum three = quorum(ids("n1", "n2", "n3"), Set.of());
    three.answer(id("n1"), TERM, null);
    assertThat(three.enoughWith(Set.of())).isFalse();
    assertThat(three.enoughWith(ids("n2"))).isTrue();
    assertThat(three.enoughWith(ids("n3"))).isTrue();

    ReadIndex.Quorum five = quorum(ids("a", "b", "c", "d", "e"), Set.of());
    five.answer(id("a"), TERM, null);
    assertThat(five.enoughWith(ids("b"))).isFalse();
    assertThat(five.enoughWith(ids("b", "e"))).isTrue();

    // Old {a, b, c}, new {a, d, e}: one voter of each besides the leader.
    ReadIndex.Quorum joint = quorum(ids("a", "d", "e"), ids("a", "b", "c"));
    joint.answer(id("a"), TERM, null);
    assertThat(joint.enoughWith(ids("d"))).isFalse();
    assertThat(joint.enoughWith(ids("d", "e"))).isFalse();
    assertThat(joint.enoughWith(ids("d", "b"))).isTrue();
  }

  @Test
  void theVotersThatSaidYesAreKeptInTheOrderTheyDid() {
    ReadIndex.Quorum q = quorum(ids("a", "b", "c", "d", "e"), Set.of());
    q.answer(id("a"), TERM, null);
    q.answer(id("d"), TERM, null);
    q.answer(id("b"), -1, "down");
    q.answer(id("c"), TERM, null);
    assertThat(q.done).isCompletedWithValue(TERM);
    assertThat(q.yesInOrder()).containsExactly(id("a"), id("d"), id("c"));
  }

  private static ReadIndex.Quorum quorum(Set<RaftPeerId> current, Set<RaftPeerId> previous) {
    return new ReadIndex.Quorum("n1@g", TERM, current, previous);
  }

  private static RaftPeerId id(String s) {
    return RaftPeerId.valueOf(s);
  }

  private static Set<RaftPeerId> ids(String... s) {
    return Stream.of(s).map(RaftPeerId::valueOf).collect(Collectors.toSet());
  }
}
