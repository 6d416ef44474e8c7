package io.orchiddb.router.http;

import com.linecorp.armeria.server.Server;
import io.orchiddb.router.RouterConfig;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.KvRouter;
import io.orchiddb.router.shard.StatusCollector;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * The router's HTTP server (Armeria, plain HTTP/1.1 and h2c): the JSON API and the curl
 * shortcuts described in {@link io.orchiddb.router.http the package doc}, served by
 * {@link KvEndpoints} over the same {@link KvRouter} as the gRPC service.
 *
 * <p>Everything a client sends is bounded: the body by request-bytes-max (413 beyond), the request
 * line and headers by {@value #URL_BYTES_MAX} bytes, the connections by http-connections-max
 * ({@link HttpConnectionLimit}: 503 beyond it);
 * a connection with no request in progress is closed after http-idle-timeout-ms, and a request
 * must arrive in full (headers and body) within that same time.
 */
public final class HttpGateway implements Closeable {
  /** Longest request line or header block: room for a key at the 16 KiB ceiling, percent-encoded. */
  static final int URL_BYTES_MAX = 64 * 1024;
  /** Added to the router's request timeout, so the router's own deadline fires first. */
  static final Duration RESPONSE_MARGIN = Duration.ofSeconds(2);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

  private final Server server;

  private HttpGateway(Server server) {
    this.server = server;
  }

  /**
   * Binds {@code config.listenHost():config.httpPort()} and starts serving.
   *
   * @param ready whether the router can serve requests now (it has a shard map): /health
   * @param metrics what /metrics serves
   * @throws IOException when the port cannot be bound
   */
  public static HttpGateway start(RouterConfig config, KvRouter kv, StatusCollector status, BooleanSupplier ready,
      RouterMetrics metrics) throws IOException {
    KvEndpoints e = new KvEndpoints(kv, status, ready, config.requestTimeout().plus(RESPONSE_MARGIN), metrics);
    HttpConnectionLimit connections = new HttpConnectionLimit(config.httpConnectionsMax(), metrics);
    Server server = Server.builder()
        .http(new InetSocketAddress(config.listenHost(), config.httpPort()))
        .maxRequestLength(config.limits().requestBytesMax())
        .requestTimeout(config.httpIdleTimeout())
        .idleTimeout(config.httpIdleTimeout())
        .http1MaxInitialLineLength(URL_BYTES_MAX)
        .http1MaxHeaderSize(URL_BYTES_MAX)
        .http2MaxHeaderListSize(URL_BYTES_MAX)
        .maxNumConnections(connections.hardLimit())
        .childChannelPipelineCustomizer(connections::install)
        .decorator(connections::decorate)
        .verboseResponses(false)
        .disableServerHeader()
        .errorHandler(HttpErrors.HANDLER)
        .gracefulShutdownTimeout(Duration.ZERO, SHUTDOWN_WAIT)
        .route().get(KvEndpoints.KV_PREFIX + "{key}").build(e::get)
        .route().put(KvEndpoints.KV_PREFIX + "{key}").build(e::put)
        .route().delete(KvEndpoints.KV_PREFIX + "{key}").build(e::delete)
        // An empty key: refused by the router with the key-bytes-max limit named, not a 404.
        .route().get(KvEndpoints.KV_PREFIX).build(e::get)
        .route().put(KvEndpoints.KV_PREFIX).build(e::put)
        .route().delete(KvEndpoints.KV_PREFIX).build(e::delete)
        .route().get("/v1/kv").build(e::scan)
        .route().post("/v1/batch").build(e::batch)
        .route().post("/v1/getmany").build(e::getMany)
        .route().post("/v1/putmany").build(e::putMany)
        .route().get("/v1/cluster").build(e::cluster)
        .route().get("/health").build(e::health)
        .route().get("/metrics").build(e::metrics)
        .route().get("/put").build(e::putShortcut)
        .route().get(KvEndpoints.GET_PREFIX + "{key}").build(e::getShortcut)
        .route().get(KvEndpoints.DELETE_PREFIX + "{key}").build(e::deleteShortcut)
        .build();
    try {
      server.start().join();
    } catch (CompletionException ex) {
      server.closeAsync();
      throw new IOException("http-port " + config.httpPort() + ": cannot listen on " + config.listenHost()
          + ": " + ex.getCause().getMessage(), ex.getCause());
    }
    return new HttpGateway(server);
  }

  /** The port actually bound (useful with http-port 0). */
  public int port() {
    return server.activeLocalPort();
  }

  /** Stops accepting, lets requests in flight finish (up to a few seconds), then closes. */
  @Override
  public void close() {
    server.stop().join();
  }
}
