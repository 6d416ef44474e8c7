package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.jepsen.history.Op;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link SetChecker} accepts every outcome an add may legitimately have against the
 * final read, and reports lost, unexpected and failed-but-present elements with their ops.
 * Hand-made histories ({@link Script}).
 */
class SetCheckerTest {
  private final Script s = new Script();
  private final SetChecker checker = new SetChecker();

  @Test
  void everyLegitimateOutcomeIsValid() {
    s.ok(s.add(0, 1));                      // ok, present
    s.info(s.add(0, 2));                    // info, present
    s.info(s.add(1, 3));                    // info, absent
    s.fail(s.add(2, 4));                    // fail, absent
    Op late = s.add(3, 5);                  // ok, but concurrent with the final read: may be absent
    Op read = s.readAll(4);
    s.ok(late);
    s.okReadAll(read, 1L, 2L);
    s.add(5, 6);                            // invoked after the read completed: ignored
    Verdict v = checker.check(s.ops());
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.VALID);
    assertThat(v.summary()).isEqualTo("ok present 1, ok absent, concurrent with the final read 1, info present 1, "
        + "info absent 1, fail absent 1");
    assertThat(v.evidence()).isEmpty();
  }

  @Test
  void lostElement() {
    s.ok(s.add(0, 1));
    Op lostAdd = s.add(0, 2);
    Op lostAck = s.ok(lostAdd);
    s.okReadAll(s.readAll(1), 1L);
    Verdict v = checker.check(s.ops());
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.details()).contains("lost (1): [2]", "  " + lostAck.describe());
    assertThat(v.evidence()).contains(lostAdd, lostAck);
  }

  @Test
  void unexpectedElement() {
    s.ok(s.add(0, 1));
    Op read = s.readAll(1);
    Op result = s.okReadAll(read, 1L, 99L);
    s.ok(s.add(0, 100)); // an add after the read does not explain its presence in the read
    Op lateRead = s.readAll(1);
    s.fail(lateRead);
    Verdict v = checker.check(s.ops());
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.details()).contains("unexpected (1): [99]");
    assertThat(v.evidence()).contains(result);
  }

  @Test
  void failedButPresent() {
    Op add = s.add(0, 1);
    Op failed = s.fail(add);
    s.okReadAll(s.readAll(1), 1L);
    Verdict v = checker.check(s.ops());
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.details()).contains("failed but present (1): [1]");
    assertThat(v.evidence()).contains(failed);
  }

  @Test
  void theLastFinalReadCounts() {
    s.ok(s.add(0, 1));
    s.okReadAll(s.readAll(1)); // an early read before the add was visible, say
    s.okReadAll(s.readAll(1), 1L);
    assertThat(checker.check(s.ops()).outcome()).isEqualTo(Outcome.VALID);
    s.okReadAll(s.readAll(1));
    assertThat(checker.check(s.ops()).outcome()).isEqualTo(Outcome.INVALID);
  }

  @Test
  void withoutASuccessfulFinalReadTheOutcomeIsUnknown() {
    s.ok(s.add(0, 1));
    s.fail(s.readAll(1));
    Verdict v = checker.check(s.ops());
    assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(v.valid()).isFalse();
  }
}
