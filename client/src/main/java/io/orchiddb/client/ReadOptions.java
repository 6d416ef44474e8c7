package io.orchiddb.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-request options of a read (get, scan, status): consistency and deadline. Immutable; unset
 * fields fall back to the client's defaults ({@link OrchidClient.Builder#defaultConsistency},
 * {@link OrchidClient.Builder#defaultDeadline}).
 *
 * <pre>{@code
 * client.get(key, ReadOptions.of(Consistency.SESSION).withDeadline(Duration.ofMillis(200)));
 * }</pre>
 */
public final class ReadOptions {
  private static final ReadOptions DEFAULTS = new ReadOptions(null, null);

  private final Consistency consistency; // null: the client's default
  private final Duration deadline; // null: the client's default

  private ReadOptions(Consistency consistency, Duration deadline) {
    this.consistency = consistency;
    this.deadline = deadline;
  }

  /** The client's default consistency and deadline. */
  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  /** The given consistency and the client's default deadline. */
  public static ReadOptions of(Consistency consistency) {
    return DEFAULTS.withConsistency(consistency);
  }

  public ReadOptions withConsistency(Consistency consistency) {
    return new ReadOptions(Objects.requireNonNull(consistency, "consistency"), deadline);
  }

  /**
   * The overall deadline of the request, bounding every retry and failover (for a scan iterator:
   * of each page). Positive, at most {@link OrchidClient#DEADLINE_MAX}.
   */
  public ReadOptions withDeadline(Duration deadline) {
    return new ReadOptions(consistency, OrchidClient.checkDeadline(deadline));
  }

  public Optional<Consistency> consistency() {
    return Optional.ofNullable(consistency);
  }

  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReadOptions other
        && Objects.equals(consistency, other.consistency)
        && Objects.equals(deadline, other.deadline);
  }

  @Override
  public int hashCode() {
    return Objects.hash(consistency, deadline);
  }

  @Override
  public String toString() {
    return "ReadOptions{consistency=" + (consistency == null ? "default" : consistency)
        + ", deadline=" + (deadline == null ? "default" : deadline) + "}";
  }
}
