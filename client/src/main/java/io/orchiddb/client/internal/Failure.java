package io.orchiddb.client.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.Map;

/**
 * One failed attempt, as the retry loop and {@link Errors} need it: the gRPC code and message, the
 * router's ErrorInfo (reason and metadata, domain {@value #DOMAIN} only), whether the request may
 * have left this client, and which router it went to.
 */
record Failure(
    Status.Code code,
    String description,
    String reason,
    Map<String, String> metadata,
    boolean sent,
    String endpoint,
    Throwable cause) {
  static final String DOMAIN = "orchiddb.io";
  static final String NO_QUORUM = "NO_QUORUM";
  static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";

  static Failure of(Throwable t, boolean sent, String endpoint) {
    Status status = Status.fromThrowable(t);
    String reason = "";
    Map<String, String> metadata = Map.of();
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    if (details != null) {
      for (Any detail : details.getDetailsList()) {
        if (!detail.is(ErrorInfo.class)) {
          continue;
        }
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if (DOMAIN.equals(info.getDomain())) {
            reason = info.getReason();
            metadata = Map.copyOf(info.getMetadataMap());
            break;
          }
        } catch (InvalidProtocolBufferException malformed) {
          // A detail we cannot read adds nothing; the status code alone still classifies the error.
        }
      }
    }
    String description = status.getDescription() != null ? status.getDescription()
        : status.getCause() != null ? status.getCause().toString() : "";
    return new Failure(status.getCode(), description, reason, metadata, sent, endpoint, t);
  }

  /** For a failure the client decides itself, before sending anything. */
  static Failure local(Status.Code code, String description, String endpoint) {
    return new Failure(code, description, "", Map.of(), false, endpoint, null);
  }

  /** A limit refused the request before anything was done (kv.proto error model). */
  boolean limitExceeded() {
    return LIMIT_EXCEEDED.equals(reason);
  }

  /**
   * The router refused this connection for being beyond its connection limit: every call on it
   * will be refused, so it should be closed and a new one opened for the next attempt.
   */
  boolean connectionRefused() {
    return code == Status.Code.UNAVAILABLE && limitExceeded();
  }

  boolean noQuorum() {
    return code == Status.Code.UNAVAILABLE && NO_QUORUM.equals(reason);
  }

  /**
   * The router itself could not serve (unreachable, shutting down): another router may. A shard
   * without quorum is the same for every router, so that is not a reason to move.
   */
  boolean routerDown() {
    return code == Status.Code.UNAVAILABLE && !noQuorum();
  }
}
