package io.orchiddb.router.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.StatusRuntimeException;
import io.orchiddb.router.metrics.ConnectionPlaces;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.RouterException;

/**
 * Bounds the gRPC server's connections by {@code grpc-connections-max}. A connection beyond the
 * limit is not cut without a word: every call on it fails at once with UNAVAILABLE, reason
 * LIMIT_EXCEEDED, metadata {@code limit=grpc-connections-max} (nothing was done, so any request
 * may be retried, later or on another router), and the client is expected to close it; the Java
 * SDK does, so its next attempt opens a new connection that counts again. Only connections within
 * the limit are counted: one refused stays refused until its client drops it, and a connection
 * that closes frees its place for the next to open.
 *
 * <p>Install both halves: {@link #filter()} with {@code addTransportFilter} (it marks each new
 * connection at handshake), {@link #interceptor()} with {@code intercept} (it refuses calls on
 * marked ones).
 */
public final class GrpcConnectionLimit {
  static final String LIMIT = "grpc-connections-max";
  private static final Attributes.Key<Boolean> COUNTED = Attributes.Key.create("orchiddb.connection-counted");
  private static final Attributes.Key<Boolean> REFUSED = Attributes.Key.create("orchiddb.connection-refused");

  private final ConnectionPlaces places;
  private final StatusRuntimeException refusal;

  public GrpcConnectionLimit(int max, RouterMetrics metrics) {
    this.places = metrics.connections("grpc", max);
    this.refusal = GrpcErrors.toStatus(RouterException.capacity(LIMIT, "this router serves at most " + max
        + " gRPC connections (" + LIMIT + ") and has that many open: close this connection and retry"
        + " on a new one later, or use another router"));
  }

  public ServerTransportFilter filter() {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder().set(places.take() ? COUNTED : REFUSED, Boolean.TRUE).build();
      }

      @Override
      public void transportTerminated(Attributes attributes) {
        // null when the connection closed before its handshake completed (never counted).
        if (attributes != null && attributes.get(COUNTED) != null) {
          places.release();
        }
      }
    };
  }

  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (call.getAttributes().get(REFUSED) == null) {
          return next.startCall(call, headers);
        }
        Metadata trailers = new Metadata(); // a call's own: closing it may change them
        trailers.merge(refusal.getTrailers());
        call.close(refusal.getStatus(), trailers);
        return new ServerCall.Listener<>() {};
      }
    };
  }
}
