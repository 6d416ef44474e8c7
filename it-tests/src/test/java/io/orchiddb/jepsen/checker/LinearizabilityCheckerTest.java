package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.orchiddb.jepsen.checker.LinearizabilityChecker.KeyResult;
import io.orchiddb.jepsen.history.Op;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link LinearizabilityChecker} accepts the histories a linearizable register can
 * produce — including concurrency and every way an unknown (INFO) outcome can turn out — and
 * rejects the classic anomalies, pointing at the event that makes each history impossible.
 *
 * <p>How: hand-made histories ({@link Script}: the order of the calls is the real-time order),
 * each small enough to check by hand; for each rejected one, the test also checks that the
 * reported window ends with the offending event and contains the offending read.
 */
class LinearizabilityCheckerTest {
  private static final String K = "k";

  private final Script s = new Script();
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  private Verdict check() {
    Verdict v = checker.check(s.ops());
    assertThat(v.checker()).isEqualTo(LinearizabilityChecker.NAME);
    return v;
  }

  private void assertValid() {
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.VALID);
    assertThat(v.valid()).isTrue();
  }

  /** Asserts INVALID, that the prefix ends at {@code last} and that the window holds {@code read}. */
  private KeyResult assertInvalid(Op last, Op... inWindow) {
    Verdict v = check();
    assertThat(v.outcome()).as(v.report()).isEqualTo(Outcome.INVALID);
    assertThat(v.valid()).isFalse();
    KeyResult r = checker.checkKeys(s.ops()).get(0);
    assertThat(r.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(r.windowMinimal()).isTrue();
    assertThat(r.last()).as(v.report()).isEqualTo(last);
    assertThat(r.window()).as(v.report()).contains(last).contains(inWindow);
    assertThat(v.evidence()).isEqualTo(r.window());
    assertThat(v.details()).anyMatch(line -> line.contains(last.describe()) && line.contains("<-"));
    return r;
  }

  @Test
  void acceptsEmptyHistory() {
    assertValid();
  }

  @Test
  void acceptsSequentialReadsWritesAndCas() {
    s.readOk(0, K, null);
    s.writeOk(0, K, 1);
    s.readOk(1, K, 1L);
    s.ok(s.cas(1, K, 1, 2));
    s.readOk(0, K, 2L);
    s.writeOk(1, K, 3);
    s.readOk(1, K, 3L);
    assertValid();
  }

  @Test
  void acceptsOverlappingWritesWithReadsSeeingEitherOrder() {
    // w1 and w2 overlap; a concurrent read sees 2, a later one 1: the order was w2, w1.
    s.writeOk(0, K, 0);
    Op w1 = s.write(0, K, 1);
    Op w2 = s.write(1, K, 2);
    Op r1 = s.read(2, K);
    s.okRead(r1, 2L);
    s.ok(w1);
    s.ok(w2);
    s.readOk(2, K, 1L);
    s.readOk(3, K, 1L);
    assertValid();
  }

  @Test
  void acceptsReadConcurrentWithAWriteSeesTheOldOrTheNewValue() {
    s.writeOk(0, K, 1);
    Op w = s.write(0, K, 2);
    Op old = s.read(1, K);
    Op fresh = s.read(2, K);
    s.okRead(fresh, 2L);
    s.okRead(old, 1L); // linearized before w, although it completes after a read that saw 2
    s.ok(w);
    s.readOk(1, K, 2L);
    assertValid();
  }

  @Test
  void acceptsInfoWriteThatLaterShowsUp() {
    s.writeOk(0, K, 1);
    s.info(s.write(0, K, 2));
    s.readOk(1, K, 1L); // not applied yet
    s.readOk(1, K, 2L); // applied now
    s.readOk(2, K, 2L);
    assertValid();
  }

  @Test
  void acceptsInfoWriteThatNeverShowsUp() {
    s.writeOk(0, K, 1);
    s.info(s.write(0, K, 2));
    s.readOk(1, K, 1L);
    s.readOk(2, K, 1L);
    assertValid();
  }

  @Test
  void acceptsInfoCasThatApplied() {
    s.writeOk(0, K, 1);
    s.info(s.cas(0, K, 1, 2));
    s.readOk(1, K, 2L);
    assertValid();
  }

  @Test
  void acceptsInfoCasThatDidNotApply() {
    s.writeOk(0, K, 1);
    s.info(s.cas(0, K, 1, 2));
    s.readOk(1, K, 1L);
    s.writeOk(1, K, 3);
    s.readOk(1, K, 3L);
    assertValid();
  }

  @Test
  void acceptsInfoCasThatAppliedOnlyAfterALaterWrite() {
    // cas(1 -> 2) finds no 1 when invoked; it applies once the later write of 1 has.
    s.writeOk(0, K, 5);
    s.info(s.cas(0, K, 1, 2));
    s.writeOk(1, K, 1);
    s.readOk(1, K, 2L);
    assertValid();
  }

  @Test
  void acceptsFailedWriteNeverSeen() {
    s.writeOk(0, K, 1);
    s.fail(s.write(0, K, 2));
    s.readOk(1, K, 1L);
    assertValid();
  }

  @Test
  void acceptsFailedCasAndFailedOrInfoReadsAreIgnored() {
    s.writeOk(0, K, 1);
    s.fail(s.cas(0, K, 7, 8));
    s.fail(s.read(1, K));
    s.info(s.read(2, K));
    s.readOk(3, K, 1L);
    assertValid();
  }

  @Test
  void acceptsWriteInFlightAtTheEndSeenByAConcurrentRead() {
    s.writeOk(0, K, 1);
    s.write(0, K, 2); // never completes
    s.readOk(1, K, 2L);
    assertValid();
  }

  @Test
  void acceptsIndependentKeys() {
    s.writeOk(0, "a", 1);
    s.writeOk(0, "b", 2);
    s.readOk(1, "a", 1L);
    s.readOk(1, "b", 2L);
    assertThat(checker.checkKeys(s.ops())).extracting(KeyResult::key).containsExactly("a", "b");
    assertValid();
  }

  @Test
  void rejectsStaleRead() {
    s.writeOk(0, K, 1);
    s.writeOk(0, K, 2);
    Op r = s.read(1, K);
    Op stale = s.okRead(r, 1L);
    assertInvalid(stale, r);
  }

  @Test
  void rejectsStaleReadAfterAConcurrentReaderSawTheNewValue() {
    s.writeOk(0, K, 1);
    Op w = s.write(0, K, 2);
    s.readOk(1, K, 2L); // so w took effect before this completed
    Op r = s.read(2, K);
    Op stale = s.okRead(r, 1L);
    s.ok(w);
    assertInvalid(stale, r);
  }

  @Test
  void rejectsLostWrite() {
    s.writeOk(0, K, 1);
    s.readOk(1, K, 1L);
    s.writeOk(0, K, 2);
    Op r = s.read(1, K);
    Op lost = s.okRead(r, 1L);
    KeyResult result = assertInvalid(lost, r);
    // The window shows the acknowledged write that was lost (one of the ops just before).
    assertThat(result.window()).anyMatch(op -> op.isOk() && op.value() != null && op.value() == 2L);
  }

  @Test
  void rejectsAcknowledgedWriteThenAbsent() {
    s.writeOk(0, K, 1);
    Op r = s.read(1, K);
    Op absent = s.okRead(r, null);
    assertInvalid(absent, r);
  }

  @Test
  void rejectsDuplicateApply() {
    s.writeOk(0, K, 1);
    s.writeOk(1, K, 2);
    s.readOk(2, K, 2L);
    Op r = s.read(2, K);
    Op again = s.okRead(r, 1L);
    assertInvalid(again, r);
  }

  @Test
  void rejectsReadOfAValueNeverWritten() {
    s.writeOk(0, K, 1);
    Op w = s.write(0, K, 2);
    Op r = s.read(1, K);
    Op invented = s.okRead(r, 3L);
    s.ok(w);
    assertInvalid(invented, r);
  }

  @Test
  void rejectsCasThatSucceededAlthoughTheValueDiffered() {
    s.writeOk(0, K, 1);
    Op cas = s.cas(1, K, 5, 6);
    Op applied = s.ok(cas);
    assertInvalid(applied, cas);
  }

  @Test
  void rejectsCasOnAnAbsentRegister() {
    Op cas = s.cas(0, K, 0, 1);
    Op applied = s.ok(cas);
    assertInvalid(applied, cas);
  }

  @Test
  void rejectsReadOfAFailedWritesValue() {
    s.writeOk(0, K, 1);
    s.fail(s.write(0, K, 2));
    Op r = s.read(1, K);
    Op read = s.okRead(r, 2L);
    assertInvalid(read, r);
  }

  @Test
  void rejectsReadOfAFailedWritesValueConcurrentWithIt() {
    // Only the FAIL, after the read, makes the read impossible: the window ends at the FAIL.
    s.writeOk(0, K, 1);
    Op w = s.write(0, K, 2);
    Op r = s.read(1, K);
    Op read = s.okRead(r, 2L);
    Op failed = s.fail(w);
    assertInvalid(failed, r, read);
  }

  @Test
  void rejectsReadOfAnInfoCasThatCouldNeverApply() {
    s.writeOk(0, K, 1);
    s.info(s.cas(0, K, 5, 6));
    Op r = s.read(1, K);
    Op read = s.okRead(r, 6L);
    assertInvalid(read, r);
  }

  @Test
  void reportsTheShortestFailingPrefixNotTheEnd() {
    s.writeOk(0, K, 1);
    s.writeOk(0, K, 2);
    Op r = s.read(1, K);
    Op stale = s.okRead(r, 1L);
    for (int i = 3; i < 20; i++) {
      s.writeOk(0, K, i);
      s.readOk(1, K, (long) i);
    }
    KeyResult result = assertInvalid(stale, r);
    assertThat(result.window()).allMatch(op -> op.index() <= stale.index());
  }

  @Test
  void reportsOnlyTheBadKey() {
    s.writeOk(0, "good", 1);
    s.writeOk(0, "bad", 1);
    s.writeOk(0, "bad", 2);
    s.readOk(1, "good", 1L);
    s.readOk(1, "bad", 1L);
    Verdict v = check();
    assertThat(v.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(checker.checkKeys(s.ops())).extracting(KeyResult::key, KeyResult::outcome)
        .containsExactly(tuple("bad", Outcome.INVALID),
            tuple("good", Outcome.VALID));
    assertThat(v.summary()).contains("[bad]");
    assertThat(v.evidence()).allMatch(op -> op.key().equals("bad"));
  }

  @Test
  void anExhaustedBudgetIsUnknownNotValid() {
    s.writeOk(0, K, 1);
    s.readOk(1, K, 1L);
    Verdict v = new LinearizabilityChecker(Duration.ZERO).check(s.ops());
    assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(v.valid()).isFalse();
    assertThat(v.details()).singleElement().asString().contains("key k: unknown: time budget");
  }

  @Test
  void theBudgetIsMeasuredOnTheInjectedClock() {
    s.writeOk(0, K, 1);
    s.readOk(1, K, 1L);
    long[] now = {0};
    // Each look at the clock moves it 1 s; a budget of 10 s outlasts this tiny search.
    LinearizabilityChecker ticking = new LinearizabilityChecker(Duration.ofSeconds(10), () -> now[0] += 1_000_000_000L);
    assertThat(ticking.check(s.ops()).outcome()).isEqualTo(Outcome.VALID);
    LinearizabilityChecker tooShort = new LinearizabilityChecker(Duration.ofMillis(500), () -> now[0] += 1_000_000_000L);
    assertThat(tooShort.check(s.ops()).outcome()).isEqualTo(Outcome.UNKNOWN);
  }

  @Test
  void nonRegisterOpsAreIgnored() {
    s.ok(s.add(0, 1));
    s.okReadAll(s.readAll(0), 1L);
    assertThat(checker.checkKeys(s.ops())).isEmpty();
    assertValid();
  }

  @Test
  void theWindowLinesAreReadable() {
    s.writeOk(0, K, 1);
    s.writeOk(0, K, 2);
    s.readOk(1, K, 1L);
    List<String> details = check().details();
    assertThat(details.get(0)).startsWith("key k: not linearizable (3 operations); the shortest non-linearizable "
        + "prefix ends at #5");
    assertThat(details.subList(1, details.size())).containsExactly(
        "  #0 p0 invoke write k value=1 t=1.000ms",
        "  #1 p0 ok write k value=1 t=2.000ms",
        "  #2 p0 invoke write k value=2 t=3.000ms",
        "  #3 p0 ok write k value=2 t=4.000ms",
        "  #4 p1 invoke read k t=5.000ms",
        "  #5 p1 ok read k value=1 t=6.000ms   <- no linearization once this happened");
  }
}
