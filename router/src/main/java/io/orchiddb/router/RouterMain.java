package io.orchiddb.router;

import io.orchiddb.node.config.ConfigException;
import io.orchiddb.node.UntilStopped;
import io.orchiddb.node.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code orchiddb router}: runs a stateless router until stopped (SIGTERM/Ctrl-C stop it cleanly). */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = "Run an OrchidDB router: the public gRPC API and the HTTP gateway in front of the cluster.",
    footer = {"", "Every flag can also be set in the --config file under the same name without",
        "the dashes. Example:",
        "  orchiddb router --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003"})
public final class RouterMain implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
  Path configFile;

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

  @Option(names = "--key-bytes-max", description = "Largest key (default: 1024).")
  String keyBytesMax;

  @Option(names = "--value-bytes-max", description = "Largest value (default: 1048576).")
  String valueBytesMax;

  @Option(names = "--batch-ops-max", description = "Most operations in one batch (default: 1024).")
  String batchOpsMax;

  @Option(names = "--request-bytes-max", description = "Largest request (default: 4194304).")
  String requestBytesMax;

  @Spec
  CommandSpec spec;

  /** Settings from the file, overridden by the flags that were given. */
  Map<String, String> settings() {
    return Settings.fromFileAndFlags(configFile, spec);
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
