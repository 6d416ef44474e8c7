package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.jepsen.history.Op;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link EventualChecker} allows stale reads but no invented values, no values of
 * failed or not yet invoked writes, and no two values for one version of a key. Hand-made
 * histories ({@link Script}).
 */
class EventualCheckerTest {
  private final Script s = new Script();

  private Verdict check() {
    return new EventualChecker().check(s.ops());
  }

  @Test
  void staleButWrittenValuesAreValid() {
    s.okVersion(s.write(0, "a", 1), 10);
    s.okVersion(s.write(0, "a", 2), 11);
    s.okRead(s.read(1, "a"), 1L, 10L);   // stale
    s.okRead(s.read(1, "a"), null, null); // a replica that has nothing yet
    Op w = s.write(0, "a", 3);
    s.okRead(s.read(1, "a"), 3L, 12L);   // concurrent with its write
    s.info(w);
    s.okVersion(s.cas(0, "a", 3, 4), 13);
    s.okRead(s.read(1, "a"), 4L, 13L);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.VALID);
  }

  @Test
  void valueOutOfThinAir() {
    s.okVersion(s.write(0, "a", 1), 10);
    Op read = s.okRead(s.read(1, "a"), 7L, 10L);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.summary()).contains("thin-air=1").contains("divergent=1");
    assertThat(v.evidence()).contains(read);
  }

  @Test
  void valueOfAnotherKey() {
    s.okVersion(s.write(0, "a", 1), 10);
    s.okRead(s.read(1, "b"), 1L, 10L);
    assertThat(check().summary()).contains("thin-air=1");
  }

  @Test
  void divergentReplicas() {
    Op write = s.okVersion(s.write(0, "a", 1), 10);
    s.ok(s.write(1, "a", 2));
    Op read = s.okRead(s.read(2, "a"), 2L, 10L);
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.summary()).contains("{divergent=1}");
    assertThat(v.details()).contains("divergent: a: version 10 has values 1 and 2");
    assertThat(v.evidence()).containsExactly(write, read);
  }

  @Test
  void valueOfAFailedWrite() {
    s.fail(s.write(0, "a", 1));
    s.okRead(s.read(1, "a"), 1L, 10L);
    assertThat(check().summary()).contains("{failed-write-read=1}");
  }

  @Test
  void valueReadBeforeItsWriteWasInvoked() {
    s.okRead(s.read(1, "a"), 1L, 10L);
    s.okVersion(s.write(0, "a", 1), 10);
    assertThat(check().summary()).contains("{future-read=1}");
  }
}
