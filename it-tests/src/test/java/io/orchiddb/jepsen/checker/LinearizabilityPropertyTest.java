package io.orchiddb.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.orchiddb.jepsen.checker.LinearizabilityChecker.KeyResult;
import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves, on generated histories, that the checkers accept everything a linearizable store does
 * and that the linearizability checker catches a single invented read anywhere.
 *
 * <p>How: {@link RegisterSimulation} runs 1-8 concurrent clients against a real register store,
 * each operation taking effect at a random step inside its interval, with FAIL, INFO (applied or
 * not, possibly late) and operations left in flight. Such a history must be VALID for the
 * linearizability, session and eventual checkers. Then one OK read's value is replaced by a value
 * no one wrote: the history must be INVALID, and the shortest failing prefix must end exactly at
 * that read (every shorter prefix is a prefix of the valid history). The performance cases check
 * a 2000-op single-key history of 8 clients (and 4000 ops of 10) within the default budget.
 *
 * <p>Exactness, both ways: on small generated histories, one read of which is often changed to
 * another written value or to absent (so about half are not linearizable), the checker must
 * agree with {@link BruteForce}, which enumerates every order straight from the definition, with
 * explicit "applied / not applied" branches for unknown outcomes; and likewise on arbitrary tiny
 * histories (random intervals, outcomes and read results over three values, so writes repeat
 * values and most are not linearizable).
 *
 * <p>Seeds are fixed (0-299) and shown in each case's name; rerun one with {@code
 * -Dchecker.seed=<seed>}. (Plain JUnit rather than jqwik: shrinking a history would not help read
 * a window, and the seed is all that is needed to replay one.)
 */
class LinearizabilityPropertyTest {
  private static final int SEEDS = 300;

  private final LinearizabilityChecker linearizability = new LinearizabilityChecker();

  static LongStream seeds() {
    Long seed = Long.getLong("checker.seed");
    return seed != null ? LongStream.of(seed) : LongStream.range(0, SEEDS);
  }

