package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the violations a checker finds, each a one-line description and the ops involved, and
 * turns them into a {@link Verdict}: details show the first {@link #SHOWN_MAX} with their ops, the
 * summary counts them by kind, the evidence is the first one's ops.
 */
final class Violations {
  /** Violations whose description and ops the details show. */
  static final int SHOWN_MAX = 20;

  private final String checker;
  private final Map<String, Integer> countByKind = new TreeMap<>();
  private final List<String> details = new ArrayList<>();
  private List<Op> evidence = List.of();
  private int count;

  Violations(String checker) {
    this.checker = checker;
  }

  void add(String kind, String description, List<Op> ops) {
    countByKind.merge(kind, 1, Integer::sum);
    count++;
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingLong(Op::index));
    if (count == 1) {
      evidence = sorted;
    }
    if (count <= SHOWN_MAX) {
      details.add(kind + ": " + description);
      for (Op op : sorted) {
        details.add("  " + op.describe());
      }
    } else if (count == SHOWN_MAX + 1) {
      details.add("... (further violations counted, not shown)");
    }
  }

  /** The verdict: VALID without violations, else INVALID; {@code checked} opens the summary. */
  Verdict verdict(String checked) {
    if (count == 0) {
      return new Verdict(checker, Outcome.VALID, checked + ": no violations", List.of(), List.of());
    }
    return new Verdict(checker, Outcome.INVALID, checked + ": " + count + " violations " + countByKind, details,
        evidence);
  }
}
