package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks what even reads at EVENTUAL level, from any replica, must satisfy, over the register
 * operations (READ, WRITE, CAS) of a history:
 *
 * <ul>
 *   <li>no values out of thin air: an OK READ returns absent or a value that a WRITE or CAS of the
 *       key invoked before the read completed, and did not FAIL (a FAIL was not applied);
 *   <li>no divergent replicas: a version of a key is a log index, so it identifies one value;
 *       every op carrying a version (OK writes, OK reads) must agree on the value of a
 *       (key, version). Two that differ mean two replicas committed different entries at one
 *       index.
 * </ul>
 *
 * <p>Staleness is allowed: nothing is said about which written value a read returns.
 */
public final class EventualChecker implements Checker {
  public static final String NAME = "eventual";

  /** A (key, value) or (key, version) pair. */
  private record KeyAnd(String key, long n) {}

  @Override
  public Verdict check(List<Op> history) {
    List<Operation> operations = History.operations(history).stream()
        .filter(o -> o.invoke().isRegisterOp()).toList();
    Map<KeyAnd, Operation> firstWriteOf = new HashMap<>();
    Map<KeyAnd, Operation> failedWriteOf = new HashMap<>();
    for (Operation o : operations) {
      if (o.f() != Fn.READ) {
        // Invocation order: the first one put is the earliest.
        Map<KeyAnd, Operation> writes = o.type() == OpType.FAIL ? failedWriteOf : firstWriteOf;
        writes.putIfAbsent(new KeyAnd(o.key(), o.invoke().value()), o);
      }
    }
    Violations violations = new Violations(NAME);
    Map<KeyAnd, Op> valueAt = new HashMap<>();
    int reads = 0;
    for (Operation o : operations) {
      if (o.type() != OpType.OK) {
        continue;
      }
      Op c = o.completion();
      if (o.f() == Fn.READ) {
        reads++;
        checkValue(o, firstWriteOf, failedWriteOf, violations);
      }
      if (c.version() != null) {
        Op first = valueAt.putIfAbsent(new KeyAnd(o.key(), c.version()), c);
        if (first != null && !Objects.equals(first.value(), c.value())) {
          violations.add("divergent", o.key() + ": version " + c.version() + " has values " + first.value()
              + " and " + c.value(), List.of(first, c));
        }
      }
    }
    return violations.verdict(reads + " reads, " + valueAt.size() + " versions");
  }

  private static void checkValue(Operation read, Map<KeyAnd, Operation> firstWriteOf,
                                 Map<KeyAnd, Operation> failedWriteOf, Violations violations) {
    Op c = read.completion();
    if (c.value() == null) {
      return;
    }
    KeyAnd written = new KeyAnd(read.key(), c.value());
    Operation write = firstWriteOf.get(written);
    if (write == null) {
      Operation failed = failedWriteOf.get(written);
      if (failed != null) {
        violations.add("failed-write-read", read.key() + ": read " + c.value() + ", written only by a FAILed write",
            List.of(failed.invoke(), failed.completion(), read.invoke(), c));
      } else {
        violations.add("thin-air", read.key() + ": read " + c.value() + ", never written",
            List.of(read.invoke(), c));
      }
    } else if (write.invoke().index() > c.index()) {
      violations.add("future-read", read.key() + ": read " + c.value() + " before its write was invoked",
          List.of(read.invoke(), c, write.invoke()));
    }
  }
}
