package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Checks the session guarantees of reads at SESSION level, per process and key, from the versions
 * the reads return. A process runs one operation at a time, so its operations are in order; for
 * each OK session READ of a key by a process:
 *
 * <ul>
 *   <li>read-your-writes: its version is ≥ the version of the process's own OK WRITEs and CASes of
 *       the key before it; if equal, the value is the one written;
 *   <li>monotonic reads: its version is ≥ that of the process's previous OK read of the key (any
 *       level: an earlier read fixes what the session has seen);
 *   <li>absent (no version) after the process's own acknowledged write, or after it read a
 *       version, is a violation: the workload never deletes.
 * </ul>
 *
 * <p>Writes of unknown outcome (INFO) and failed ones promise nothing and are ignored. A READ
 * that returns a value without a version cannot be compared and is skipped.
 */
public final class SessionChecker implements Checker {
  public static final String NAME = "session";

  private final Predicate<Op> sessionReads;

  /** A checker for which every READ is a session read. */
  public SessionChecker() {
    this(op -> true);
  }

  /**
   * A checker for which the READs whose invocation matches {@code sessionReads} are session
   * reads; the other reads only count for monotonic reads.
   */
  public SessionChecker(Predicate<Op> sessionReads) {
    this.sessionReads = Objects.requireNonNull(sessionReads, "sessionReads");
  }

  /** What one process has written and read of one key so far. */
  private static final class Session {
    Op lastWrite;
    Op lastVersionedWrite;
    Op lastVersionedRead;
  }

  @Override
  public Verdict check(List<Op> history) {
    Map<String, List<Operation>> bySessionKey = new TreeMap<>();
    int reads = 0;
    for (Operation o : History.operations(history)) {
      if (o.invoke().isRegisterOp()) {
        bySessionKey.computeIfAbsent(o.process() + " " + o.key(), k -> new ArrayList<>()).add(o);
        reads += o.f() == Fn.READ && o.type() == OpType.OK && sessionReads.test(o.invoke()) ? 1 : 0;
      }
    }
    Violations violations = new Violations(NAME);
    for (List<Operation> operations : bySessionKey.values()) {
      Session session = new Session();
      for (Operation o : operations) {
        if (o.type() == OpType.OK) {
          step(session, o, violations);
        }
      }
    }
    return violations.verdict(reads + " session reads");
  }

  private void step(Session session, Operation o, Violations violations) {
    Op c = o.completion();
    if (o.f() != Fn.READ) {
      session.lastWrite = c;
      if (c.version() != null && (session.lastVersionedWrite == null
          || c.version() > session.lastVersionedWrite.version())) {
        session.lastVersionedWrite = c;
      }
      return;
    }
    if (sessionReads.test(o.invoke())) {
      checkRead(session, c, violations);
    }
    if (c.version() != null && (session.lastVersionedRead == null
        || c.version() > session.lastVersionedRead.version())) {
      session.lastVersionedRead = c;
    }
  }

  private static void checkRead(Session session, Op read, Violations violations) {
    String where = "p" + read.process() + " " + read.key() + ": ";
    Op write = session.lastVersionedWrite;
    Op seen = session.lastVersionedRead;
    if (read.version() == null) {
      if (read.value() != null) {
        return;
      }
      if (session.lastWrite != null) {
        violations.add("read-your-writes", where + "absent after the process's own acknowledged write",
            List.of(session.lastWrite, read));
      } else if (seen != null) {
        violations.add("monotonic-reads", where + "absent after the process read version " + seen.version(),
            List.of(seen, read));
      }
      return;
    }
    long version = read.version();
    if (write != null && version < write.version()) {
      violations.add("read-your-writes", where + "version " + version + " < own write's version " + write.version(),
          List.of(write, read));
    } else if (write != null && version == write.version() && !Objects.equals(read.value(), write.value())) {
      violations.add("read-your-writes", where + "version " + version + " of own write read with value "
          + read.value() + " instead of " + write.value(), List.of(write, read));
    }
    if (seen != null && version < seen.version()) {
      violations.add("monotonic-reads", where + "version " + version + " < version " + seen.version()
          + " read before", List.of(seen, read));
    }
  }
}
