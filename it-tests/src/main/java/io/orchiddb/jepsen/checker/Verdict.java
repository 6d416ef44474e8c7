package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Op;
import java.util.List;
import java.util.Objects;

/**
 * A checker's conclusion: the {@code outcome}, a one-line {@code summary}, human-readable
 * {@code details} (one line each: the failing window, the violations) and {@code evidence}, the ops
 * of the first violation as data (empty when there is none), to write next to the history.
 */
public record Verdict(String checker, Outcome outcome, String summary, List<String> details, List<Op> evidence) {
  public Verdict {
    Objects.requireNonNull(checker, "checker");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(summary, "summary");
    details = List.copyOf(details);
    evidence = List.copyOf(evidence);
  }

  /** Whether the outcome is {@link Outcome#VALID}; UNKNOWN is not valid. */
  public boolean valid() {
    return outcome == Outcome.VALID;
  }

  /** The verdict as text: {@code checker: OUTCOME: summary}, then the details indented. */
  public String report() {
    StringBuilder s = new StringBuilder();
    s.append(checker).append(": ").append(outcome).append(": ").append(summary);
    for (String line : details) {
      s.append("\n  ").append(line);
    }
    return s.toString();
  }
}
