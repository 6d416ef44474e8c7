package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks the set workload for lost and phantom elements: ADD operations of unique elements, and
 * a final READ_ALL of the whole set (the last OK one; without one the outcome is UNKNOWN). Keys
 * are ignored: a history holds one set (the adds may each use their own key).
 *
 * <p>Only adds invoked before the final read completed are considered; against that read:
 *
 * <ul>
 *   <li>lost: an element whose ADD was OK before the final read was invoked, but is absent
 *       (an OK add still in flight when the read began may legitimately be missing);
 *   <li>unexpected: an element present but never added;
 *   <li>failed but present: an element whose adds all FAILed, present (FAIL means not applied).
 * </ul>
 *
 * <p>Valid iff all three are empty. INFO adds may be present or absent; both are counted.
 */
public final class SetChecker implements Checker {
  public static final String NAME = "set";
  /** Elements listed per kind of violation in the details. */
  public static final int ELEMENTS_SHOWN_MAX = 20;

  /** The adds of one element, by outcome. */
  private record Adds(List<Operation> ok, List<Operation> info, List<Operation> fail) {
    Adds() {
      this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }
  }

  @Override
  public Verdict check(List<Op> history) {
    List<Operation> operations = History.operations(history);
    Operation finalRead = operations.stream()
        .filter(o -> o.f() == Fn.READ_ALL && o.type() == OpType.OK)
        .max(Comparator.comparingLong(Operation::completionIndex)).orElse(null);
    if (finalRead == null) {
      return new Verdict(NAME, Outcome.UNKNOWN, "no successful READ_ALL: nothing to check the adds against",
          List.of(), List.of());
    }
    long readStart = finalRead.invoke().index();
    long readEnd = finalRead.completionIndex();
    Map<Long, Adds> addsByElement = new TreeMap<>();
    for (Operation o : operations) {
      if (o.f() == Fn.ADD && o.invoke().index() < readEnd) {
        Adds adds = addsByElement.computeIfAbsent(o.invoke().value(), e -> new Adds());
        switch (o.type()) {
          case OK -> adds.ok().add(o);
          case INFO -> adds.info().add(o);
          case FAIL -> adds.fail().add(o);
          case INVOKE -> throw new AssertionError("an operation's type is never INVOKE");
        }
      }
    }
    Set<Long> present = finalRead.completion().elements();
    Map<Kind, SortedSet<Long>> kinds = new EnumMap<>(Kind.class);
    List<Operation> offending = new ArrayList<>();
    for (Map.Entry<Long, Adds> e : addsByElement.entrySet()) {
      Kind kind = classify(e.getValue(), present.contains(e.getKey()), readStart);
      kinds.computeIfAbsent(kind, k -> new TreeSet<>()).add(e.getKey());
      if (kind == Kind.LOST) {
        offending.addAll(e.getValue().ok());
      } else if (kind == Kind.FAILED_PRESENT) {
        offending.addAll(e.getValue().fail());
      }
    }
    for (long element : present) {
      if (!addsByElement.containsKey(element)) {
        kinds.computeIfAbsent(Kind.UNEXPECTED, k -> new TreeSet<>()).add(element);
      }
    }
    return verdict(finalRead, kinds, offending);
  }

  /** What became of an element, as the final read shows it. */
  private enum Kind {
    OK_PRESENT("ok present", false),
    OK_CONCURRENT_ABSENT("ok absent, concurrent with the final read", false),
    INFO_PRESENT("info present", false),
    INFO_ABSENT("info absent", false),
    FAIL_ABSENT("fail absent", false),
    LOST("lost", true),
    UNEXPECTED("unexpected", true),
    FAILED_PRESENT("failed but present", true);

    final String label;
    final boolean violation;

    Kind(String label, boolean violation) {
      this.label = label;
      this.violation = violation;
    }
  }

  private static Kind classify(Adds adds, boolean present, long readStart) {
    if (present) {
      if (!adds.ok().isEmpty()) {
        return Kind.OK_PRESENT;
      }
      return adds.info().isEmpty() ? Kind.FAILED_PRESENT : Kind.INFO_PRESENT;
    }
    if (adds.ok().stream().anyMatch(o -> o.completionIndex() < readStart)) {
      return Kind.LOST;
    }
    if (!adds.ok().isEmpty()) {
      return Kind.OK_CONCURRENT_ABSENT;
    }
    return adds.info().isEmpty() ? Kind.FAIL_ABSENT : Kind.INFO_ABSENT;
  }

  private static Verdict verdict(Operation finalRead, Map<Kind, SortedSet<Long>> kinds, List<Operation> offending) {
    boolean valid = kinds.keySet().stream().noneMatch(k -> k.violation);
    StringBuilder summary = new StringBuilder();
    kinds.forEach((kind, elements) -> summary.append(summary.length() == 0 ? "" : ", ")
        .append(kind.label).append(' ').append(elements.size()));
    List<String> details = new ArrayList<>();
    details.add("final read: " + finalRead.completion().describe());
    for (Map.Entry<Kind, SortedSet<Long>> e : kinds.entrySet()) {
      Kind kind = e.getKey();
      SortedSet<Long> elements = e.getValue();
      if (kind.violation) {
        details.add(kind.label + " (" + elements.size() + "): "
            + elements.stream().limit(ELEMENTS_SHOWN_MAX).toList()
            + (elements.size() > ELEMENTS_SHOWN_MAX ? " ..." : ""));
      }
    }
    List<Op> evidence = new ArrayList<>();
    if (!valid) {
      offending.sort(Comparator.comparingLong(o -> o.invoke().index()));
      for (Operation o : offending.subList(0, Math.min(ELEMENTS_SHOWN_MAX, offending.size()))) {
        details.add("  " + o.completion().describe());
        evidence.add(o.invoke());
        evidence.add(o.completion());
      }
      evidence.add(finalRead.invoke());
      evidence.add(finalRead.completion());
      evidence.sort(Comparator.comparingLong(Op::index));
    }
    return new Verdict(NAME, valid ? Outcome.VALID : Outcome.INVALID,
        summary.length() == 0 ? "no adds" : summary.toString(), details, evidence);
  }
}
