package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One linearizability search over the operations of one register key: the Wing–Gong algorithm
 * with Lowe's memoization, laid out as in Porcupine ({@code anishathalye/porcupine}, {@code
 * checker.go}, {@code checkSingle}). See {@link LinearizabilityChecker} for the rules that turn a
 * history into the {@link Candidate}s searched here.
 *
 * <p>Every candidate has a call event and a return event (at {@link #NEVER} when the outcome is
 * unknown), in one doubly linked list sorted by time. The search walks the list: at a call it
 * tries to linearize that operation next (legal in the current state, and the pair (set of
 * linearized operations, new state) not seen before); if so the call and its return are lifted out
 * of the list, the operation is pushed on a stack and the walk restarts at the head. Reaching a
 * return means that operation had to be linearized by now but was not: pop the last choice, unlift
 * it and try the next call after it. An empty stack there means no linearization exists.
 *
 * <p>Unknown outcomes: their returns sort after every finite return, so reaching the first of them
 * means every operation with a known outcome is linearized, and the search succeeds; the unknown
 * operations not yet linearized are those that did not take effect. Leaving an unknown WRITE or
 * CAS out is exactly its "did not apply" branch (an op that never applies is indistinguishable
 * from one linearized after everything), so only the "applied" branch is explored explicitly.
 *
 * <p>Reduction for unknown outcomes: an unknown WRITE or CAS linearized right before a WRITE
 * could as well not have applied (its value is overwritten before anyone sees it; dropping a
 * CAS only drops its condition), and so could one linearized last. So if any linearization
 * exists, one exists in which every applied unknown operation is immediately followed by a READ
 * or CAS that observes its value (reads that value, or expects it). The search only explores
 * those: an unknown operation nobody could observe is dropped before the search (repeatedly, as
 * dropping a CAS removes an observer); one whose observers are all linearized is not tried; and
 * after an unknown operation the next one must not be a WRITE (a flag kept with the state and in
 * the cache key). Without this, each operation that timed out is concurrent with everything after
 * it and is tried at every step, which can double the states a search must exhaust.
 *
 * <p>Not thread-safe; one instance per search.
 */
final class RegisterSearch {
  /** Return time of an operation whose outcome is unknown: after everything. */
  static final long NEVER = Long.MAX_VALUE;
  /** Steps between two looks at the clock. */
  private static final int CLOCK_CHECK_STEPS = 1024;
  /** Words a cache entry costs beyond its bitset (object headers, array, hash set node). */
  private static final int CACHE_ENTRY_OVERHEAD_WORDS = 8;

  /**
   * An operation as the search sees it: READ (legal iff the state equals {@code value}), WRITE
   * (sets {@code value}) or CAS (legal iff the state equals {@code expected}, then sets {@code
   * value}); called at {@code callIndex}, returned at {@code returnIndex} or {@link #NEVER}.
   */
  record Candidate(Fn f, Long value, Long expected, long callIndex, long returnIndex) {
    Candidate {
      if (f == Fn.CAS) {
        Objects.requireNonNull(expected, "CAS without expected");
      }
      if (returnIndex <= callIndex) {
        throw new IllegalArgumentException("return " + returnIndex + " <= call " + callIndex);
      }
    }
  }

  /** Why a search stopped without an answer. */
  enum Stop {
    NONE,
    BUDGET,
    CACHE
  }

  /** A node of the event list; a call's {@code match} is its return. */
  private static final class Entry {
    final int op;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  /**
   * A memoized search state: the set of linearized operations, the register's value, and whether
   * the last operation linearized had an unknown outcome (see the reduction in the class doc).
   */
  private static final class CacheKey {
    final long[] linearized;
    final Long state;
    final boolean afterUnknown;
    final int hash;

    CacheKey(long[] linearized, Long state, boolean afterUnknown) {
      this.linearized = linearized;
      this.state = state;
      this.afterUnknown = afterUnknown;
      this.hash = (Arrays.hashCode(linearized) * 31 + Objects.hashCode(state)) * 2 + (afterUnknown ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k && hash == k.hash && afterUnknown == k.afterUnknown
          && Objects.equals(state, k.state) && Arrays.equals(linearized, k.linearized);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final Candidate[] ops;
  /** For an unknown operation, the operations that could observe its value; else null. */
  private final int[][] observers;
  private final Entry head = new Entry(-1, false, Long.MIN_VALUE);
  private long steps;
  private Stop stop = Stop.NONE;

  RegisterSearch(List<Candidate> candidates) {
    this.ops = observable(candidates).toArray(new Candidate[0]);
    this.observers = observers(ops);
    List<Entry> entries = new ArrayList<>(2 * ops.length);
    for (int i = 0; i < ops.length; i++) {
      Entry call = new Entry(i, true, ops[i].callIndex());
      Entry ret = new Entry(i, false, ops[i].returnIndex());
      call.match = ret;
      entries.add(call);
      entries.add(ret);
    }
    // Indexes are unique except NEVER; among those, any order is fine.
    entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparingInt(e -> e.op));
    Entry last = head;
    for (Entry e : entries) {
      last.next = e;
      e.prev = last;
      last = e;
    }
  }

  /** {@code candidates} without the unknown operations nobody could observe (see the class doc). */
  private static List<Candidate> observable(List<Candidate> candidates) {
    List<Candidate> kept = candidates;
    while (true) {
      Set<Long> observed = new HashSet<>();
      for (Candidate c : kept) {
        if (c.f() == Fn.READ && c.value() != null) {
          observed.add(c.value());
        } else if (c.f() == Fn.CAS) {
          observed.add(c.expected());
        }
      }
      List<Candidate> next = kept.stream()
          .filter(c -> c.returnIndex() != NEVER || observed.contains(c.value())).toList();
      if (next.size() == kept.size()) {
        return kept;
      }
      kept = next;
    }
  }

  private static int[][] observers(Candidate[] ops) {
    Map<Long, List<Integer>> observersOf = new HashMap<>();
    for (int i = 0; i < ops.length; i++) {
      Long observed = ops[i].f() == Fn.READ ? ops[i].value() : ops[i].f() == Fn.CAS ? ops[i].expected() : null;
      if (observed != null) {
        observersOf.computeIfAbsent(observed, v -> new ArrayList<>()).add(i);
      }
    }
    int[][] observers = new int[ops.length][];
    for (int i = 0; i < ops.length; i++) {
      if (ops[i].returnIndex() == NEVER) {
        observers[i] = observersOf.getOrDefault(ops[i].value(), List.of()).stream()
            .mapToInt(Integer::intValue).toArray();
      }
    }
    return observers;
  }

  /**
   * The candidates of the operations of one key as of {@code cutIndex}: only events with an index
   * ≤ cutIndex have happened, so an operation completed later is still in flight (unknown
   * outcome). FAIL operations and reads of unknown outcome are left out; OK operations return at
   * their completion; WRITE and CAS of unknown outcome return {@link #NEVER}.
   */
  static List<Candidate> candidates(List<Operation> operations, long cutIndex) {
    List<Candidate> candidates = new ArrayList<>(operations.size());
    for (Operation operation : operations) {
      Op invoke = operation.invoke();
      if (invoke.index() > cutIndex) {
        continue;
      }
      Op completion = operation.completionIndex() <= cutIndex ? operation.completion() : null;
      OpType type = completion == null ? OpType.INFO : completion.type();
      if (type == OpType.FAIL || (type == OpType.INFO && invoke.f() == Fn.READ)) {
        continue;
      }
      long returnIndex = type == OpType.OK ? completion.index() : NEVER;
      Long value = invoke.f() == Fn.READ ? completion.value() : invoke.value();
      candidates.add(new Candidate(invoke.f(), value, invoke.expected(), invoke.index(), returnIndex));
    }
    return candidates;
  }

  /**
   * Searches for a linearization, starting from an absent register. Returns VALID, INVALID, or
   * UNKNOWN when {@code nanoClock} passes {@code deadlineNanos} or the cache would exceed {@code
   * cacheWordsMax} words ({@link #stop()} says which).
   */
  Outcome run(LongSupplier nanoClock, long deadlineNanos, long cacheWordsMax) {
    long[] linearized = new long[(ops.length + 63) / 64];
    Set<CacheKey> cache = new HashSet<>();
    long cacheWords = 0;
    Entry[] stackEntries = new Entry[ops.length];
    Long[] stackStates = new Long[ops.length];
    boolean[] stackAfterUnknown = new boolean[ops.length];
    int depth = 0;
    Long state = null;
    boolean afterUnknown = false;
    Entry entry = head.next;
    while (true) {
      if (steps++ % CLOCK_CHECK_STEPS == 0 && nanoClock.getAsLong() - deadlineNanos >= 0) {
        stop = Stop.BUDGET;
        return Outcome.UNKNOWN;
      }
      if (entry == null || (!entry.call && entry.time == NEVER)) {
        return Outcome.VALID;
      }
      if (!entry.call) {
        if (depth == 0) {
          return Outcome.INVALID;
        }
        depth--;
        entry = stackEntries[depth];
        state = stackStates[depth];
        afterUnknown = stackAfterUnknown[depth];
        clear(linearized, entry.op);
        unlift(entry);
        entry = entry.next;
        continue;
      }
      Candidate op = ops[entry.op];
      if (legal(op, state) && !(afterUnknown && op.f() == Fn.WRITE) && observable(entry.op, linearized)) {
        Long next = op.f() == Fn.READ ? state : op.value();
        boolean nextAfterUnknown = op.returnIndex() == NEVER;
        set(linearized, entry.op);
        if (cache.add(new CacheKey(linearized.clone(), next, nextAfterUnknown))) {
          cacheWords += linearized.length + CACHE_ENTRY_OVERHEAD_WORDS;
          if (cacheWords > cacheWordsMax) {
            stop = Stop.CACHE;
            return Outcome.UNKNOWN;
          }
          stackEntries[depth] = entry;
          stackStates[depth] = state;
          stackAfterUnknown[depth] = afterUnknown;
          depth++;
          state = next;
          afterUnknown = nextAfterUnknown;
          lift(entry);
          entry = head.next;
          continue;
        }
        clear(linearized, entry.op);
      }
      entry = entry.next;
    }
  }

  /** Steps taken by {@link #run}. */
  long steps() {
    return steps;
  }

  /** Why {@link #run} returned UNKNOWN, or NONE. */
  Stop stop() {
    return stop;
  }

  /** Whether an operation of known outcome, or an unknown one with an observer left. */
  private boolean observable(int op, long[] linearized) {
    int[] candidates = observers[op];
    if (candidates == null) {
      return true;
    }
    for (int observer : candidates) {
      if ((linearized[observer >>> 6] & (1L << observer)) == 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean legal(Candidate op, Long state) {
    return switch (op.f()) {
      case READ -> Objects.equals(op.value(), state);
      case WRITE -> true;
      case CAS -> op.expected().equals(state);
      default -> throw new AssertionError("not a register op: " + op.f());
    };
  }

  /** Takes a call and its return out of the list (the call is never last: its return follows). */
  private static void lift(Entry call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  /** Puts back what {@link #lift} took out; the inverse only when undone in LIFO order. */
  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    call.next.prev = call;
  }

  private static void set(long[] bits, int i) {
    bits[i >>> 6] |= 1L << i;
  }

  private static void clear(long[] bits, int i) {
    bits[i >>> 6] &= ~(1L << i);
  }
}
