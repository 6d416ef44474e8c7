package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.jepsen.history.Op;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link SessionChecker} accepts reads that respect read-your-writes and monotonic
 * reads per process — while other processes may still read stale versions — and reports each
 * violation with the two ops involved. Hand-made histories ({@link Script}).
 */
class SessionCheckerTest {
  private final Script s = new Script();

  private Verdict check() {
    return new SessionChecker().check(s.ops());
  }

  @Test
  void ownWritesAndMonotonicReadsAreValid() {
    s.okRead(s.read(0, "a"), null, null);     // before any write: absent is fine
    s.okVersion(s.write(0, "a", 1), 10);
    s.okRead(s.read(0, "a"), 1L, 10L);
    s.okRead(s.read(1, "a"), null, null);     // another process may be behind
    s.okRead(s.read(0, "a"), 2L, 12L);        // someone else's newer write
    s.info(s.write(0, "a", 3));               // unknown outcome: promises nothing
    s.okRead(s.read(2, "a"), 2L, 12L);
    s.okRead(s.read(0, "a"), 2L, 12L);
    s.fail(s.write(0, "b", 4));
    s.okRead(s.read(0, "b"), null, null);     // a failed write need not be seen
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.VALID);
    assertThat(v.summary()).startsWith("7 session reads: no violations");
  }

  @Test
  void readOlderThanOwnWrite() {
    Op write = s.okVersion(s.write(0, "a", 1), 10);
    Op read = s.okRead(s.read(0, "a"), 0L, 9L);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.details()).contains("read-your-writes: p0 a: version 9 < own write's version 10");
    assertThat(v.evidence()).containsExactly(write, read);
  }

  @Test
  void absentAfterOwnAcknowledgedWrite() {
    Op write = s.ok(s.write(0, "a", 1)); // even without a version
    Op read = s.okRead(s.read(0, "a"), null, null);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.evidence()).containsExactly(write, read);
  }

  @Test
  void sameVersionAsOwnWriteButAnotherValue() {
    s.okVersion(s.write(0, "a", 1), 10);
    s.okRead(s.read(0, "a"), 2L, 10L);
    assertThat(check().summary()).contains("read-your-writes=1");
  }

  @Test
  void nonMonotonicReads() {
    Op first = s.okRead(s.read(0, "a"), 5L, 20L);
    Op second = s.okRead(s.read(0, "a"), 4L, 15L);
    Op third = s.okRead(s.read(0, "a"), null, null);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.summary()).contains("2 violations {monotonic-reads=2}");
    assertThat(v.evidence()).containsExactly(first, second);
    assertThat(v.details()).contains("  " + third.describe());
  }

  @Test
  void readsOutsideTheSessionAreNotChecked() {
    s.okVersion(s.write(0, "a", 1), 10);
    s.okRead(s.read(0, "eventual"), null, null);
    Op eventual = s.read(0, "a");
    s.okRead(eventual, 0L, 9L); // stale, but at EVENTUAL level
    Verdict v = new SessionChecker(op -> !op.equals(eventual)).check(s.ops());
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.VALID);
  }
}
