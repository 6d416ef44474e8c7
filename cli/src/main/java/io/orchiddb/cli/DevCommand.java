package io.orchiddb.cli;

import io.orchiddb.node.UntilStopped;
import io.orchiddb.router.DevCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orchiddb dev}: a whole cluster in one process for trying OrchidDB: N nodes (separate
 * Ratis servers on loopback ports, durable data under {@code --data-dir}) and a router with gRPC
 * on 4207 and HTTP on 4206. Ctrl-C stops it cleanly; starting it again keeps the data.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run a local cluster (nodes + router) in one process.")
final class DevCommand implements Callable<Integer> {
  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/dev",
      description = "Where the nodes keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--nodes", defaultValue = "3", description = "Nodes to run (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--shards", defaultValue = "auto",
      description = "Shards at first start, or auto: one per machine, so one here (default: ${DEFAULT-VALUE}).")
  String shards;

  @Option(names = "--node-port", defaultValue = "7001",
      description = "Raft port of the first node; the others follow (default: ${DEFAULT-VALUE}).")
  int nodePort;

  @Option(names = "--grpc-port", defaultValue = "4207", description = "Router gRPC port (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "4206", description = "Router HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--storage", defaultValue = "durable",
      description = "durable (default) or memory (nothing survives a restart).")
  String storage;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (nodes < 1 || nodes > 9) {
      System.err.println("orchiddb dev: --nodes must be between 1 and 9, got " + nodes);
      return 2;
    }
    Map<String, String> nodeSettings = new HashMap<>();
    nodeSettings.put("shard-count", shards);
    nodeSettings.put("storage", storage);
    Map<String, String> routerSettings = new HashMap<>();
    routerSettings.put("grpc-port", String.valueOf(grpcPort));
    routerSettings.put("http-port", String.valueOf(httpPort));
    out.println("orchiddb dev: starting " + nodes + " nodes and a router (data in " + dataDir.toAbsolutePath() + ") ...");
    DevCluster cluster;
    try {
      cluster = new DevCluster(dataDir, nodes, nodePort, nodeSettings, routerSettings);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("orchiddb dev: cannot start: " + e.getMessage());
      return 2;
    }
    String http = "127.0.0.1:" + cluster.router().httpPort();
    String ready = String.join("\n",
        "",
        "OrchidDB is running:",
        "  HTTP  http://" + http + "     gRPC  127.0.0.1:" + cluster.router().grpcPort(),
        "  nodes " + String.join(", ", cluster.nodeIds()) + " on Raft ports " + nodePort + ".." + (nodePort + nodes - 1),
        "",
        "Try it:",
        "  curl \"" + http + "/put?key2=baz\"",
        "  curl \"" + http + "/get/key2\"",
        "  ./orchiddb repl",
        "  curl \"" + http + "/metrics\"       # the router's metrics, Prometheus format",
        "",
        "Ctrl-C stops the cluster; starting it again keeps the data.");
    UntilStopped.await("orchiddb dev", cluster, ready);
    return 0;
  }
}
