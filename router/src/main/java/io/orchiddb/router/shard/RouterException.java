package io.orchiddb.router.shard;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Map;

/**
 * A failure to report to the caller, classified once here so that the gRPC service and the HTTP
 * gateway say the same thing: a {@link Reason} (machine-readable, part of the public API),
 * specifics as metadata, and a message for humans. Never carries a stack trace to the caller.
 */
public final class RouterException extends RuntimeException {
  /** Public error reasons; their names appear in responses and never change meaning. */
  public enum Reason {
    /**
     * A request broke a size limit, or the router is at a limit of what it serves at once
     * (connections: {@link #atCapacity()}); metadata "limit" names it. Nothing was written.
     */
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

  /** The ErrorInfo domain of every OrchidDB error. */
  public static final String DOMAIN = "orchiddb.io";
  private static final Logger LOG = LoggerFactory.getLogger(RouterException.class);

  private final Reason reason;
  private final Map<String, String> metadata;
  private final boolean atCapacity;

  public RouterException(Reason reason, String message, Map<String, String> metadata) {
    this(reason, message, metadata, false);
  }

  private RouterException(Reason reason, String message, Map<String, String> metadata, boolean atCapacity) {
    super(message, null, false, false);
    this.reason = reason;
    this.metadata = Map.copyOf(metadata);
    this.atCapacity = atCapacity;
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

  /**
   * Whether this is a limit of the router's capacity (its connections), not of the request: the
   * same request may succeed later or on another router, so it is reported as unavailable.
   */
  public boolean atCapacity() {
    return atCapacity;
  }

  /**
   * This failure as the public API's error status (kv.proto, error model): the gRPC code of its
   * reason, this message, and a {@code google.rpc.ErrorInfo} detail (domain {@value #DOMAIN},
   * reason = {@link Reason} name, the metadata as is).
   */
  public com.google.rpc.Status toStatusProto() {
    Code code = switch (reason) {
      case LIMIT_EXCEEDED -> atCapacity() ? Code.UNAVAILABLE : Code.INVALID_ARGUMENT;
      case BAD_REQUEST -> Code.INVALID_ARGUMENT;
      case CONDITION_FAILED -> Code.FAILED_PRECONDITION;
      case NO_QUORUM -> Code.UNAVAILABLE;
      case OUTCOME_UNKNOWN, DEADLINE_EXCEEDED -> Code.DEADLINE_EXCEEDED;
      case INTERNAL -> Code.INTERNAL;
    };
    ErrorInfo info = ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason.name()).putAllMetadata(metadata).build();
    return com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(getMessage())
        .addDetails(Any.pack(info)).build();
  }

  /**
   * What to report for a failed call: the {@link RouterException} itself (unwrapped from a
   * future's wrapper), or, for anything else, an INTERNAL one that names no detail, after logging
   * the failure, which is a bug.
   */
  public static RouterException of(Throwable failure) {
    Throwable t = Failures.unwrap(failure);
    if (t instanceof RouterException e) {
      return e;
    }
    LOG.error("internal error", t);
    return new RouterException(Reason.INTERNAL, "internal error (see the router log)");
  }

  public static RouterException limit(String limit, String message) {
    return new RouterException(Reason.LIMIT_EXCEEDED, message, Map.of("limit", limit));
  }

  /** LIMIT_EXCEEDED for a limit of the router's capacity ({@link #atCapacity()}), such as its connections. */
  public static RouterException capacity(String limit, String message) {
    return new RouterException(Reason.LIMIT_EXCEEDED, message, Map.of("limit", limit), true);
  }

  public static RouterException badRequest(String field, String message) {
    return new RouterException(Reason.BAD_REQUEST, field + ": " + message, Map.of("field", field));
  }
}
