package io.orchiddb.router.http;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.orchiddb.router.metrics.ConnectionPlaces;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.RouterException;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the HTTP gateway's connections by {@code http-connections-max}. A connection beyond the
 * limit is answered rather than dropped: each request on it gets 503 with {@code Retry-After} and
 * the JSON error LIMIT_EXCEEDED, {@code limit=http-connections-max}, and the gateway closes the
 * connection after that answer. Only connections within the limit are counted, so one that
 * closes frees its place for the next. Beyond twice the limit, new connections are closed at
 * once without an answer (Armeria's own limit): a flood of them cannot make the gateway hold
 * unboundedly many.
 *
 * <p>A connection is told apart by its client's address and port, the one thing both a Netty
 * channel and a request's context know.
 */
final class HttpConnectionLimit {
  static final String LIMIT = "http-connections-max";

  private final ConnectionPlaces places;
  private final Set<SocketAddress> refused = ConcurrentHashMap.newKeySet();
  private final RouterException refusal;

  HttpConnectionLimit(int max, RouterMetrics metrics) {
    this.places = metrics.connections("http", max);
    this.refusal = RouterException.capacity(LIMIT, "this router serves at most " + max + " HTTP connections ("
        + LIMIT + ") and has that many open: retry later on a new connection, or use another router");
  }

  /** The connection limit Armeria itself enforces by closing new connections at once. */
  int hardLimit() {
    return (int) Math.min(Integer.MAX_VALUE, 2L * places.max());
  }

  /** Counts each new connection of the gateway: for Armeria's {@code childChannelPipelineCustomizer}. */
  void install(ChannelPipeline pipeline) {
    pipeline.addFirst(new Place());
  }

  /** Answers requests on connections beyond the limit; serves the others with {@code service}. */
  HttpService decorate(HttpService service) {
    return new SimpleDecoratingHttpService(service) {
      @Override
      public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        if (!refused.contains(ctx.remoteAddress())) {
          return unwrap().serve(ctx, req);
        }
        ctx.initiateConnectionShutdown();
        return HttpErrors.response(refusal);
      }
    };
  }

  /** One connection's place under the limit, taken when it opens and given back when it closes. */
  private final class Place extends ChannelInboundHandlerAdapter {
    private boolean counted;
    /** Set while the connection is refused. */
    private SocketAddress remote;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        take(ctx); // added after the connection became active: channelActive will not come
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      take(ctx);
      super.channelActive(ctx);
    }

    private void take(ChannelHandlerContext ctx) {
      if (counted || remote != null) {
        return;
      }
      if (places.take()) {
        counted = true;
      } else {
        remote = ctx.channel().remoteAddress();
        refused.add(remote);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (counted) {
        counted = false;
        places.release();
      } else if (remote != null) {
        refused.remove(remote);
        remote = null;
      }
      super.channelInactive(ctx);
    }
  }
}
