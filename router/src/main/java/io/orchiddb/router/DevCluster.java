package io.orchiddb.router;

import io.orchiddb.node.config.FreePorts;
import io.orchiddb.node.config.NodeConfig;
import io.orchiddb.node.raft.OrchidNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster in one process: N nodes (each its own Ratis server on a loopback port, with
 * its own data directory) and a router. For {@code orchiddb dev}, demos and tests. Nodes can be
 * stopped and started again on their data directories.
 */
public final class DevCluster implements Closeable {
  private final Path dataDir;
  private final Map<String, String> nodeSettings;
  private final Map<String, OrchidNode> nodes = new LinkedHashMap<>();
  private final List<String> ids = new ArrayList<>();
  private final RouterConfig routerConfig;
  private Router router;

  /**
   * @param nodeCount nodes to run
   * @param firstNodePort the first node's Raft port (the others follow); 0 picks free ports
   * @param nodeExtra extra node settings by name (e.g. shard-count)
   * @param routerExtra extra router settings by name (e.g. grpc-port)
   */
  public DevCluster(Path dataDir, int nodeCount, int firstNodePort, Map<String, String> nodeExtra,
      Map<String, String> routerExtra) throws IOException {
    this.dataDir = dataDir;
    StringBuilder peers = new StringBuilder();
    int[] free = firstNodePort == 0 ? FreePorts.pick(nodeCount) : null;
    for (int i = 1; i <= nodeCount; i++) {
      String id = "n" + i;
      ids.add(id);
      int port = free != null ? free[i - 1] : firstNodePort + i - 1;
      peers.append(i > 1 ? "," : "").append(id).append("=127.0.0.1:").append(port);
    }
    nodeSettings = new HashMap<>(nodeExtra);
    nodeSettings.put("peers", peers.toString());
    Map<String, String> r = new HashMap<>(routerExtra);
    r.put("peers", peers.toString());
    r.putIfAbsent("cluster-name", nodeSettings.getOrDefault("cluster-name", "orchiddb"));
    routerConfig = RouterConfig.parse(r);
    try {
      for (String id : ids) {
        startNode(id);
      }
      router = Router.start(routerConfig);
      router.awaitReady(java.time.Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  public NodeConfig nodeConfig(String id) {
    Map<String, String> s = new HashMap<>(nodeSettings);
    s.put("node-id", id);
    s.put("data-dir", dataDir.resolve(id).toString());
    return NodeConfig.parse(s);
  }

  public void startNode(String id) throws IOException {
    nodes.put(id, OrchidNode.start(nodeConfig(id)));
  }

  public void stopNode(String id) throws IOException {
    OrchidNode node = nodes.remove(id);
    if (node != null) {
      node.close();
    }
  }

  public List<String> nodeIds() {
    return List.copyOf(ids);
  }

  public OrchidNode node(String id) {
    return nodes.get(id);
  }

  public Router router() {
    return router;
  }

  public RouterConfig routerConfig() {
    return routerConfig;
  }

  /** host:port of the router's gRPC server. */
  public String grpcTarget() {
    return routerConfig.listenHost() + ":" + router.grpcPort();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    if (router != null) {
      router.close();
    }
    for (OrchidNode n : nodes.values()) {
      try {
        n.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    nodes.clear();
    if (first != null) {
      throw first;
    }
  }
}