  private static List<Op> generate(long seed) {
    SplittableRandom shape = new SplittableRandom(~seed);
    return RegisterSimulation.generate(seed, 1 + shape.nextInt(8), 1 + shape.nextInt(3), 10 + shape.nextInt(200));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aLinearizableStoresHistoryIsValid(long seed) {
    List<Op> history = generate(seed);
    for (Checker checker : List.of(linearizability, new SessionChecker(), new EventualChecker())) {
      Verdict v = checker.check(history);
      assertThat(v.outcome()).as("seed %d: %s", seed, v.report()).isEqualTo(Outcome.VALID);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void oneInventedReadMakesItInvalidAndEndsTheWindow(long seed) {
    List<Op> history = generate(seed);
    List<Op> reads = history.stream().filter(op -> op.f() == Fn.READ && op.isOk()).toList();
    assumeFalse(reads.isEmpty(), "no OK read to corrupt");
    Op target = reads.get(new SplittableRandom(seed).nextInt(reads.size()));
    Op invented = target.withValue(-1L); // written values are positive
    List<Op> corrupted = history.stream().map(op -> op == target ? invented : op).toList();

    Verdict v = linearizability.check(corrupted);
    assertThat(v.outcome()).as("seed %d: %s", seed, v.report()).isEqualTo(Outcome.INVALID);
    KeyResult bad = linearizability.checkKeys(corrupted).stream()
        .filter(r -> r.key().equals(target.key())).findFirst().orElseThrow();
    assertThat(bad.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(bad.last()).as("seed %d: %s", seed, v.report()).isEqualTo(invented);
    assertThat(bad.window()).contains(invented);
    assertThat(new EventualChecker().check(corrupted).outcome()).isEqualTo(Outcome.INVALID);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void agreesWithBruteForceOnSmallHistories(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Op> history = RegisterSimulation.generate(seed, 2 + random.nextInt(3), 1, 3 + random.nextInt(6));
    // Replace one OK read's value by another written value, or absent: valid or not, both must agree.
    List<Op> reads = history.stream().filter(op -> op.f() == Fn.READ && op.isOk()).toList();
    List<Long> written = history.stream().filter(op -> op.isInvoke() && op.f() != Fn.READ).map(Op::value).toList();
    if (!reads.isEmpty() && random.nextInt(4) != 0) {
      Op target = reads.get(random.nextInt(reads.size()));
      Long value = written.isEmpty() || random.nextInt(4) == 0 ? null : written.get(random.nextInt(written.size()));
      history = history.stream().map(op -> op == target ? op.withValue(value) : op).toList();
    }
    Outcome expected = BruteForce.linearizable(history) ? Outcome.VALID : Outcome.INVALID;
    Verdict v = linearizability.check(history);
    assertThat(v.outcome()).as("seed %d: %s%n%s", seed, v.report(), describe(history)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void agreesWithBruteForceOnArbitraryHistories(long seed) {
    List<Op> history = arbitrary(new SplittableRandom(seed));
    Outcome expected = BruteForce.linearizable(history) ? Outcome.VALID : Outcome.INVALID;
    Verdict v = linearizability.check(history);
    assertThat(v.outcome()).as("seed %d: %s%n%s", seed, v.report(), describe(history)).isEqualTo(expected);
  }

  /**
   * Up to 7 operations, one per process, on values 1-3 (so values repeat, unlike in the
   * simulation), any outcome, any read result, invocations and completions randomly interleaved.
   */
  static List<Op> arbitrary(SplittableRandom random) {
    long[] now = {0};
    History history = new History(() -> ++now[0]);
    int count = 1 + random.nextInt(7);
    Op[] inFlight = new Op[count];
    int invoked = 0;
    while (true) {
      List<Integer> completable = new ArrayList<>();
      for (int p = 0; p < invoked; p++) {
        if (inFlight[p] != null) {
          completable.add(p);
        }
      }
      if (invoked < count && (completable.isEmpty() || random.nextBoolean())) {
        long value = 1 + random.nextInt(3);
        inFlight[invoked] = history.invoke(switch (random.nextInt(3)) {
          case 0 -> Op.read(invoked, "k");
          case 1 -> Op.write(invoked, "k", value);
          default -> Op.cas(invoked, "k", 1 + random.nextInt(3), value);
        });
        invoked++;
      } else if (!completable.isEmpty()) {
        int p = completable.get(random.nextInt(completable.size()));
        int dice = random.nextInt(10);
        OpType type = dice < 6 ? OpType.OK : dice < 8 ? OpType.INFO : OpType.FAIL;
        if (dice == 9) {
          inFlight[p] = null; // never completes
          continue;
        }
        Long read = inFlight[p].f() == Fn.READ && type == OpType.OK && random.nextInt(4) != 0
            ? Long.valueOf(1 + random.nextInt(3)) : null;
        history.complete(inFlight[p], type, read, null, null, null);
        inFlight[p] = null;
      } else {
        return history.ops();
      }
    }
  }

  private static String describe(List<Op> history) {
    return String.join("\n", history.stream().map(Op::describe).toList());
  }

  @Test
  void twoThousandOpsOfEightClientsOnOneKey() {
    assertFastAndValid(RegisterSimulation.generate(42, 8, 1, 2000));
  }

  @Test
  void fourThousandOpsOfTenClientsOnOneKey() {
    assertFastAndValid(RegisterSimulation.generate(43, 10, 1, 4000));
  }

  @Test
  void aLongInvalidHistoryIsShortenedWithinTheBudget() {
    List<Op> history = RegisterSimulation.generate(44, 8, 1, 2000);
    List<Op> reads = history.stream().filter(op -> op.f() == Fn.READ && op.isOk()).toList();
    Op target = reads.get(reads.size() / 2);
    Op invented = target.withValue(-1L);
    List<Op> corrupted = history.stream().map(op -> op == target ? invented : op).toList();
    long start = System.nanoTime();
    KeyResult r = linearizability.checkKeys(corrupted).get(0);
    System.out.printf("invalid 2000 ops, 8 clients: %s with a window of %d events in %.1f ms%n", r.outcome(),
        r.window().size(), (System.nanoTime() - start) / 1e6);
    assertThat(r.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(r.windowMinimal()).isTrue();
    assertThat(r.last()).isEqualTo(invented);
  }

  private void assertFastAndValid(List<Op> history) {
    long start = System.nanoTime();
    List<KeyResult> results = linearizability.checkKeys(history);
    System.out.printf("%d events: %s in %d steps, %.1f ms%n", history.size(), results.get(0).outcome(),
        results.get(0).steps(), (System.nanoTime() - start) / 1e6);
    assertThat(results).singleElement().extracting(KeyResult::outcome).isEqualTo(Outcome.VALID);
  }
}
