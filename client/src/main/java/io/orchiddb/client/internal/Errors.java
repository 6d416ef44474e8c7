package io.orchiddb.client.internal;

import io.grpc.Status;
import io.orchiddb.client.ConditionFailedException;
import io.orchiddb.client.DeadlineExceededException;
import io.orchiddb.client.InvalidArgumentException;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.OutcomeUnknownException;
import io.orchiddb.client.UnavailableException;
import java.util.Set;

/**
 * The one place that turns a failed request into the SDK's exception, and decides what a write's
 * failure means. The rule for writes: unless the failure proves nothing was written, the outcome
 * is unknown (a timeout is "outcome unknown", never "failed"; DESIGN.md, STYLE.md).
 */
final class Errors {
  static final String CONDITION_FAILED = "CONDITION_FAILED";

  /**
   * Codes a router answers with only before it writes anything (kv.proto error model). Not
   * RESOURCE_EXHAUSTED: the client's own gRPC uses it for a too-large response, i.e. after the write.
   */
  private static final Set<Status.Code> NOTHING_WRITTEN = Set.of(
      Status.Code.INVALID_ARGUMENT,
      Status.Code.FAILED_PRECONDITION,
      Status.Code.NOT_FOUND,
      Status.Code.ALREADY_EXISTS,
      Status.Code.PERMISSION_DENIED,
      Status.Code.UNAUTHENTICATED,
      Status.Code.OUT_OF_RANGE,
      Status.Code.UNIMPLEMENTED);

  private Errors() {}

  /** Whether this failure proves the write was not applied, so it may be retried or reported as failed. */
  static boolean nothingWritten(Failure f) {
    return !f.sent() || NOTHING_WRITTEN.contains(f.code()) || f.noQuorum() || f.limitExceeded();
  }

  /**
   * @param what names the request for the message, e.g. "orchiddb.v1.KV/Put (attempt 2 of 5)"
   */
  static OrchidException toException(Failure f, Transport.Kind kind, String what) {
    String message = what + " via " + f.endpoint() + ": " + f.code()
        + (f.reason().isEmpty() ? "" : " " + f.reason())
        + (f.description().isEmpty() ? "" : ": " + f.description());
    if (kind == Transport.Kind.WRITE && !nothingWritten(f)) {
      return new OutcomeUnknownException(
          "write outcome unknown, it may or may not have been applied: " + message,
          f.reason(), f.metadata(), f.cause());
    }
    return switch (f.code()) {
      case INVALID_ARGUMENT -> new InvalidArgumentException(message, f.reason(), f.metadata(), f.cause());
      case FAILED_PRECONDITION -> CONDITION_FAILED.equals(f.reason())
          ? new ConditionFailedException(message, f.reason(), f.metadata(), f.cause())
          : new OrchidException(message, f.reason(), f.metadata(), f.cause());
      case UNAVAILABLE -> new UnavailableException(message, f.reason(), f.metadata(), f.cause());
      case DEADLINE_EXCEEDED -> new DeadlineExceededException(message, f.reason(), f.metadata(), f.cause());
      default -> new OrchidException(message, f.reason(), f.metadata(), f.cause());
    };
  }
}
