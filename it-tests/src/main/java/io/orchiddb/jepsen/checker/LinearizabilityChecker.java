package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import io.orchiddb.jepsen.history.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Checks that the register operations (READ, WRITE, CAS) of a history are linearizable, key by
 * key.
 *
 * <p>Model: each key is a register holding a value or nothing (absent), initially absent. A READ
 * returns the current value (null = absent); a WRITE sets it; a CAS sets it iff the current value
 * equals {@code expected} (a CAS never matches an absent register). Versions are ignored here
 * (see {@link SessionChecker} and {@link EventualChecker}).
 *
 * <p>Algorithm: linearizability is compositional (Herlihy &amp; Wing), so the history is split by
 * key and each key is searched alone ({@link RegisterSearch}: Wing–Gong with Lowe's memoization
 * of (linearized set, state), as in Porcupine). Outcomes map onto the search as follows:
 *
 * <ul>
 *   <li>OK: the operation took effect at some instant between its invocation and its completion.
 *       An OK CAS must have applied; an OK READ must return the state at that instant.
 *   <li>FAIL: did not happen; left out of the search.
 *   <li>INFO, or no completion when the run ended: may or may not have taken effect, at any
 *       instant after its invocation, even after the run ended (its return is at +infinity). A
 *       WRITE or CAS of unknown outcome is linearized where that explains the reads, or left out
 *       (did not apply); a READ of unknown outcome has no effect and is left out.
 * </ul>
 *
 * <p>Index order is taken as real-time order ({@link History} guarantees it), so two events never
 * tie.
 *
 * <p>Bounds: each key's search has a time budget ({@link #BUDGET_PER_KEY_DEFAULT}) and a cache of
 * at most {@link #CACHE_WORDS_MAX} words; past either the key's outcome is UNKNOWN, never a pass.
 *
 * <p>Reporting: for a key that is not linearizable, the shortest non-linearizable prefix is
 * found by binary search over prefixes cut after each OK or FAIL completion (linearizability is
 * prefix-closed, so "the prefix is not linearizable" is monotone; in a prefix, an operation
 * completed after the cut is still in flight). Its last event — the completion that makes the
 * history impossible — and the operations of the prefix that overlap it, plus the
 * {@link #WINDOW_OPS_BEFORE} completed just before it, form the window, reported as lines and
 * as data ({@link KeyResult#window}).
 */
public final class LinearizabilityChecker implements Checker {
  public static final String NAME = "linearizability";
  public static final Duration BUDGET_PER_KEY_DEFAULT = Duration.ofSeconds(10);
  /** Cache bound per search: 16 Mi words (128 MiB) of bitsets and overhead. */
  public static final long CACHE_WORDS_MAX = 16L << 20;
  /** Operations completed before the window's last one that the window shows too. */
  public static final int WINDOW_OPS_BEFORE = 5;
  /** Keys whose window the verdict's details show; the others get one line. */
  public static final int KEYS_DETAILED_MAX = 10;

  private final Duration budgetPerKey;
  private final LongSupplier nanoClock;

  /** A checker with {@link #BUDGET_PER_KEY_DEFAULT}. */
  public LinearizabilityChecker() {
    this(BUDGET_PER_KEY_DEFAULT);
  }

  /**
   * A checker that gives each key's search {@code budgetPerKey} (and the same again to find the
   * window of a key that fails).
   */
  public LinearizabilityChecker(Duration budgetPerKey) {
    this(budgetPerKey, System::nanoTime);
  }

  LinearizabilityChecker(Duration budgetPerKey, LongSupplier nanoClock) {
    if (budgetPerKey.isNegative()) {
      throw new IllegalArgumentException("negative budget " + budgetPerKey);
    }
    this.budgetPerKey = budgetPerKey;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * The result for one key. {@code operations}: register operations of the key (all outcomes);
   * {@code steps}: search steps; {@code reason}: why the outcome is UNKNOWN (else null);
   * {@code last}: for INVALID, the event that ends the shortest non-linearizable prefix (else
   * null); {@code window}: for INVALID, the window's events in index order (else empty);
   * {@code windowMinimal}: false when the budget ran out while shortening the prefix (the window
   * is then at the end of the whole history).
   */
  public record KeyResult(String key, Outcome outcome, int operations, long steps, String reason, Op last,
                          List<Op> window, boolean windowMinimal) {
    public KeyResult {
      window = List.copyOf(window);
    }
  }

  @Override
  public Verdict check(List<Op> history) {
    List<KeyResult> results = checkKeys(history);
    Outcome outcome = Outcome.VALID;
    int operations = 0;
    List<String> invalid = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<Op> evidence = List.of();
    for (KeyResult r : results) {
      outcome = outcome.and(r.outcome());
      operations += r.operations();
      if (r.outcome() == Outcome.INVALID) {
        invalid.add(r.key());
        if (invalid.size() <= KEYS_DETAILED_MAX) {
          details.addAll(describe(r));
        } else {
          details.add("key " + r.key() + ": not linearizable (window not shown)");
        }
        if (evidence.isEmpty()) {
          evidence = r.window();
        }
      } else if (r.outcome() == Outcome.UNKNOWN) {
        unknown.add(r.key());
        details.add("key " + r.key() + ": unknown: " + r.reason());
      }
    }
    String summary = results.size() + " keys, " + operations + " operations: "
        + (invalid.isEmpty() && unknown.isEmpty() ? "all linearizable"
        : invalid.size() + " not linearizable " + invalid + ", " + unknown.size() + " unknown " + unknown);
    return new Verdict(NAME, outcome, summary, details, evidence);
  }

  /** Checks each key holding register operations; results in key order. */
  public List<KeyResult> checkKeys(List<Op> history) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation operation : History.operations(history)) {
      if (operation.invoke().isRegisterOp()) {
        byKey.computeIfAbsent(operation.key(), k -> new ArrayList<>()).add(operation);
      }
    }
    List<KeyResult> results = new ArrayList<>(byKey.size());
    byKey.forEach((key, operations) -> results.add(checkKey(key, operations)));
    return results;
  }

  /** Checks the operations of one key (in invocation order). */
  KeyResult checkKey(String key, List<Operation> operations) {
    RegisterSearch search = new RegisterSearch(RegisterSearch.candidates(operations, Long.MAX_VALUE));
    Outcome outcome = search.run(nanoClock, nanoClock.getAsLong() + budgetPerKey.toNanos(), CACHE_WORDS_MAX);
    return switch (outcome) {
      case VALID -> new KeyResult(key, outcome, operations.size(), search.steps(), null, null, List.of(), true);
      case UNKNOWN -> new KeyResult(key, outcome, operations.size(), search.steps(), unknownReason(search), null,
          List.of(), true);
      case INVALID -> invalid(key, operations, search.steps());
    };
  }

  private String unknownReason(RegisterSearch search) {
    return switch (search.stop()) {
      case BUDGET -> "time budget of " + budgetPerKey.toMillis() + " ms exhausted after " + search.steps() + " steps";
      case CACHE -> "cache limit of " + CACHE_WORDS_MAX + " words reached after " + search.steps() + " steps";
      case NONE -> throw new AssertionError("UNKNOWN without a stop");
    };
  }

  private KeyResult invalid(String key, List<Operation> operations, long steps) {
    long[] cuts = operations.stream()
        .filter(o -> o.type() == OpType.OK || o.type() == OpType.FAIL)
        .mapToLong(Operation::completionIndex).sorted().toArray();
    // The whole history is not linearizable; find the first cut that is not (monotone).
    long deadline = nanoClock.getAsLong() + budgetPerKey.toNanos();
    int lo = 0;
    int hi = cuts.length - 1;
    boolean minimal = true;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      Outcome o = new RegisterSearch(RegisterSearch.candidates(operations, cuts[mid]))
          .run(nanoClock, deadline, CACHE_WORDS_MAX);
      if (o == Outcome.UNKNOWN) {
        minimal = false;
        break;
      }
      if (o == Outcome.INVALID) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long cut = cuts[hi];
    Operation last = operations.stream().filter(o -> o.completionIndex() == cut).findFirst().orElseThrow();
    return new KeyResult(key, Outcome.INVALID, operations.size(), steps, null, last.completion(),
        window(operations, last, cut), minimal);
  }

  /**
   * The events up to {@code cut} of {@code last}, the operations overlapping it, and the
   * {@link #WINDOW_OPS_BEFORE} that completed last before it was invoked.
   */
  private static List<Op> window(List<Operation> operations, Operation last, long cut) {
    long start = last.invoke().index();
    List<Operation> overlapping = new ArrayList<>();
    List<Operation> before = new ArrayList<>();
    for (Operation o : operations) {
      if (o.invoke().index() > cut) {
        continue;
      }
      long end = o.completionIndex() <= cut ? o.completionIndex() : Long.MAX_VALUE;
      if (end < start) {
        before.add(o);
      } else {
        overlapping.add(o);
      }
    }
    before.sort(Comparator.comparingLong(Operation::completionIndex).reversed());
    List<Operation> shown = new ArrayList<>(overlapping);
    shown.addAll(before.subList(0, Math.min(WINDOW_OPS_BEFORE, before.size())));
    List<Op> events = new ArrayList<>();
    for (Operation o : shown) {
      events.add(o.invoke());
      if (o.completionIndex() <= cut) {
        events.add(o.completion());
      }
    }
    events.sort(Comparator.comparingLong(Op::index));
    return events;
  }

  private static List<String> describe(KeyResult r) {
    List<String> lines = new ArrayList<>();
    lines.add("key " + r.key() + ": not linearizable (" + r.operations() + " operations); "
        + (r.windowMinimal() ? "the shortest non-linearizable prefix ends at #" + r.last().index()
        : "budget exhausted while shortening; the history ends at #" + r.last().index())
        + "; operations around it:");
    for (Op op : r.window()) {
      lines.add("  " + op.describe() + (op.equals(r.last()) ? "   <- no linearization once this happened" : ""));
    }
    return lines;
  }
}
