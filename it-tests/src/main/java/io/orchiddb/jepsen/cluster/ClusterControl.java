package io.orchiddb.jepsen.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.orchiddb.testcontainers.OrchidCluster;
import io.orchiddb.testcontainers.OrchidContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What the nemeses do to a running {@link OrchidCluster}, each as one blocking call: kill a
 * container with SIGKILL and start it again (same container, so a node keeps its data volume),
 * pause and resume it (cgroup freezer), and cut or restore network links between nodes with
 * iptables rules in a container's network namespace, entered from the host with {@code nsenter}
 * (so the image needs no tools or capabilities; see shared/CONTAINERS.md).
 *
 * <p>With {@linkplain OrchidCluster#withEmbeddedRouters() embedded routers} there is no router
 * container: a node's router dies, pauses and is cut off with its node, and {@link #killRouter()}
 * is refused.
 *
 * <p>Partitions need root on the host and {@code nsenter} and {@code iptables} there, which is
 * true on Linux CI machines with Podman or Docker; {@link #partitionsSupported()} says whether they
 * are, and why not. Rules are appended to the filter table's INPUT and OUTPUT chains, which are
 * empty in these containers, so healing flushes both.
 */
public final class ClusterControl {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

  private final OrchidCluster cluster;
  private final DockerClient docker;
  private final LongSupplier nanoClock;

  /** @param nanoClock monotonic nanoseconds, for the waits on the container engine */
  public ClusterControl(OrchidCluster cluster, LongSupplier nanoClock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    // Every container of the cluster shares Testcontainers' one client; the nodes exist in every layout.
    this.docker = cluster.nodes().get(0).getDockerClient();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  public OrchidCluster cluster() {
    return cluster;
  }

  /** The node ids, n1 first. */
  public List<String> nodeIds() {
    return cluster.nodes().stream().map(n -> n.nodeId().orElseThrow()).toList();
  }

  /** {@code kill -9} of a node's process (the container stops; its data stays). */
  public void killNode(String id) {
    kill(cluster.node(id));
  }

  /** Starts a killed node's container again; returns once the engine reports it running. */
  public void startNode(String id) {
    start(cluster.node(id));
  }

  public void pauseNode(String id) {
    docker.pauseContainerCmd(cluster.node(id).getContainerId()).exec();
  }

  public void resumeNode(String id) {
    String container = cluster.node(id).getContainerId();
    if (Boolean.TRUE.equals(inspect(container).getState().getPaused())) {
      docker.unpauseContainerCmd(container).exec();
    }
  }

  /** Whether the cluster has a router container (not so with embedded routers). */
  public boolean hasRouterContainer() {
    return !cluster.embeddedRouters();
  }

  /** {@code kill -9} of the router container; fails when there is none ({@link #hasRouterContainer()}). */
  public void killRouter() {
    kill(cluster.router());
  }

  /** Starts a killed router container again; fails when there is none ({@link #hasRouterContainer()}). */
  public void startRouter() {
    start(cluster.router());
  }

  /** Whether the node's container is running (paused counts as running). */
  public boolean isRunning(String id) {
    return Boolean.TRUE.equals(inspect(cluster.node(id).getContainerId()).getState().getRunning());
  }

  /**
   * Drops all traffic between {@code id} and each of {@code peers}, in both directions, with
   * rules in {@code id}'s network namespace only; call it for both ends for a clean cut. Clients
   * stand outside the partition, as in Jepsen: the router container is never cut off, and with
   * embedded routers the clients still reach every node's router (their traffic comes through
   * the host's port mappings, not from a peer's address), whose own calls to the cut-off peers
   * are dropped.
   */
  public void cut(String id, Collection<String> peers) {
    if (peers.isEmpty()) {
      return;
    }
    long pid = pid(id);
    for (String peer : peers) {
      String ip = ip(peer);
      iptables(pid, "-A", "INPUT", "-s", ip, "-j", "DROP");
      iptables(pid, "-A", "OUTPUT", "-d", ip, "-j", "DROP");
    }
  }

  /** Removes every rule {@link #cut} added in the node's namespace; a no-op for a stopped node. */
  public void healNetwork(String id) {
    if (!isRunning(id)) {
      return; // a stopped container has no namespace; a fresh one starts with no rules
    }
    long pid = pid(id);
    iptables(pid, "-F", "INPUT");
    iptables(pid, "-F", "OUTPUT");
  }

  /** Null when partitions can be made here, else why not. */
  public static String partitionsSupported() {
    for (String tool : List.of("nsenter", "iptables")) {
      if (!onPath(tool)) {
        return "'" + tool + "' is not on the host's PATH (Debian: apt-get install util-linux iptables)";
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return "entering a container's network namespace needs root (running as " + System.getProperty("user.name") + ")";
    }
    return null;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && new java.io.File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private void kill(OrchidContainer container) {
    InspectContainerResponse info = inspect(container.getContainerId());
    if (Boolean.TRUE.equals(info.getState().getPaused())) {
      docker.unpauseContainerCmd(container.getContainerId()).exec(); // SIGKILL waits for a frozen process
    }
    if (Boolean.TRUE.equals(inspect(container.getContainerId()).getState().getRunning())) {
      docker.killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
    }
    awaitRunning(container.getContainerId(), false);
  }

  private void start(OrchidContainer container) {
    if (!Boolean.TRUE.equals(inspect(container.getContainerId()).getState().getRunning())) {
      docker.startContainerCmd(container.getContainerId()).exec();
    }
    awaitRunning(container.getContainerId(), true);
  }

  private void awaitRunning(String container, boolean running) {
    long deadline = nanoClock.getAsLong() + COMMAND_TIMEOUT.toNanos();
    while (Boolean.TRUE.equals(inspect(container).getState().getRunning()) != running) {
      if (nanoClock.getAsLong() > deadline) {
        throw new IllegalStateException("container " + container + " did not become " + (running ? "running" : "stopped")
            + " within " + COMMAND_TIMEOUT.toSeconds() + " s");
      }
      pollPause();
    }
  }

  private static void pollPause() {
    try {
      TimeUnit.MILLISECONDS.sleep(50); // polling the engine's state; there is no event to wait on here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private InspectContainerResponse inspect(String container) {
    return docker.inspectContainerCmd(container).exec();
  }

  private long pid(String id) {
    Long pid = inspect(cluster.node(id).getContainerId()).getState().getPidLong();
    if (pid == null || pid <= 0) {
      throw new IllegalStateException("node " + id + " is not running (no process id)");
    }
    return pid;
  }

  /** The node's address on the cluster's network, looked up each time: it may change on restart. */
  public String ip(String id) {
    Map<String, ContainerNetwork> networks = inspect(cluster.node(id).getContainerId()).getNetworkSettings().getNetworks();
    for (ContainerNetwork network : networks.values()) {
      if (network.getIpAddress() != null && !network.getIpAddress().isEmpty()) {
        return network.getIpAddress();
      }
    }
    throw new IllegalStateException("node " + id + " has no IP address (is it running?)");
  }

  private static void iptables(long pid, String... rule) {
    List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "iptables", "-w"));
    command.addAll(List.of(rule));
    run(command);
  }

  private static void run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }
}
