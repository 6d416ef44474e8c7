package io.orchiddb.router;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.orchiddb.router.grpc.GrpcConnectionLimit;
import io.orchiddb.router.grpc.KvService;
import io.orchiddb.router.http.HttpGateway;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.ClusterMapCache;
import io.orchiddb.router.shard.KvRouter;
import io.orchiddb.router.shard.LocalNode;
import io.orchiddb.router.shard.StatusCollector;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * A running router: the shard map cache, the request router, the gRPC server (the public API,
 * plus the standard health service and server reflection so grpcurl and load balancers work) and
 * the HTTP gateway (the same API as JSON, over the same {@link KvRouter}). Wiring only.
 *
 * <p>One monotonic clock for the whole router: it is given to the {@link ClusterMapCache}, and
 * {@link KvRouter} and {@link StatusCollector} read it from there, since a deadline one of them
 * computes is compared by the cache.
 */
public final class Router implements Closeable {
  /** Room for message framing beyond the request byte limit before gRPC itself refuses. */
  private static final int INBOUND_MARGIN_BYTES = 64 * 1024;
  /** How long a gRPC connection may be silent before the router pings it. */
  private static final java.time.Duration KEEPALIVE = java.time.Duration.ofMinutes(1);
  /** How long the router waits for a ping's answer before closing the connection. */
  private static final java.time.Duration KEEPALIVE_TIMEOUT = java.time.Duration.ofSeconds(20);

  private final ScheduledExecutorService scheduler;
  private final ExecutorService blocking;
  private final ClusterMapCache maps;
  private final KvRouter router;
  private final RouterMetrics metrics;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final HttpGateway http;

  private Router(RouterConfig config, RandomGenerator random, LongSupplier nanoClock, LocalNode local) throws IOException {
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("router-timer"));
    this.blocking = Executors.newFixedThreadPool(4, daemon("router-admin"));
    this.metrics = RouterMetrics.prometheus();
    try {
      this.maps = new ClusterMapCache(config, scheduler, blocking, nanoClock, metrics, local);
    } catch (RuntimeException e) { // a local node that is not one of the peers
      scheduler.shutdownNow();
      blocking.shutdownNow();
      metrics.close();
      throw e;
    }
    this.router = new KvRouter(config, maps, scheduler, random, metrics);
    StatusCollector status = new StatusCollector(maps);
    GrpcConnectionLimit connections = new GrpcConnectionLimit(config.grpcConnectionsMax(), metrics);
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.grpcPort()))
        .maxInboundMessageSize(config.limits().requestBytesMax() + INBOUND_MARGIN_BYTES)
        .maxConcurrentCallsPerConnection(config.grpcCallsPerConnectionMax())
        .addTransportFilter(connections.filter())
        .intercept(connections.interceptor())
        // A client that vanished without closing (host gone, network cut) would hold its place
        // under grpc-connections-max for good: ping idle connections and close those that do not answer.
        .keepAliveTime(KEEPALIVE.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        // Handlers never block (every call returns a future), so they run on the transport's
        // event loop: handing each call to gRPC's default cached pool cost about a third of the
        // router's CPU in thread park/unpark (BENCHMARKS.md, "Optimisations").
        .directExecutor()
        .addService(new KvService(router))
        .addService(new KvService.Cluster(status))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build()
        .start();
    try {
      this.http = HttpGateway.start(config, router, status, () -> maps.current() != null, metrics);
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      maps.close();
      scheduler.shutdownNow();
      blocking.shutdownNow();
      metrics.close();
      throw e;
    }
  }

  public static Router start(RouterConfig config) throws IOException {
    return start(config, (LocalNode) null);
  }

  public static Router start(RouterConfig config, RandomGenerator random) throws IOException {
    return start(config, random, null);
  }

  /**
   * A router inside the JVM of the node {@code local}, one of its peers: reads addressed to that
   * node are called in-process, and its stale reads go there first ({@link LocalNode}).
   */
  public static Router start(RouterConfig config, LocalNode local) throws IOException {
    return start(config, RandomGenerator.getDefault(), local);
  }

  /**
   * A router on the real monotonic clock: the one place the router reads {@link System#nanoTime()}.
   *
   * @param local the node the router runs in; null for a router process of its own
   */
  private static Router start(RouterConfig config, RandomGenerator random, LocalNode local) throws IOException {
    return new Router(config, random, System::nanoTime, local);
  }

  /** Waits until the router has read the cluster map (the cluster is up and bootstrapped). */
  public void awaitReady(java.time.Duration timeout) throws IOException {
    try {
      maps.mapBy(maps.nanoClock().getAsLong() + timeout.toNanos()).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("the cluster did not become ready within " + timeout + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the cluster", e);
    }
  }

  /** The gRPC port actually bound (useful with port 0). */
  public int grpcPort() {
    return server.getPort();
  }

  /** The HTTP gateway's port actually bound (useful with port 0). */
  public int httpPort() {
    return http.port();
  }

  public KvRouter kv() {
    return router;
  }

  public ClusterMapCache maps() {
    return maps;
  }

  /** What the HTTP gateway serves at /metrics. */
  public RouterMetrics metrics() {
    return metrics;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return new ThreadFactoryBuilder().setNameFormat(name).setDaemon(true).build();
  }

  @Override
  public void close() throws IOException {
    http.close();
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    router.close();
    maps.close();
    scheduler.shutdownNow();
    blocking.shutdownNow();
    metrics.close();
  }
}
