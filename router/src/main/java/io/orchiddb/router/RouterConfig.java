package io.orchiddb.router;

import com.google.common.net.HostAndPort;
import io.orchiddb.node.config.ConfigException;
import io.orchiddb.node.config.NodeConfig;
import io.orchiddb.node.config.Settings;
import io.orchiddb.node.shard.Limits;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A router's configuration, validated on construction; a bad value fails at start with a message
 * naming the setting. Same conventions as {@link NodeConfig}: settings by name, from flags or a
 * properties file.
 *
 * @param peers the cluster's nodes, as given to every node (same order)
 * @param clusterName the cluster's name, as given to every node
 * @param listenHost address the gRPC server and the HTTP gateway bind to
 * @param grpcPort gRPC port (0 = any free port)
 * @param httpPort HTTP gateway port (0 = any free port)
 * @param httpIdleTimeout how long the HTTP gateway keeps a connection with no request in progress,
 *     and the longest a request may take to arrive in full (headers and body)
 * @param requestTimeout the longest a request may take when the caller sets no shorter deadline
 * @param mapRefresh how often the shard map is re-read from the meta group
 * @param limits must match the nodes' limits; checked here first so bad requests never travel
 * @param readCacheTtl how long an EVENTUAL read's answer is reused for the same key (0: no cache)
 * @param readCacheBytes most bytes of keys and values the read cache holds
 * @param writeGather how long a shard's next Raft entry may wait for the writers answered by the
 *     last one to come back with their next writes (0: it goes as soon as the last is applied)
 * @param grpcConnectionsMax most gRPC connections served at once; calls on any beyond it are
 *     refused with UNAVAILABLE LIMIT_EXCEEDED ({@code grpc-connections-max})
 * @param httpConnectionsMax most HTTP connections served at once; requests on any beyond it get
 *     503 LIMIT_EXCEEDED ({@code http-connections-max})
 * @param grpcCallsPerConnectionMax most gRPC calls open at once on one connection (HTTP/2's
 *     MAX_CONCURRENT_STREAMS): a client's further calls wait for a place, and a stream opened
 *     beyond it anyway is refused ({@code grpc-calls-per-connection-max})
 */
