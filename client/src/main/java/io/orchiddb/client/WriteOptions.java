package io.orchiddb.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-request options of a write (put, delete, batch): the deadline. Immutable; unset fields fall
 * back to the client's defaults. Conditions are not options: they are part of the operation
 * ({@link Condition}).
 */
public final class WriteOptions {
  private static final WriteOptions DEFAULTS = new WriteOptions(null);

  private final Duration deadline; // null: the client's default

  private WriteOptions(Duration deadline) {
    this.deadline = deadline;
  }

  /** The client's default deadline. */
  public static WriteOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The overall deadline of the write, bounding every retry and failover. Positive, at most
   * {@link OrchidClient#DEADLINE_MAX}. A write still unanswered at its deadline fails with
   * {@link OutcomeUnknownException}.
   */
  public WriteOptions withDeadline(Duration deadline) {
    return new WriteOptions(OrchidClient.checkDeadline(deadline));
  }

  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteOptions other && Objects.equals(deadline, other.deadline);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(deadline);
  }

  @Override
  public String toString() {
    return "WriteOptions{deadline=" + (deadline == null ? "default" : deadline) + "}";
  }
}
