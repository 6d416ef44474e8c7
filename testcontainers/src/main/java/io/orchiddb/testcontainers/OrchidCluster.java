package io.orchiddb.testcontainers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * A whole OrchidDB cluster in containers: N nodes ({@code n1..nN}, default 3) and one router on a
 * network of their own, the router's HTTP and gRPC ports mapped to the host. Or, with {@link
 * #withEmbeddedRouters()}, N nodes that each run a router in their own JVM and no router
 * container: then every node's HTTP and gRPC ports are mapped ({@link #grpcEndpoints()}).
 *
 * <pre>{@code
 * try (OrchidCluster cluster = new OrchidCluster().withNodeSetting("shard-count", "4")) {
 *   cluster.start();
 *   HttpRequest.newBuilder(URI.create(cluster.httpEndpoint() + "/put?greeting=hello")) ...
 *   OrchidClient client = OrchidClient.builder().endpoints(cluster.grpcEndpoint()).build();
 *   cluster.node("n2").getDockerClient().pauseContainerCmd(cluster.node("n2").getContainerId()).exec();
 * }
 * }</pre>
 *
 * <p>{@link #start()} starts the nodes together (a node waits for a quorum of its peers before
 * its groups elect leaders), then the router, and returns once the router's {@code /health}
 * answers 200 and its {@code /v1/cluster} names a leader for every shard, so a first write does
 * not wait out an election. With embedded routers it returns once every node's router names a
 * leader for every shard. {@link #stop()} removes every container and the network; call it (or use
 * try-with-resources), since nothing else cleans up when Testcontainers' Ryuk is disabled, as it
 * must be on Podman.
 *
 * <p>The image defaults to {@value #DEFAULT_IMAGE_NAME}, what {@code deploy/build-image.sh} builds.
 */
public final class OrchidCluster implements Startable {
  public static final String DEFAULT_IMAGE_NAME = "localhost/orchiddb:dev";
  public static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse(DEFAULT_IMAGE_NAME);
  /** Ids are n1..n9, so that the peers of a cluster read the same way as everywhere else. */
  public static final int NODES_MAX = 9;
  /** A shard's leader in the router's {@code /v1/cluster} JSON ("" while it has none). */
  private static final Pattern LEADER = Pattern.compile("\"leader\":\"([^\"]*)\"");

  private final DockerImageName image;
  private int nodeCount = 3;
  private final Map<String, String> nodeSettings = new LinkedHashMap<>();
  private final Map<String, String> routerSettings = new LinkedHashMap<>();
  /** The router settings that {@link #withLimit} set, which the nodes have too. */
  private final Set<String> limits = new HashSet<>();
  private Duration startupTimeout = OrchidContainer.STARTUP_TIMEOUT_DEFAULT;
  private boolean routerPortsFixed;
  private boolean embeddedRouters;

  private Network network;
  private final List<OrchidContainer> nodes = new ArrayList<>();
  private OrchidContainer router;

  /** A cluster of the image {@value #DEFAULT_IMAGE_NAME}. */
  public OrchidCluster() {
    this(DEFAULT_IMAGE);
  }

  public OrchidCluster(DockerImageName image) {
    this.image = Objects.requireNonNull(image, "image");
  }

  /** How many nodes, 1 to {@value #NODES_MAX} (default 3). */
  public OrchidCluster withNodes(int count) {
    if (count < 1 || count > NODES_MAX) {
      throw new IllegalArgumentException("nodes must be between 1 and " + NODES_MAX + ", got " + count);
    }
    requireNotStarted();
    this.nodeCount = count;
    return this;
  }

  /** A setting of every node, e.g. {@code ("shard-count", "4")}; see {@link OrchidContainer#withSetting}. */
  public OrchidCluster withNodeSetting(String name, String value) {
    requireNotStarted();
    OrchidContainer.environmentVariable(name);
    nodeSettings.put(name, Objects.requireNonNull(value, "value"));
    return this;
  }

  /** A setting of the router, e.g. {@code ("request-timeout-ms", "2000")}. */
  public OrchidCluster withRouterSetting(String name, String value) {
    requireNotStarted();
    if (embeddedRouters) {
      throw new IllegalStateException("there is no router container with embedded routers; set '" + name
          + "' on the nodes as withNodeSetting(\"router-" + name + "\", ...) (limits come from the node's own)");
    }
    OrchidContainer.environmentVariable(name);
    routerSettings.put(name, Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * A limit for nodes and router alike ({@code key-bytes-max}, {@code value-bytes-max},
   * {@code batch-ops-max}, {@code request-bytes-max}): the two must agree. Embedded routers take
   * it from their nodes.
   */
  public OrchidCluster withLimit(String name, long value) {
    withNodeSetting(name, Long.toString(value));
    limits.add(name);
    routerSettings.put(name, Long.toString(value)); // unused with embedded routers
    return this;
  }

  /** How long each container may take to become ready (default 180 s). */
  public OrchidCluster withStartupTimeout(Duration timeout) {
    requireNotStarted();
    this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Publishes the router's ports on host ports chosen once at start (free at that moment), instead
   * of the engine's random ones, so that {@link #httpEndpoint()} and {@link #grpcEndpoint()} stay
   * the same when the router container is killed and started again: Docker picks new random ports
   * on every start (Podman keeps them), and a client built with the old address would never
   * reconnect. Fault-injection tests that restart the router need this.
   */
  public OrchidCluster withRouterPortsFixed() {
    requireNotStarted();
    this.routerPortsFixed = true;
    return this;
  }

  /**
   * Runs a router in every node's JVM ({@code orchiddb node --router}) and no router container,
   * the layout in which a router submits writes to the shards its node leads in-process. Each
   * node's HTTP ({@value OrchidContainer#HTTP_PORT}) and gRPC ({@value OrchidContainer#GRPC_PORT})
   * ports are published on host ports chosen once at start, as {@link #withRouterPortsFixed()}
   * does for the router, so that {@link #grpcEndpoints()} survive a node's restart. Router
   * settings go to every node as {@code router-<setting>} ({@link #withNodeSetting}), and
   * {@link #withRouterSetting} is refused; limits ({@link #withLimit}) the routers take from their
   * nodes. {@link #router()}, {@link #httpEndpoint()} and {@link #grpcEndpoint()} then fail: use
   * {@link #grpcEndpoints()}, {@link #httpEndpoints()} or a node's own ({@link
   * OrchidContainer#grpcEndpoint()}).
   */
  public OrchidCluster withEmbeddedRouters() {
    requireNotStarted();
    Set<String> routerOnly = new HashSet<>(routerSettings.keySet());
    routerOnly.removeAll(limits);
    if (!routerOnly.isEmpty()) {
      throw new IllegalStateException("router settings " + routerOnly + " were given, but with embedded"
          + " routers there is no router container; set them on the nodes as router-<setting>");
    }
    this.embeddedRouters = true;
    return this;
  }

  /** Whether every node runs a router and there is no router container ({@link #withEmbeddedRouters()}). */
  public boolean embeddedRouters() {
    return embeddedRouters;
  }

  /** The peers every node and the router are given: {@code n1=n1:7001,...}. */
  public String peers() {
    return peers(nodeCount);
  }

  static String peers(int nodeCount) {
    return IntStream.rangeClosed(1, nodeCount)
        .mapToObj(i -> "n" + i + "=n" + i + ":" + OrchidContainer.NODE_PORT)
        .collect(Collectors.joining(","));
  }

  @Override
  public void start() {
    requireNotStarted();
    network = Network.newNetwork();
    try {
      List<Integer> nodePorts = embeddedRouters ? freeHostPorts(2 * nodeCount) : List.of();
      for (int i = 1; i <= nodeCount; i++) {
        String id = "n" + i;
        OrchidContainer node = OrchidContainer.node(image, id, peers()).withNetwork(network);
        if (embeddedRouters) {
          node.withEmbeddedRouter().waitingFor(everyShardLedBy(id));
          int http = nodePorts.get(2 * (i - 1));
          int grpc = nodePorts.get(2 * (i - 1) + 1);
          node.setPortBindings(List.of(http + ":" + OrchidContainer.HTTP_PORT, grpc + ":" + OrchidContainer.GRPC_PORT));
        }
        node.withStartupTimeout(startupTimeout); // after waitingFor: it applies to the strategy set then
        nodeSettings.forEach(node::withSetting);
        nodes.add(node);
      }
      if (embeddedRouters) {
        // Every node's router answers for itself: each must have a leader for every shard in
        // view, not only one of them. The nodes start together (their waits run in parallel).
        Startables.deepStart(nodes).join();
        return;
      }
      // Ready once the router names a leader for every shard, not only once it has the shard map
      // (its /health): the shards' groups may still be electing then, and a first write in one CI
      // run waited out the router's 10 s request timeout on a shard without a leader.
      router = OrchidContainer.router(image, peers()).withNetwork(network)
          .waitingFor(Wait.forHttp("/v1/cluster").forPort(OrchidContainer.HTTP_PORT).forStatusCode(200)
              .forResponsePredicate(OrchidCluster::everyShardLed))
          .withStartupTimeout(startupTimeout);
      routerSettings.forEach(router::withSetting);
      if (routerPortsFixed) {
        List<Integer> ports = freeHostPorts(2);
        router.setPortBindings(List.of(
            ports.get(0) + ":" + OrchidContainer.HTTP_PORT, ports.get(1) + ":" + OrchidContainer.GRPC_PORT));
      }
      Startables.deepStart(nodes).join();
      router.start();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** A node with an embedded router is ready once it is, and its router names a leader for every shard. */
  private static WaitStrategy everyShardLedBy(String nodeId) {
    return new WaitAllStrategy()
        .withStrategy(OrchidContainer.readyLog(nodeId))
        .withStrategy(Wait.forHttp("/v1/cluster").forPort(OrchidContainer.HTTP_PORT).forStatusCode(200)
            .forResponsePredicate(OrchidCluster::everyShardLed));
  }

  /** Whether a {@code /v1/cluster} answer lists shards and names a leader for each. */
  static boolean everyShardLed(String status) {
    Matcher leaders = LEADER.matcher(status);
    int shards = 0;
    while (leaders.find()) {
      if (leaders.group(1).isEmpty()) {
        return false;
      }
      shards++;
    }
    return shards > 0;
  }

  /** Removes the router, the nodes and the network. Safe to call more than once. */
  @Override
  public void stop() {
    List<Runnable> steps = new ArrayList<>();
    if (router != null) {
      steps.add(router::stop);
    }
    nodes.forEach(n -> steps.add(n::stop));
    if (network != null) {
      steps.add(network::close);
    }
    RuntimeException first = null;
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        // Keep going: one container that fails to stop must not leave the others running.
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    router = null;
    nodes.clear();
    network = null;
    if (first != null) {
      throw first;
    }
  }

  /** The nodes, n1 first; empty before {@link #start()}. */
  public List<OrchidContainer> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /** The node with this id (n1..nN). */
  public OrchidContainer node(String id) {
    return nodes.stream().filter(n -> n.nodeId().orElseThrow().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node '" + id + "'; the nodes are n1..n" + nodeCount
            + (nodes.isEmpty() ? " (the cluster is not started)" : "")));
  }

  /**
   * The router container.
   *
   * @throws IllegalStateException before start, or when the routers are embedded in the nodes
   *     ({@link #withEmbeddedRouters()}), which has no router container
   */
  public OrchidContainer router() {
    requireStarted();
    if (embeddedRouters) {
      throw new IllegalStateException("this cluster has no router container: every node runs a router"
          + " (withEmbeddedRouters()); use grpcEndpoints() / httpEndpoints(), or node(id).grpcEndpoint()");
    }
    return router;
  }

  /** The network the containers share; attach your own containers to reach nodes by id. */
  public Network network() {
    requireStarted();
    return network;
  }

  /**
   * The router's HTTP gateway from the host, e.g. {@code http://localhost:32771}.
   *
   * @throws IllegalStateException with embedded routers (use {@link #httpEndpoints()})
   */
  public String httpEndpoint() {
    return router().httpEndpoint();
  }

  /**
   * The router's gRPC API from the host, {@code host:port}.
   *
   * @throws IllegalStateException with embedded routers (use {@link #grpcEndpoints()})
   */
  public String grpcEndpoint() {
    return router().grpcEndpoint();
  }

  /**
   * Every router's gRPC API from the host, for {@code OrchidClient.builder().endpoints(...)}: the
   * router container's alone, or with {@link #withEmbeddedRouters()} every node's, n1 first.
   */
  public List<String> grpcEndpoints() {
    return apiContainers().stream().map(OrchidContainer::grpcEndpoint).toList();
  }

  /** Every router's HTTP gateway from the host, in the order of {@link #grpcEndpoints()}. */
  public List<String> httpEndpoints() {
    return apiContainers().stream().map(OrchidContainer::httpEndpoint).toList();
  }

  private List<OrchidContainer> apiContainers() {
    requireStarted();
    return embeddedRouters ? nodes() : List.of(router());
  }

  /**
   * {@code count} distinct host ports free at this moment: each socket stays bound until all are
   * chosen, so no port is handed out twice.
   */
  private static List<Integer> freeHostPorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find " + count + " free host ports for the routers", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // a probe socket that fails to close changes nothing about the port it found
        }
      }
    }
  }

  private void requireNotStarted() {
    if (network != null) {
      throw new IllegalStateException("the cluster is already started; configure it before start()");
    }
  }

  private void requireStarted() {
    if (network == null || (router == null && !embeddedRouters)) {
      throw new IllegalStateException("the cluster is not started");
    }
  }
}
