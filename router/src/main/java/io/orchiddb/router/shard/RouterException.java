package io.orchiddb.router.shard;

import java.util.Map;

/**
 * A failure to report to the caller, classified once here so that the gRPC service and the HTTP
 * gateway say the same thing: a {@link Reason} (machine-readable, part of the public API),
 * specifics as metadata, and a message for humans. Never carries a stack trace to the caller.
 */
public final class RouterException extends RuntimeException {
  /** Public error reasons; their names appear in responses and never change meaning. */
  public enum Reason {
    /** A request broke a size limit; metadata "limit" names it. Nothing was written. */
    LIMIT_EXCEEDED,
    /** A malformed request; metadata "field" names the field. Nothing was written. */
    BAD_REQUEST,
    /** A condition failed; metadata "current_version" (0 = absent). Nothing was written. */
    CONDITION_FAILED,
    /** The shard has no leader or quorum now; metadata "shard". Nothing was written. */
    NO_QUORUM,
    /** A write may or may not have been applied (timeout, lost connection mid-request). */
    OUTCOME_UNKNOWN,
    /** A read ran out of time. */
    DEADLINE_EXCEEDED,
    /** A bug; details are in the router's log, not in the response. */
    INTERNAL
  }

  private final Reason reason;
  private final Map<String, String> metadata;

  public RouterException(Reason reason, String message, Map<String, String> metadata) {
    super(message, null, false, false);
    this.reason = reason;
    this.metadata = Map.copyOf(metadata);
  }

  public RouterException(Reason reason, String message) {
    this(reason, message, Map.of());
  }

  public Reason reason() {
    return reason;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  static RouterException limit(String limit, String message) {
    return new RouterException(Reason.LIMIT_EXCEEDED, message, Map.of("limit", limit));
  }

  static RouterException badRequest(String field, String message) {
    return new RouterException(Reason.BAD_REQUEST, field + ": " + message, Map.of("field", field));
  }
}
