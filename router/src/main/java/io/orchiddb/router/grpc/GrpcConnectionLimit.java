package io.orchiddb.router.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.RouterException;
import java.util.concurrent.atomic.AtomicInteger;

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

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final StatusRuntimeException refusal;
  private final Counter refused;

  public GrpcConnectionLimit(int max, RouterMetrics metrics) {
    this.max = max;
    this.refused = metrics.connections("grpc", open::get);
    this.refusal = GrpcErrors.toStatus(RouterException.limit(LIMIT, "this router serves at most " + max
        + " gRPC connections (" + LIMIT + ") and has that many open: close this connection and retry"
        + " on a new one later, or use another router"));
  }

  public ServerTransportFilter filter() {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        if (open.incrementAndGet() > max) {
          open.decrementAndGet();
          refused.increment();
          return attributes.toBuilder().set(REFUSED, Boolean.TRUE).build();
        }
        return attributes.toBuilder().set(COUNTED, Boolean.TRUE).build();
      }

      @Override
      public void transportTerminated(Attributes attributes) {
        // null when the connection closed before its handshake completed (never counted).
        if (attributes != null && attributes.get(COUNTED) != null) {
          open.decrementAndGet();
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
        Metadata trailers = refusal.getTrailers();
        Metadata copy = new Metadata();
        if (trailers != null) {
          copy.merge(trailers);
        }
        call.close(refusal.getStatus(), copy);
        return new ServerCall.Listener<>() {};
      }
    };
  }
}
