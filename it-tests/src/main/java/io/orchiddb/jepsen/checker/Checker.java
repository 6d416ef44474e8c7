package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Op;
import java.util.List;
import java.util.function.Predicate;

/**
 * Checks one property of a history. A checker is pure: it reads the ops (invocations and
 * completions, in any order; they are sorted by index) and returns a {@link Verdict}; it throws
 * IllegalArgumentException only for a malformed history (a completion without an invocation).
 */
public interface Checker {
  Verdict check(List<Op> history);

  /**
   * This checker applied to the ops that match {@code ops} only, e.g. the keys of one workload:
   * {@code checker.filtered(op -> op.key().startsWith("reg/"))}. The predicate must give the same
   * answer for an invocation and its completion (test fields they share: key, f, process).
   */
  default Checker filtered(Predicate<Op> ops) {
    Checker inner = this;
    return history -> inner.check(history.stream().filter(ops).toList());
  }
}
