package io.orchiddb.jepsen.history;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A thread-safe, append-only recorder of a run's operations, and the history file format.
 *
 * <p>Recording: a client calls {@link #invoke} just before sending a request and
 * {@link #complete} once it knows the outcome (or has given up: INFO). Each call takes the lock,
 * reads the clock and appends, all at once, so the index order of the events is their real-time
 * order: if an operation completed before another was invoked, its completion has a smaller index
 * than that invocation. A process runs one operation at a time; invoking twice without completing
 * is a programmer error (IllegalStateException). After an INFO a client should continue as a new
 * process, since its old operation may still take effect.
 *
 * <p>Files: JSON Lines, one op per line, fields absent when null, e.g.
 * {@code {"index":3,"process":1,"type":"ok","f":"read","key":"r3","value":7,"version":120,"time":123456789}}
 * ({@code time} is {@link Op#timeNanos}; {@code elements} a JSON array of numbers; {@code error}
 * and {@code key} JSON strings). See {@link #writeJsonLines} and {@link #readJsonLines}.
 */
public final class History {
  /** Events a history holds at most; a bound on memory (an op takes ~100 bytes). */
  public static final int OPS_MAX = 10_000_000;

  private final LongSupplier nanoClock;
  private final long startNanos;
  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayList<Op> ops = new ArrayList<>();
  private final Map<Integer, Op> pendingByProcess = new HashMap<>();
  private long lastTimeNanos;

  /** A history whose times are {@link System#nanoTime()} minus the time of this call. */
  public History() {
    this(System::nanoTime);
  }

  /**
   * A history timed by {@code nanoClock} (monotonic nanoseconds), relative to its value now; tests
   * pass a counter.
   */
  public History(LongSupplier nanoClock) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.startNanos = nanoClock.getAsLong();
  }

  /** Records an invocation: see {@link Op#invoke}. Returns it stamped (index, time). */
  public Op invoke(int process, Fn f, String key, Long value, Long expected) {
    return invoke(Op.invoke(process, f, key, value, expected));
  }

  /**
   * Records an unstamped invocation ({@link Op#read} and friends) and returns it stamped.
   *
   * @throws IllegalStateException if the process has an operation in flight, or the history is
   *     full ({@link #OPS_MAX})
   */
  public Op invoke(Op invocation) {
    if (!invocation.isInvoke()) {
      throw new IllegalArgumentException("not an invocation: " + invocation.describe());
    }
    synchronized (lock) {
      Op inFlight = pendingByProcess.get(invocation.process());
      if (inFlight != null) {
        throw new IllegalStateException("process " + invocation.process() + " still has " + inFlight.describe()
            + " in flight");
      }
      Op stamped = append(invocation);
      pendingByProcess.put(stamped.process(), stamped);
      return stamped;
    }
  }

  /**
   * Records the completion of {@code invocation} (the stamped op {@link #invoke} returned), built
   * by {@link Op#complete}: {@code value} is the value read (READ; otherwise null or the written
   * value), {@code version} and {@code elements} results or null, {@code error} a short text for
   * FAIL and INFO. Returns the stamped completion.
   *
   * @throws IllegalStateException if {@code invocation} is not the process's operation in flight
   */
  public Op complete(Op invocation, OpType type, Long value, Long version, Set<Long> elements, String error) {
    Op completion = invocation.complete(type, value, version, elements, error);
    synchronized (lock) {
      Op inFlight = pendingByProcess.get(invocation.process());
      if (!invocation.equals(inFlight)) {
        throw new IllegalStateException(invocation.describe() + " is not in flight (in flight: "
            + (inFlight == null ? "nothing" : inFlight.describe()) + ")");
      }
      pendingByProcess.remove(invocation.process());
      return append(completion);
    }
  }

  /** Nanoseconds since this history began, on the clock its ops are stamped with. */
  public long nanosSinceStart() {
    return nanoClock.getAsLong() - startNanos;
  }

  private Op append(Op op) {
    if (ops.size() >= OPS_MAX) {
      throw new IllegalStateException("history full: " + OPS_MAX + " ops");
    }
    long timeNanos = nanosSinceStart();
    if (timeNanos < lastTimeNanos) {
      throw new IllegalStateException("clock went backwards: " + timeNanos + " < " + lastTimeNanos);
    }
    lastTimeNanos = timeNanos;
    Op stamped = op.withIndex(ops.size()).withTimeNanos(timeNanos);
    ops.add(stamped);
    return stamped;
  }

  /** A snapshot of the events so far, in index order. */
  public List<Op> ops() {
    synchronized (lock) {
      return List.copyOf(ops);
    }
  }

  public int size() {
    synchronized (lock) {
      return ops.size();
    }
  }

  /** The operations so far: {@link #operations(List)} of {@link #ops()}. */
  public List<Operation> operations() {
    return operations(ops());
  }

  /**
   * Pairs each invocation with the next completion of the same process, in invocation order;
   * operations still in flight at the end get a null completion. {@code ops} may be in any order:
   * they are sorted by index.
   *
   * @throws IllegalArgumentException if a process invokes twice without completing, or completes
   *     without an invocation
   */
  public static List<Operation> operations(List<Op> ops) {
    Op[] sorted = ops.toArray(new Op[0]);
    Arrays.sort(sorted, Comparator.comparingLong(Op::index));
    List<Op> invokes = new ArrayList<>();
    List<Op> completions = new ArrayList<>();
    Map<Integer, Integer> openSlotByProcess = new HashMap<>();
    for (Op op : sorted) {
      Integer slot = openSlotByProcess.get(op.process());
      if (op.isInvoke()) {
        if (slot != null) {
          throw new IllegalArgumentException("process " + op.process() + " invoked " + op.describe()
              + " while " + invokes.get(slot).describe() + " was in flight");
        }
        openSlotByProcess.put(op.process(), invokes.size());
        invokes.add(op);
        completions.add(null);
      } else {
        if (slot == null) {
          throw new IllegalArgumentException("completion without an invocation: " + op.describe());
        }
        openSlotByProcess.remove(op.process());
        completions.set(slot, op);
      }
    }
    List<Operation> operations = new ArrayList<>(invokes.size());
    for (int i = 0; i < invokes.size(); i++) {
      operations.add(new Operation(invokes.get(i), completions.get(i)));
    }
    return operations;
  }

  // ---- JSON Lines ----------------------------------------------------------------------------

  /** Writes {@link #ops()} to {@code file} as JSON Lines (see the class doc). */
  public void writeJsonLines(Path file) throws IOException {
    writeJsonLines(ops(), file);
  }

  /** Writes {@code ops} to {@code file}, one JSON object per line, replacing the file. */
  public static void writeJsonLines(List<Op> ops, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Op op : ops) {
        out.write(JsonLines.format(op));
        out.write('\n');
      }
    }
  }

  /**
   * Reads a file written by {@link #writeJsonLines}; blank lines are skipped.
   *
   * @throws IOException on an I/O error or a malformed line (the message names the line)
   */
  public static List<Op> readJsonLines(Path file) throws IOException {
    List<Op> ops = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          ops.add(JsonLines.parse(line));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw new IOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
        }
      }
    }
    return ops;
  }
}
