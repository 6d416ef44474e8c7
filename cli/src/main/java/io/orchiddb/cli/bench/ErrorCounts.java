package io.orchiddb.cli.bench;

import io.orchiddb.client.OrchidException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failed requests counted by type (the exception's class, plus the server's reason when it gave
 * one, e.g. {@code UnavailableException/NO_QUORUM}), with the first message of each type as a
 * sample. Thread-safe; a failure is data, never fatal to the run.
 */
final class ErrorCounts {
  /** Bounds the map if a target invents a new message per request. */
  static final int TYPES_MAX = 64;
  static final String OTHER = "(other types)";

  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> samples = new ConcurrentHashMap<>();

  void add(Throwable failure) {
    Throwable cause = unwrap(failure);
    String type = typeOf(cause);
    if (!counts.containsKey(type) && counts.size() >= TYPES_MAX) {
      type = OTHER;
    }
    counts.computeIfAbsent(type, t -> new LongAdder()).increment();
    samples.putIfAbsent(type, cause.getMessage() != null ? cause.getMessage() : "(no message)");
  }

  static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static String typeOf(Throwable cause) {
    String name = cause instanceof CancellationException ? "Cancelled" : cause.getClass().getSimpleName();
    if (cause instanceof OrchidException e && !e.reason().isEmpty()) {
      return name + "/" + e.reason();
    }
    return name;
  }

  long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Counts by type, sorted by type. */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((type, n) -> out.put(type, n.sum()));
    return out;
  }

  /** The first message seen for each type, sorted by type. */
  Map<String, String> samples() {
    return new TreeMap<>(samples);
  }
}
