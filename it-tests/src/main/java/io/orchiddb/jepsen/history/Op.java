package io.orchiddb.jepsen.history;

import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One event of a history: an invocation ({@link OpType#INVOKE}) or a completion (OK, FAIL, INFO)
 * of an operation by a {@code process}. A process runs one operation at a time, so an invocation
 * is paired with the next completion of the same process ({@link History#operations}).
 *
 * <p>Fields by function (a field that does not apply is null):
 *
 * <ul>
 *   <li>{@link Fn#READ}: the invocation has no value; the OK completion has {@code value} = the
 *       value read (null = key absent) and {@code version} = the key's version (a log index; null
 *       when absent).
 *   <li>{@link Fn#WRITE}: {@code value} = the value written, on the invocation and copied onto
 *       its completion; an OK completion may carry the new {@code version}.
 *   <li>{@link Fn#CAS}: {@code expected} = the value the register must hold, {@code value} = the
 *       new value; both copied onto the completion, which may carry a {@code version}.
 *   <li>{@link Fn#ADD}: {@code value} = the element added.
 *   <li>{@link Fn#READ_ALL}: the OK completion carries the set's {@code elements}.
 * </ul>
 *
 * <p>{@code error} is a short text for FAIL and INFO completions; on an OK read it may say where
 * the read was served (e.g. {@code served by n2 at applied index 28}), for whoever reads the
 * history. {@code index} (position in the history) and {@code timeNanos} (monotonic, relative to
 * the run's start) are assigned by {@link History}; before that both are {@link #UNSTAMPED}.
 * Index order is real-time order.
 *
 * <p>Use the factories: {@link #invoke}, {@link #read}, {@link #write}, {@link #cas}, {@link #add},
 * {@link #readAll} for invocations and {@link #complete} for completions.
 */
public record Op(long index, int process, OpType type, Fn f, String key, Long value, Long expected, Long version,
                 Set<Long> elements, long timeNanos, String error) {
  /** Index and time of an op not yet recorded in a {@link History}. */
  public static final long UNSTAMPED = -1;

  /** Validates the fields against the table in the class doc; elements become a sorted copy. */
  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    if (process < 0) {
      throw new IllegalArgumentException("process " + process + " < 0");
    }
    if (f == Fn.READ_ALL) {
      requireNull(value, "value of a READ_ALL");
    } else if (f == Fn.READ) {
      requireNull(type == OpType.INVOKE ? value : null, "value of a read invocation");
    } else {
      Objects.requireNonNull(value, () -> f + " without a value");
    }
    if (f == Fn.CAS) {
      Objects.requireNonNull(expected, "CAS without an expected value");
    } else {
      requireNull(expected, "expected of a " + f);
    }
    if (f == Fn.READ_ALL) {
      if (type == OpType.OK) {
        Objects.requireNonNull(elements, "READ_ALL ok without elements");
      }
      if (elements != null) {
        elements = Collections.unmodifiableSortedSet(new TreeSet<>(elements));
      }
    } else {
      requireNull(elements, "elements of a " + f);
    }
  }

  private static void requireNull(Object o, String what) {
    if (o != null) {
      throw new IllegalArgumentException(what + " must be null, was " + o);
    }
  }

  // ---- invocations ---------------------------------------------------------------------------

  /**
   * An unstamped invocation. {@code value} is the value to write (WRITE, CAS: the new value) or
   * the element (ADD), null for reads; {@code expected} is CAS's expected value, else null.
   */
  public static Op invoke(int process, Fn f, String key, Long value, Long expected) {
    return new Op(UNSTAMPED, process, OpType.INVOKE, f, key, value, expected, null, null, UNSTAMPED, null);
  }

  public static Op read(int process, String key) {
    return invoke(process, Fn.READ, key, null, null);
  }

  public static Op write(int process, String key, long value) {
    return invoke(process, Fn.WRITE, key, value, null);
  }

  public static Op cas(int process, String key, long expected, long value) {
    return invoke(process, Fn.CAS, key, value, expected);
  }

  public static Op add(int process, String key, long element) {
    return invoke(process, Fn.ADD, key, element, null);
  }

  public static Op readAll(int process, String key) {
    return invoke(process, Fn.READ_ALL, key, null, null);
  }

  // ---- completions ---------------------------------------------------------------------------

  /**
   * The unstamped completion of this invocation. The inputs (process, f, key; for WRITE, CAS and
   * ADD the value and expected value) are copied from the invocation; {@code value} is only
   * taken for a READ (the value read) and must otherwise be null or equal to the invocation's.
   * {@code version} and {@code elements} are results (null when there are none).
   *
   * @throws IllegalStateException if this is not an invocation
   * @throws IllegalArgumentException if {@code type} is INVOKE or {@code value} contradicts the
   *     invocation's
   */
  public Op complete(OpType type, Long value, Long version, Set<Long> elements, String error) {
    if (this.type != OpType.INVOKE) {
      throw new IllegalStateException("not an invocation: " + describe());
    }
    if (!type.isCompletion()) {
      throw new IllegalArgumentException("a completion cannot be of type INVOKE");
    }
    Long completedValue = value;
    if (f != Fn.READ && f != Fn.READ_ALL) {
      if (value != null && !value.equals(this.value)) {
        throw new IllegalArgumentException("completion value " + value + " differs from the invocation's: "
            + describe());
      }
      completedValue = this.value;
    }
    return new Op(UNSTAMPED, process, type, f, key, completedValue, expected, version, elements, UNSTAMPED, error);
  }

  // ---- withers -------------------------------------------------------------------------------

  public Op withIndex(long index) {
    return new Op(index, process, type, f, key, value, expected, version, elements, timeNanos, error);
  }

  public Op withTimeNanos(long timeNanos) {
    return new Op(index, process, type, f, key, value, expected, version, elements, timeNanos, error);
  }

  /** A copy with another value; for tests that corrupt a history on purpose. */
  public Op withValue(Long value) {
    return new Op(index, process, type, f, key, value, expected, version, elements, timeNanos, error);
  }

  public Op withVersion(Long version) {
    return new Op(index, process, type, f, key, value, expected, version, elements, timeNanos, error);
  }

  // ---- queries -------------------------------------------------------------------------------

  public boolean isInvoke() {
    return type == OpType.INVOKE;
  }

  public boolean isOk() {
    return type == OpType.OK;
  }

  /** Whether f is READ, WRITE or CAS (an operation on a register). */
  public boolean isRegisterOp() {
    return f == Fn.READ || f == Fn.WRITE || f == Fn.CAS;
  }

  /**
   * One line for reports: index, process, type, f, key, value/expected/version/elements/error when
   * present, and the time in milliseconds, e.g. {@code #12 p3 ok read r3 value=7 version=120
   * t=1.234ms}. At most {@link #DESCRIBED_ELEMENTS_MAX} elements are shown.
   */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append('#').append(index).append(" p").append(process).append(' ')
        .append(type.name().toLowerCase(Locale.ROOT)).append(' ')
        .append(f.name().toLowerCase(Locale.ROOT)).append(' ').append(key);
    if (expected != null) {
      s.append(" expected=").append(expected);
    }
    if (value != null) {
      s.append(" value=").append(value);
    }
    if (version != null) {
      s.append(" version=").append(version);
    }
    if (elements != null) {
      s.append(" elements=").append(elementsPreview(elements));
    }
    if (error != null) {
      s.append(" error=\"").append(error).append('"');
    }
    s.append(String.format(Locale.ROOT, " t=%.3fms", timeNanos / 1e6));
    return s.toString();
  }

  /** Elements shown by {@link #describe()} before "...(n more)". */
  public static final int DESCRIBED_ELEMENTS_MAX = 10;

  private static String elementsPreview(Set<Long> elements) {
    String shown = elements.stream().limit(DESCRIBED_ELEMENTS_MAX).map(String::valueOf)
        .collect(Collectors.joining(","));
    int more = elements.size() - DESCRIBED_ELEMENTS_MAX;
    return "[" + shown + (more > 0 ? ",...(" + more + " more)" : "") + "] (" + elements.size() + ")";
  }
}
