package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import io.orchiddb.jepsen.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The definition of linearizability for one register, checked by enumerating every order, for
 * small histories: an independent oracle for {@link LinearizabilityChecker} (no cache, no event
 * list, no reductions). An operation may go next iff no pending operation of known outcome
 * returned before it was called; an operation of unknown outcome may go next either applied or
 * not applied; it succeeds once every OK operation is placed.
 */
final class BruteForce {
  private record Step(Fn f, Long value, Long expected, long call, long ret, boolean known) {}

  private final List<Step> steps = new ArrayList<>();

  private BruteForce(List<Op> history) {
    for (Operation o : History.operations(history)) {
      OpType type = o.type();
      if (type == OpType.FAIL || (type == OpType.INFO && o.f() == Fn.READ)) {
        continue;
      }
      boolean known = type == OpType.OK;
      Long value = o.f() == Fn.READ ? o.completion().value() : o.invoke().value();
      steps.add(new Step(o.f(), value, o.invoke().expected(), o.invoke().index(),
          known ? o.completion().index() : Long.MAX_VALUE, known));
    }
  }

  static boolean linearizable(List<Op> history) {
    BruteForce b = new BruteForce(history);
    return b.search(new boolean[b.steps.size()], null);
  }

  private boolean search(boolean[] done, Long state) {
    long firstReturn = Long.MAX_VALUE;
    boolean allKnownDone = true;
    for (int i = 0; i < steps.size(); i++) {
      if (!done[i]) {
        firstReturn = Math.min(firstReturn, steps.get(i).ret());
        allKnownDone &= !steps.get(i).known();
      }
    }
    if (allKnownDone) {
      return true;
    }
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (done[i] || s.call() > firstReturn) {
        continue;
      }
      done[i] = true;
      boolean legal = switch (s.f()) {
        case READ -> Objects.equals(s.value(), state);
        case WRITE -> true;
        case CAS -> s.expected().equals(state);
        default -> throw new AssertionError(s.f());
      };
      Long next = s.f() == Fn.READ ? state : s.value();
      if ((legal && search(done, next)) || (!s.known() && search(done, state))) {
        done[i] = false;
        return true;
      }
      done[i] = false;
    }
    return false;
  }
}
