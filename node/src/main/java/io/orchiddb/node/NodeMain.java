package io.orchiddb.node;

import io.orchiddb.node.config.ConfigException;
import io.orchiddb.node.config.NodeConfig;
import io.orchiddb.node.config.SettingsFlags;
import io.orchiddb.node.raft.OrchidNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code orchiddb node}: runs one storage node until it is stopped (SIGTERM/Ctrl-C shut it down
 * cleanly). Settings come from {@code --config FILE} and/or flags; flags win.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run an OrchidDB storage node.",
    footer = {"", "Every flag can also be set in the --config file under the same name without",
        "the dashes, e.g. shard-count=8. Example:",
        "  orchiddb node --node-id n1 --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003"})
public class NodeMain implements Callable<Integer> {
  /** How long without a collection before an idle node's heap is trimmed (as G1PeriodicGCInterval in jvm.options). */
  static final Duration IDLE_HEAP_AFTER = Duration.ofSeconds(30);

  @Mixin
  SettingsFlags flags;

  @Option(names = "--node-id", paramLabel = "ID", description = "This node's id (one of --peers).")
  String nodeId;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...",
      description = "Every node of the cluster, in the same order on every node.")
  String peers;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Raft logs and snapshots (default: data/<node-id>).")
  String dataDir;

  @Option(names = "--cluster-name", description = "Cluster name (default: orchiddb).")
  String clusterName;

  @Option(names = "--shard-count", description = "Shards at bootstrap, or auto: one per distinct host in --peers (default: auto).")
  String shardCount;

  @Option(names = "--replication", description = "Replicas per shard (default: 3).")
  String replication;

  @Option(names = "--storage", description = "durable (default) or memory (tests only).")
  String storage;

  @Option(names = "--snapshot-threshold", description = "Log entries between snapshots, at least (default: 10000); a snapshot also waits for"
      + " log of a quarter of the shard's size.")
  String snapshotThreshold;

  @Option(names = "--election-timeout-ms", description = "Minimum election timeout (default: 1000).")
  String electionTimeoutMs;

  @Option(names = "--request-timeout-ms", description = "Raft request timeout (default: 5000).")
  String requestTimeoutMs;

  @Option(names = "--leader-lease", description = "No effect any more (kept so existing configs start): linearizable reads always"
      + " confirm leadership with a majority.")
  String leaderLease;

  @Option(names = "--log-segment-bytes", description = "Log segment size in bytes, 64 KiB to 1 GiB (default: 2097152).")
  String logSegmentBytes;

  @Option(names = "--metrics-port", description = "Serve Prometheus metrics at http://<this node's host>:PORT/metrics;"
      + " off (default) or a port (0: any free port).")
  String metricsPort;

  /** Settings from the file, overridden by the flags that were given. */
  public Map<String, String> settings() {
    return flags.settings();
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> settings = settings();
    NodeConfig config;
    try {
      config = NodeConfig.parse(nodeSettings(settings));
    } catch (ConfigException e) {
      System.err.println("orchiddb node: bad configuration: " + e.getMessage());
      return 2;
    }
    OrchidNode node;
    try {
      node = OrchidNode.start(config);
    } catch (IllegalStateException | IOException e) {
      System.err.println("orchiddb node: cannot start: " + e.getMessage());
      return 1;
    }
    Alongside alongside;
    try {
      alongside = startAlongside(node);
    } catch (IOException | RuntimeException e) {
      node.close();
      System.err.println("orchiddb node: cannot start: " + e.getMessage());
      return 1;
    }
    AutoCloseable service = alongside == null ? node : () -> {
      try {
        alongside.service().close();
      } finally {
        node.close();
      }
    };
    // Under the Serial collector (node-jvm.options), the heap an idle node gives back; a daemon thread.
    IdleHeap.start(IDLE_HEAP_AFTER);
    ClosedServerWatch.start(node::serverClosedItself, () -> {
      System.err.println("orchiddb node: the Raft server closed itself (see the log: a JVM pause longer than"
          + " Ratis's close threshold closes it); exiting with status 1 so that the node is restarted");
      System.exit(1);
    }, ClosedServerWatch.EVERY);
    UntilStopped.await("orchiddb node", service, "orchiddb node " + config.nodeId() + " ready on "
        + config.address() + " (data in " + config.dataDir().toAbsolutePath() + ")"
        + (alongside == null ? "" : "; " + alongside.description()));
    return 0;
  }

  /** A service run in the node's JVM beside it (a subclass's), closed before the node. */
  public record Alongside(AutoCloseable service, String description) {}

  /**
   * The node's own settings out of {@code settings}, all of them by default. A subclass takes its
   * own out here and checks them before anything starts ({@link ConfigException} names a bad one).
   */
  protected Map<String, String> nodeSettings(Map<String, String> settings) {
    return settings;
  }

  /** Starts what runs beside the node, once it has started; null for nothing (the default). */
  protected Alongside startAlongside(OrchidNode node) throws IOException {
    return null;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeMain()).execute(args));
  }
}
