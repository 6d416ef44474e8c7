package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves that {@link Checkers#all} keeps the worst outcome and that filtering narrows a checker. */
class CheckersTest {
  private final Script s = new Script();

  @Test
  void allIsAsBadAsTheWorst() {
    s.writeOk(0, "reg/a", 1);
    s.readOk(1, "reg/a", 1L);
    s.ok(s.add(0, 1));
    Checker all = Checkers.all(new LinearizabilityChecker(), new SetChecker(), new EventualChecker());
    Verdict v = all.check(s.ops());
    assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN); // no final read of the set
    assertThat(v.summary()).isEqualTo("linearizability VALID, set UNKNOWN, eventual VALID");
    s.readOk(1, "reg/a", 2L);
    v = all.check(s.ops());
    assertThat(v.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(v.evidence()).isNotEmpty();
    assertThat(v.details()).anyMatch(line -> line.startsWith("linearizability: INVALID"));
    assertThat(Checkers.each(s.ops(), List.of(new SetChecker()))).extracting(Verdict::outcome)
        .containsExactly(Outcome.UNKNOWN);
  }

  @Test
  void filteredChecksOnlyTheMatchingOps() {
    s.writeOk(0, "reg/a", 1);
    s.writeOk(0, "sess/a", 1);
    s.writeOk(0, "sess/a", 2);
    s.readOk(1, "sess/a", 1L); // stale: fine for the session keys, not for a register
    LinearizabilityChecker linearizability = new LinearizabilityChecker();
    assertThat(linearizability.check(s.ops()).outcome()).isEqualTo(Outcome.INVALID);
    assertThat(linearizability.filtered(op -> op.key().startsWith("reg/")).check(s.ops()).outcome())
        .isEqualTo(Outcome.VALID);
  }

  @Test
  void outcomesCombine() {
    assertThat(Outcome.VALID.and(Outcome.VALID)).isEqualTo(Outcome.VALID);
    assertThat(Outcome.VALID.and(Outcome.UNKNOWN)).isEqualTo(Outcome.UNKNOWN);
    assertThat(Outcome.INVALID.and(Outcome.UNKNOWN)).isEqualTo(Outcome.INVALID);
    assertThat(Outcome.UNKNOWN.and(Outcome.INVALID)).isEqualTo(Outcome.INVALID);
  }
}
