package io.orchiddb.router;

import io.orchiddb.node.NodeMain;
import io.orchiddb.node.config.ConfigException;
import io.orchiddb.node.raft.OrchidNode;
import io.orchiddb.router.shard.LocalNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orchiddb node}, with an optional router in the node's JVM ({@code --router}): the node
 * then also serves the public gRPC API and the HTTP gateway, as every etcd member or CockroachDB
 * node does. Such a router is an ordinary router (the same settings, named {@code router-X}
 * here, e.g. {@code router-read-cache-ttl-ms} in the file) except that it reads from its own
 * node in-process and sends its stale reads there first ({@link LocalNode}). It takes the
 * cluster's peers, cluster name and request limits from the node, so they cannot disagree.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run an OrchidDB storage node; with --router, it also serves the public API.",
    footer = {"", "Every flag can also be set in the --config file under the same name without",
        "the dashes, e.g. shard-count=8; any router setting X as router-X, e.g. router-read-cache-ttl-ms=0",
        "(with router=true). Example:",
        "  orchiddb node --node-id n1 --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003 --router"})
public final class NodeCommand extends NodeMain {
  /** Node settings the embedded router takes from the node rather than from router-X settings. */
  static final List<String> FROM_NODE = List.of("peers", "cluster-name", "key-bytes-max", "value-bytes-max",
      "batch-ops-max", "request-bytes-max");

  @Option(names = "--router", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
      description = "Also run a router in this process: the public gRPC API and HTTP gateway, reading from this"
          + " node without a network hop (default: false).")
  String router;

  @Option(names = "--router-grpc-port", description = "With --router: its gRPC port (default: 4207).")
  String routerGrpcPort;

  @Option(names = "--router-http-port", description = "With --router: its HTTP gateway port (default: 4206).")
  String routerHttpPort;

  @Option(names = "--router-listen-host",
      description = "With --router: the address it binds (default: 127.0.0.1; 0.0.0.0 for all).")
  String routerListenHost;

  /** The embedded router's configuration, null without one; set by {@link #nodeSettings}. */
  RouterConfig routerConfig;

  @Override
  protected Map<String, String> nodeSettings(Map<String, String> settings) {
    Map<String, String> node = new LinkedHashMap<>();
    Map<String, String> router = new LinkedHashMap<>();
    String enabled = "false";
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (e.getKey().equals("router")) {
        enabled = e.getValue().trim().toLowerCase(Locale.ROOT);
      } else if (e.getKey().startsWith("router-")) {
        router.put(e.getKey().substring("router-".length()), e.getValue());
      } else {
        node.put(e.getKey(), e.getValue());
      }
    }
    if (!enabled.equals("true") && !enabled.equals("false")) {
      throw new ConfigException("router", "must be true or false, got '" + enabled + "'");
    }
    if (enabled.equals("false")) {
      if (!router.isEmpty()) {
        throw new ConfigException("router-" + router.keySet().iterator().next(),
            "a setting of the embedded router, which runs only with router=true (--router)");
      }
      routerConfig = null;
      return node;
    }
    for (String name : router.keySet()) {
      if (FROM_NODE.contains(name)) {
        throw new ConfigException("router-" + name, "the embedded router takes " + name + " from the node");
      }
      if (!RouterConfig.SETTINGS.containsKey(name)) {
        throw new ConfigException("router-" + name, "unknown setting; known: " + RouterConfig.SETTINGS.keySet().stream()
            .filter(known -> !FROM_NODE.contains(known)).map(known -> "router-" + known).toList());
      }
    }
    for (String shared : FROM_NODE) {
      if (node.containsKey(shared)) {
        router.put(shared, node.get(shared));
      }
    }
    try {
      routerConfig = RouterConfig.parse(router);
    } catch (ConfigException e) {
      String name = FROM_NODE.contains(e.setting()) ? e.setting() : "router-" + e.setting();
      throw new ConfigException(name, e.getMessage().substring(e.setting().length() + 2));
    }
    return node;
  }

  @Override
  protected Alongside startAlongside(OrchidNode node) throws IOException {
    if (routerConfig == null) {
      return null;
    }
    Router started = Router.start(routerConfig, LocalNode.of(node));
    return new Alongside(started, "router: gRPC on " + routerConfig.listenHost() + ":" + started.grpcPort()
        + ", HTTP on " + routerConfig.listenHost() + ":" + started.httpPort());
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeCommand()).execute(args));
  }
}