public record RouterConfig(
    Map<String, HostAndPort> peers,
    String clusterName,
    String listenHost,
    int grpcPort,
    int httpPort,
    Duration httpIdleTimeout,
    Duration requestTimeout,
    Duration mapRefresh,
    Limits limits,
    Duration readCacheTtl,
    long readCacheBytes,
    Duration writeGather,
    int grpcConnectionsMax,
    int httpConnectionsMax,
    int grpcCallsPerConnectionMax) {

  /** Longest {@code read-cache-ttl-ms}: a minute of staleness is more than an eventual read should add. */
  public static final int READ_CACHE_TTL_MS_MAX = 60_000;
  /** Least {@code read-cache-bytes}: room for a few hundred entries. */
  public static final int READ_CACHE_BYTES_MIN = 64 * 1024;
  /** Longest {@code write-gather-ms}: past a few entry round trips a hold only adds latency. */
  public static final int WRITE_GATHER_MS_MAX = 100;
  /** Largest {@code grpc-connections-max} and {@code http-connections-max}. */
  public static final int CONNECTIONS_MAX_CEILING = 65_536;
  /** Largest {@code grpc-calls-per-connection-max}. */
  public static final int CALLS_PER_CONNECTION_CEILING = 65_536;

  public static final Map<String, String> SETTINGS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("peers", "");
    d.put("cluster-name", "orchiddb");
    d.put("listen-host", "127.0.0.1");
    d.put("grpc-port", "4207");
    d.put("http-port", "4206");
    d.put("http-idle-timeout-ms", "10000");
    d.put("request-timeout-ms", "10000");
    d.put("map-refresh-ms", "5000");
    d.put("read-cache-ttl-ms", "100");
    d.put("read-cache-bytes", String.valueOf(32 << 20));
    d.put("write-gather-ms", "4");
    d.put("grpc-connections-max", "4096");
    d.put("http-connections-max", "4096");
    d.put("grpc-calls-per-connection-max", "1024");
    d.put("key-bytes-max", String.valueOf(Limits.KEY_BYTES_MAX_DEFAULT));
    d.put("value-bytes-max", String.valueOf(Limits.VALUE_BYTES_MAX_DEFAULT));
    d.put("batch-ops-max", String.valueOf(Limits.BATCH_OPS_MAX_DEFAULT));
    d.put("request-bytes-max", String.valueOf(Limits.REQUEST_BYTES_MAX_DEFAULT));
    return Collections.unmodifiableMap(d);
  }

  public RouterConfig {
    if (peers.isEmpty()) {
      throw new ConfigException("peers", "must list at least one node");
    }
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    if (grpcPort < 0 || grpcPort > 65535) {
      throw new ConfigException("grpc-port", "must be between 0 and 65535, got " + grpcPort);
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new ConfigException("http-port", "must be between 0 and 65535, got " + httpPort);
    }
    if (httpIdleTimeout.toMillis() < 100) {
      throw new ConfigException("http-idle-timeout-ms", "must be at least 100, got " + httpIdleTimeout.toMillis());
    }
    if (requestTimeout.toMillis() < 100) {
      throw new ConfigException("request-timeout-ms", "must be at least 100, got " + requestTimeout.toMillis());
    }
    if (mapRefresh.toMillis() < 100) {
      throw new ConfigException("map-refresh-ms", "must be at least 100, got " + mapRefresh.toMillis());
    }
    if (readCacheTtl.isNegative() || readCacheTtl.toMillis() > READ_CACHE_TTL_MS_MAX) {
      throw new ConfigException("read-cache-ttl-ms", "must be between 0 (no cache) and " + READ_CACHE_TTL_MS_MAX
          + ", got " + readCacheTtl.toMillis());
    }
    if (readCacheBytes < READ_CACHE_BYTES_MIN) {
      throw new ConfigException("read-cache-bytes", "must be at least " + READ_CACHE_BYTES_MIN + ", got "
          + readCacheBytes + " (set read-cache-ttl-ms to 0 for no cache)");
    }
    if (writeGather.isNegative() || writeGather.toMillis() > WRITE_GATHER_MS_MAX) {
      throw new ConfigException("write-gather-ms", "must be between 0 (no hold) and " + WRITE_GATHER_MS_MAX
          + ", got " + writeGather.toMillis());
    }
    checkConnections("grpc-connections-max", grpcConnectionsMax);
    checkConnections("http-connections-max", httpConnectionsMax);
    if (grpcCallsPerConnectionMax < 1 || grpcCallsPerConnectionMax > CALLS_PER_CONNECTION_CEILING) {
      throw new ConfigException("grpc-calls-per-connection-max", "must be between 1 and "
          + CALLS_PER_CONNECTION_CEILING + ", got " + grpcCallsPerConnectionMax);
    }
  }

  /**
   * This configuration on any free ports ({@code grpc-port} and {@code http-port} 0) with the read
   * cache's TTL {@code readCacheTtl} (zero: no cache): a second router beside a first one.
   */
  public RouterConfig onFreePortsWithReadCacheTtl(Duration readCacheTtl) {
    return new RouterConfig(peers, clusterName, listenHost, 0, 0, httpIdleTimeout, requestTimeout, mapRefresh, limits,
        readCacheTtl, readCacheBytes, writeGather, grpcConnectionsMax, httpConnectionsMax, grpcCallsPerConnectionMax);
  }

  private static void checkConnections(String setting, int value) {
    if (value < 1 || value > CONNECTIONS_MAX_CEILING) {
      throw new ConfigException(setting, "must be between 1 and " + CONNECTIONS_MAX_CEILING + ", got " + value);
    }
  }

  public static RouterConfig parse(Map<String, String> given) {
    Map<String, String> s = Settings.merge(SETTINGS, given);
    if (s.get("peers").isEmpty()) {
      throw new ConfigException("peers", "required");
    }
    Limits limits = Settings.limits(s);
    return new RouterConfig(NodeConfig.peers(s.get("peers")), s.get("cluster-name"), s.get("listen-host"),
        Settings.integer(s, "grpc-port"), Settings.integer(s, "http-port"),
        Duration.ofMillis(Settings.integer(s, "http-idle-timeout-ms")),
        Duration.ofMillis(Settings.integer(s, "request-timeout-ms")),
        Duration.ofMillis(Settings.integer(s, "map-refresh-ms")), limits,
        Duration.ofMillis(Settings.integer(s, "read-cache-ttl-ms")), Settings.integer(s, "read-cache-bytes"),
        Duration.ofMillis(Settings.integer(s, "write-gather-ms")),
        Settings.integer(s, "grpc-connections-max"), Settings.integer(s, "http-connections-max"),
        Settings.integer(s, "grpc-calls-per-connection-max"));
  }

}
