package io.orchiddb.testcontainers;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * One OrchidDB process in a container of the OrchidDB image: a storage {@linkplain Role#NODE
 * node} or the {@linkplain Role#ROUTER router}. Most tests want a whole cluster, which
 * {@link OrchidCluster} assembles from these; use this class directly to build other layouts.
 *
 * <pre>{@code
 * String peers = "n1=n1:7001,n2=n2:7001,n3=n3:7001";
 * OrchidContainer n1 = OrchidContainer.node(image, "n1", peers).withNetwork(network);
 * OrchidContainer router = OrchidContainer.router(image, peers).withNetwork(network);
 * }</pre>
 *
 * <p>A node is reachable inside its network under its id (a network alias and its hostname),
 * which is why peers name nodes by id; it listens on {@link #NODE_PORT} and is ready when it
 * logs {@code orchiddb node <id> ready}. The router listens on all interfaces; its ports
 * {@link #HTTP_PORT} and {@link #GRPC_PORT} are mapped to the host ({@link #httpEndpoint()},
 * {@link #grpcEndpoint()}), and it is ready when {@code GET /health} answers 200, which it does
 * once it has read the shard map from the nodes.
 *
 * <p>A node may also run a router in its own JVM ({@link #withEmbeddedRouter()}, {@code orchiddb
 * node --router}): it then serves the same API on the same two ports, mapped to the host, and is
 * ready once it has logged that it is ready and that router's {@code /health} answers 200.
 *
 * <p>Settings are the {@code orchiddb node} / {@code orchiddb router} flags without the dashes
 * ({@code withSetting("shard-count", "4")}); the image's entrypoint turns each into its flag.
 *
 * <p>Images from the {@code localhost} registry (what {@code deploy/build-image.sh} builds) are
 * never pulled; others are pulled when absent, as Testcontainers does by default.
 */
public class OrchidContainer extends GenericContainer<OrchidContainer> {
  /** The Raft port every node listens on inside its container. */
  public static final int NODE_PORT = 7001;
  /** The router's HTTP gateway port inside its container. */
  public static final int HTTP_PORT = 4206;
  /** The router's gRPC port inside its container. */
  public static final int GRPC_PORT = 4207;
  /** Four JVMs start at once on small CI machines; a node bootstraps in seconds when alone. */
  public static final Duration STARTUP_TIMEOUT_DEFAULT = Duration.ofSeconds(180);

  private static final Pattern SETTING = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  /** Which process the container runs. */
  public enum Role { NODE, ROUTER }

  private final Role role;
  private final String nodeId;
  private boolean embeddedRouter;

  private OrchidContainer(DockerImageName image, Role role, String nodeId, String peers) {
    super(image);
    this.role = role;
    this.nodeId = nodeId;
    if ("localhost".equals(image.getRegistry())) {
      // Built on this machine; there is no registry called localhost to pull from.
      withImagePullPolicy(name -> false);
    } else {
      withImagePullPolicy(PullPolicy.defaultPolicy());
    }
    withSetting("peers", peers);
    withStartupTimeout(STARTUP_TIMEOUT_DEFAULT);
  }

  /**
   * A storage node.
   *
   * @param nodeId its id; must be one of {@code peers} and is also its name in the network
   * @param peers every node as {@code id=host:port}, in the same order for every node and router
   */
  public static OrchidContainer node(DockerImageName image, String nodeId, String peers) {
    Objects.requireNonNull(image, "image");
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("node id must be 1-32 of a-z, 0-9, '-', '_'; got '" + nodeId + "'");
    }
    OrchidContainer c = new OrchidContainer(image, Role.NODE, nodeId, peers);
    c.withCommand("node", "--node-id", nodeId)
        .withNetworkAliases(nodeId)
        .withCreateContainerCmdModifier(cmd -> cmd.withHostName(nodeId))
        .waitingFor(readyLog(nodeId));
    return c;
  }

  /** A node is ready once it logs {@code orchiddb node <id> ready}: its groups are started. */
  static WaitStrategy readyLog(String nodeId) {
    return Wait.forLogMessage(".*orchiddb node " + Pattern.quote(nodeId) + " ready.*\\n", 1);
  }

  /**
   * Runs a router in this node's JVM ({@code router=true}), listening on all interfaces, with its
   * HTTP ({@link #HTTP_PORT}) and gRPC ({@link #GRPC_PORT}) ports mapped to the host, so that
   * {@link #httpEndpoint()} and {@link #grpcEndpoint()} reach it. The node is then ready when it
   * logs that it is and its router's {@code /health} answers 200. Its writes to shards the node
   * leads are submitted to Raft in-process. Settings of that router are {@code router-<setting>}.
   * Call before {@link #withStartupTimeout}, which applies to the wait this sets.
   *
   * @throws IllegalStateException on the router container, which is a router already
   */
  public OrchidContainer withEmbeddedRouter() {
    if (role != Role.NODE) {
      throw new IllegalStateException("only a node can run an embedded router; this container is the router");
    }
    embeddedRouter = true;
    return withSetting("router", "true")
        .withSetting("router-listen-host", "0.0.0.0")
        .withExposedPorts(HTTP_PORT, GRPC_PORT)
        .waitingFor(new WaitAllStrategy()
            .withStrategy(readyLog(nodeId))
            .withStrategy(Wait.forHttp("/health").forPort(HTTP_PORT).forStatusCode(200))
            .withStartupTimeout(STARTUP_TIMEOUT_DEFAULT));
  }

  /** The router, listening on all interfaces, with its HTTP and gRPC ports mapped to the host. */
  public static OrchidContainer router(DockerImageName image, String peers) {
    Objects.requireNonNull(image, "image");
    OrchidContainer c = new OrchidContainer(image, Role.ROUTER, null, peers);
    c.withCommand("router")
        .withSetting("listen-host", "0.0.0.0")
        .withExposedPorts(HTTP_PORT, GRPC_PORT)
        .waitingFor(Wait.forHttp("/health").forPort(HTTP_PORT).forStatusCode(200));
    return c;
  }

  /**
   * Sets one of the process's settings, named as its flag without the dashes, e.g.
   * {@code withSetting("snapshot-threshold", "100")}. Unknown names stop the process at start with
   * a message naming the setting (see the container's logs).
   */
  public OrchidContainer withSetting(String name, String value) {
    return withEnv(environmentVariable(name), Objects.requireNonNull(value, "value"));
  }

  /** The environment variable the image's entrypoint turns into {@code --<name>}. */
  static String environmentVariable(String setting) {
    if (!SETTING.matcher(setting).matches()) {
      throw new IllegalArgumentException("a setting is a flag name without the dashes, e.g. shard-count; got '"
          + setting + "'");
    }
    return "ORCHIDDB_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  public Role role() {
    return role;
  }

  /** The node's id; empty for the router. */
  public Optional<String> nodeId() {
    return Optional.ofNullable(nodeId);
  }

  /** Whether this container serves the public API: the router, or a node {@link #withEmbeddedRouter()}. */
  public boolean servesApi() {
    return role == Role.ROUTER || embeddedRouter;
  }

  /**
   * The HTTP gateway of the router (or of a node's {@linkplain #withEmbeddedRouter() embedded
   * router}) as seen from the host, e.g. {@code http://localhost:32771}.
   */
  public String httpEndpoint() {
    requireStartedRouter();
    return "http://" + getHost() + ":" + getMappedPort(HTTP_PORT);
  }

  /**
   * The gRPC API of the router (or of a node's {@linkplain #withEmbeddedRouter() embedded router})
   * as seen from the host, {@code host:port}, for {@code OrchidClient.builder().endpoints(...)}.
   */
  public String grpcEndpoint() {
    requireStartedRouter();
    return getHost() + ":" + getMappedPort(GRPC_PORT);
  }

  private void requireStartedRouter() {
    if (!servesApi()) {
      throw new IllegalStateException("node " + nodeId + " has no HTTP or gRPC endpoint; ask the router"
          + " (or run a router in the node: withEmbeddedRouter(), OrchidCluster.withEmbeddedRouters())");
    }
    if (!isRunning()) {
      throw new IllegalStateException((role == Role.ROUTER ? "the router container" : "node " + nodeId)
          + " is not running; start it first");
    }
  }
}
