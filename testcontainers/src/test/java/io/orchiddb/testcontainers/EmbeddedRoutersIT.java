package io.orchiddb.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Proves that {@link OrchidCluster#withEmbeddedRouters()} runs a cluster with a router in every
 * node and no router container, and that every node's router serves the API from the host: a
 * write through each node is read back through every node, writes to a shard a node leads are
 * submitted in-process there (its {@code orchiddb_router_local_writes_total} grows), each node's
 * gRPC port is reachable, and a node killed with SIGKILL and started again serves at the same
 * endpoints (the fixed host ports the Jepsen suite's clients rely on).
 *
 * <p>How: one cluster of 3 nodes and 4 shards for the class, plain {@link HttpClient} requests to
 * each node's HTTP gateway, the Docker API for the kill; conditions that take time (a restarted
 * node serving again) are polled with a deadline. The restart runs last ({@link Order}), since it
 * moves leaders the other tests look at. Needs a container runtime and the image, like {@link
 * OrchidClusterIT} ({@link ContainerRuntime}).
 */
@ExtendWith(ContainerRuntime.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedRoutersIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern LOCAL_WRITES = Pattern.compile("(?m)^orchiddb_router_local_writes_total (\\S+)$");
  /** A shard's leader in a {@code /v1/cluster} answer ("" while it has none). */
  private static final Pattern SHARD_LEADER = Pattern.compile("\"leader\":\"([^\"]*)\"");
  private static final Duration RESTART_PATIENCE = Duration.ofSeconds(120);
  private static OrchidCluster cluster;

  /** A failure prints the end of every node's log, as in {@link OrchidClusterIT}. */
  @RegisterExtension
  static final TestWatcher LOGS_ON_FAILURE = ContainerLogs.onFailure(() -> cluster);

  @BeforeAll
  static void startCluster() {
    ContainerRuntime.require();
    cluster = new OrchidCluster(ContainerRuntime.IMAGE).withNodes(3).withNodeSetting("shard-count", "4")
        .withEmbeddedRouters();
    cluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  @Order(1)
  void thereIsNoRouterContainerAndTheErrorsSaySo() {
    assertThat(cluster.nodes()).hasSize(3).allMatch(OrchidContainer::servesApi);
    assertThatThrownBy(cluster::router).isInstanceOf(IllegalStateException.class).hasMessageContaining("grpcEndpoints()");
    assertThatThrownBy(cluster::grpcEndpoint).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no router container");
    assertThat(cluster.grpcEndpoints()).hasSize(3).doesNotHaveDuplicates()
        .isEqualTo(cluster.nodes().stream().map(OrchidContainer::grpcEndpoint).toList());
    assertThat(cluster.httpEndpoints()).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  @Order(2)
  void aWriteThroughAnyNodeIsReadThroughEveryNode() throws Exception {
    List<String> http = cluster.httpEndpoints();
    for (int writer = 0; writer < http.size(); writer++) {
      for (int k = 0; k < 10; k++) {
        String key = "via-n" + (writer + 1) + "-" + k;
        HttpResponse<String> put = put(http.get(writer), key, "value of " + key);
        assertThat(put.statusCode()).as("%s through n%d: %s", key, writer + 1, put.body()).isIn(200, 201);
      }
    }
    for (int writer = 0; writer < http.size(); writer++) {
      for (int k = 0; k < 10; k++) {
        String key = "via-n" + (writer + 1) + "-" + k;
        for (int reader = 0; reader < http.size(); reader++) {
          HttpResponse<String> got = get(http.get(reader), "/v1/kv/" + key + "?consistency=strong");
          assertThat(got.statusCode()).as("%s read through n%d: %s", key, reader + 1, got.body()).isEqualTo(200);
          assertThat(got.body()).contains("\"value\":\"value of " + key + "\"");
        }
      }
    }
  }

  @Test
  @Order(3)
  void everyShardLeaderTakesWritesInProcess() throws Exception {
    Set<String> leaders = leaders();
    Map<String, Double> before = localWrites();
    // 40 keys through every node: each of the 4 shards gets some (missing one: (3/4)^40 < 1e-4).
    List<String> http = cluster.httpEndpoints();
    for (int writer = 0; writer < http.size(); writer++) {
      for (int k = 0; k < 40; k++) {
        String key = "local-via-n" + (writer + 1) + "-" + k;
        HttpResponse<String> put = put(http.get(writer), key, "v");
        assertThat(put.statusCode()).as("%s: %s", key, put.body()).isIn(200, 201);
      }
    }
    leaders.retainAll(leaders()); // the nodes that led a shard throughout
    Map<String, Double> after = localWrites();
    assertThat(leaders).as("nodes that led a shard before and after the writes").isNotEmpty();
    for (String leader : leaders) {
      assertThat(after.get(leader)).as("in-process writes of %s, which leads a shard", leader)
          .isGreaterThan(before.get(leader));
    }
  }

  @Test
  @Order(4)
  void everyNodesGrpcPortIsMappedToTheHost() throws Exception {
    for (String endpoint : cluster.grpcEndpoints()) {
      String[] hostPort = endpoint.split(":");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5000);
        assertThat(socket.isConnected()).as(endpoint).isTrue();
      }
    }
  }

  @Test
  @Order(5)
  void aRestartedNodeServesAtTheSameEndpoints() throws Exception {
    OrchidContainer n3 = cluster.node("n3");
    String http = n3.httpEndpoint();
    String grpc = n3.grpcEndpoint();
    DockerClient docker = n3.getDockerClient();
    docker.killContainerCmd(n3.getContainerId()).withSignal("KILL").exec();
    awaitTrue("n3 stopped", () -> !running(docker, n3));
    docker.startContainerCmd(n3.getContainerId()).exec();
    awaitTrue("n3 serving a write again at " + http, () -> {
      try {
        return put(http, "after-restart", "back").statusCode() / 100 == 2;
      } catch (IOException e) {
        return false; // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
    assertThat(n3.httpEndpoint()).isEqualTo(http);
    assertThat(n3.grpcEndpoint()).isEqualTo(grpc);
    HttpResponse<String> got = get(cluster.httpEndpoints().get(0), "/v1/kv/after-restart?consistency=strong");
    assertThat(got.body()).contains("\"value\":\"back\"");
  }

  private static boolean running(DockerClient docker, OrchidContainer c) {
    return Boolean.TRUE.equals(docker.inspectContainerCmd(c.getContainerId()).exec().getState().getRunning());
  }

  /** Polls {@code condition} until it holds, failing after {@link #RESTART_PATIENCE}. */
  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + RESTART_PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %d s", what, RESTART_PATIENCE.toSeconds()).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // between polls, not a wait for the condition
    }
  }

  /** The nodes that n1's router names as a shard's leader. */
  private static Set<String> leaders() throws IOException, InterruptedException {
    HttpResponse<String> status = get(cluster.httpEndpoints().get(0), "/v1/cluster");
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    Set<String> leaders = new HashSet<>();
    Matcher m = SHARD_LEADER.matcher(status.body());
    while (m.find()) {
      if (!m.group(1).isEmpty()) {
        leaders.add(m.group(1));
      }
    }
    return leaders;
  }

  /** Each node's {@code orchiddb_router_local_writes_total}. */
  private static Map<String, Double> localWrites() throws IOException, InterruptedException {
    Map<String, Double> counts = new TreeMap<>();
    for (OrchidContainer node : cluster.nodes()) {
      HttpResponse<String> metrics = get(node.httpEndpoint(), "/metrics");
      Matcher m = LOCAL_WRITES.matcher(metrics.body());
      assertThat(m.find()).as("orchiddb_router_local_writes_total on %s's /metrics", node.nodeId().orElseThrow()).isTrue();
      counts.put(node.nodeId().orElseThrow(), Double.parseDouble(m.group(1)));
    }
    return counts;
  }

  private static HttpResponse<String> put(String endpoint, String key, String value) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/kv/" + key)).PUT(HttpRequest.BodyPublishers.ofString(value)));
  }

  private static HttpResponse<String> get(String endpoint, String pathAndQuery) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HTTP.send(request.timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
