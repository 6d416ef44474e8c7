package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Op;
import java.util.ArrayList;
import java.util.List;

/** Running several checkers over one history. */
public final class Checkers {
  private Checkers() {}

  /** Each checker's verdict, in order. */
  public static List<Verdict> each(List<Op> history, List<Checker> checkers) {
    List<Verdict> verdicts = new ArrayList<>(checkers.size());
    for (Checker checker : checkers) {
      verdicts.add(checker.check(history));
    }
    return verdicts;
  }

  /**
   * One checker that runs all of {@code checkers}: its outcome is the worst of theirs
   * ({@link Outcome#and}), its details their reports, its evidence that of the first one not
   * valid.
   */
  public static Checker all(Checker... checkers) {
    List<Checker> list = List.of(checkers);
    return history -> combine(each(history, list));
  }

  static Verdict combine(List<Verdict> verdicts) {
    Outcome outcome = Outcome.VALID;
    List<String> summary = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<Op> evidence = List.of();
    for (Verdict v : verdicts) {
      outcome = outcome.and(v.outcome());
      summary.add(v.checker() + " " + v.outcome());
      details.addAll(v.report().lines().toList());
      if (evidence.isEmpty() && !v.valid()) {
        evidence = v.evidence();
      }
    }
    return new Verdict("all", outcome, String.join(", ", summary), details, evidence);
  }
}
