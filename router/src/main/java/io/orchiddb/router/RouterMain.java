package io.orchiddb.router;

import io.orchiddb.node.config.ConfigException;
import io.orchiddb.node.UntilStopped;
import io.orchiddb.node.config.SettingsFlags;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code orchiddb router}: runs a stateless router until stopped (SIGTERM/Ctrl-C stop it cleanly). */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = "Run an OrchidDB router: the public gRPC API and the HTTP gateway in front of the cluster.",
    footer = {"", "Every flag can also be set in the --config file under the same name without",
        "the dashes. Example:",
        "  orchiddb router --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003"})
public final class RouterMain implements Callable<Integer> {
  @Mixin
  SettingsFlags flags;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...", description = "The cluster's nodes, as given to the nodes.")
  String peers;

  @Option(names = "--cluster-name", description = "Cluster name (default: orchiddb).")
  String clusterName;

  @Option(names = "--listen-host", description = "Address to bind (default: 127.0.0.1; 0.0.0.0 for all).")
  String listenHost;

  @Option(names = "--grpc-port", description = "gRPC port (default: 4207).")
  String grpcPort;

  @Option(names = "--http-port", description = "HTTP gateway port (default: 4206).")
  String httpPort;

  @Option(names = "--http-idle-timeout-ms",
      description = "Close HTTP connections idle this long; a request must arrive in full within it (default: 10000).")
  String httpIdleTimeoutMs;

  @Option(names = "--request-timeout-ms", description = "Longest a request may take (default: 10000).")
  String requestTimeoutMs;

  @Option(names = "--map-refresh-ms", description = "How often to re-read the shard map (default: 5000).")
  String mapRefreshMs;

  @Option(names = "--read-cache-ttl-ms",
      description = "Reuse an EVENTUAL read's answer for the same key this long; 0 turns the cache off (default: 100).")
  String readCacheTtlMs;

  @Option(names = "--read-cache-bytes", description = "Most bytes of keys and values the read cache holds (default: 33554432).")
  String readCacheBytes;

  @Option(names = "--write-gather-ms",
      description = "Hold a shard's next Raft entry up to this long for the writers of the last one to come back; "
          + "0 sends it at once (default: 4).")
  String writeGatherMs;

  @Option(names = "--grpc-connections-max",
      description = "Most gRPC connections served at once; calls on any beyond are refused (default: 4096).")
  String grpcConnectionsMax;

  @Option(names = "--http-connections-max",
      description = "Most HTTP connections served at once; requests on any beyond get 503 (default: 4096).")
  String httpConnectionsMax;

  @Option(names = "--grpc-calls-per-connection-max",
      description = "Most gRPC calls open at once on one connection; a client's further calls wait for a place"
          + " (default: 1024).")
  String grpcCallsPerConnectionMax;

  /** Settings from the file, overridden by the flags that were given. */
  Map<String, String> settings() {
    return flags.settings();
  }

  @Override
  public Integer call() throws Exception {
    RouterConfig config;
    try {
      config = RouterConfig.parse(settings());
    } catch (ConfigException e) {
      System.err.println("orchiddb router: bad configuration: " + e.getMessage());
      return 2;
    }
    Router router = Router.start(config);
    UntilStopped.await("orchiddb router", router, "orchiddb router ready: gRPC on " + config.listenHost()
        + ":" + router.grpcPort() + ", HTTP on " + config.listenHost() + ":" + router.httpPort());
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RouterMain()).execute(args));
  }
}
