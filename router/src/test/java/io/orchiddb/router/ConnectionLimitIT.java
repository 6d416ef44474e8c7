package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PipelineOp;
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.RetryPolicy;
import io.orchiddb.client.UnavailableException;
import io.orchiddb.router.http.RawHttp;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the router's connection limits one connection over them, on a one-node cluster whose
 * router serves at most {@value #MAX} gRPC and {@value #MAX} HTTP connections: the third gRPC
 * connection's calls are refused with UNAVAILABLE LIMIT_EXCEEDED naming grpc-connections-max and
 * do nothing; the SDK reports that as unavailable (a put too: nothing was written), drops the
 * refused connection and gets in on a new one once a place is free; the third HTTP connection's
 * request gets 503 naming http-connections-max and the connection is closed; and a closed
 * connection frees its place. The router's connection gauge is the witness of what it counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitIT {
  private static final int MAX = 2;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 1, 0, Map.of("shard-count", "1", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0", "grpc-connections-max", String.valueOf(MAX),
            "http-connections-max", String.valueOf(MAX), "grpc-calls-per-connection-max", String.valueOf(MAX)));
    cluster.router().awaitReady(WAIT);
  }

  @AfterEach
  void closeConnections() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    channels.clear();
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
    await("no connection counted", () -> gauge("grpc") == 0 && gauge("http") == 0);
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  private ManagedChannel channel() {
    ManagedChannel c = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static KVGrpc.KVBlockingStub stub(ManagedChannel c) {
    return KVGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static GetRequest get(String key) {
    return GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build();
  }

  /** Two raw channels that have each made a call, so both hold a place. */
  private List<ManagedChannel> fillGrpc() {
    List<ManagedChannel> held = List.of(channel(), channel());
    for (ManagedChannel c : held) {
      assertThat(stub(c).get(get("limit/any")).getFound()).isFalse();
    }
    assertThat(gauge("grpc")).isEqualTo(MAX);
    return held;
  }

  /**
   * grpc-calls-per-connection-max is HTTP/2's MAX_CONCURRENT_STREAMS: with {@value #MAX} calls open
   * on a connection, a gRPC client holds the next one until a place frees, and it then runs.
   */
  @Test
  void aCallOverTheConnectionsCallLimitWaitsForAPlaceAndThenRuns() throws Exception {
    ManagedChannel c = channel();
    List<StreamObserver<PipelineRequest>> open = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      CompletableFuture<PipelineResponse> first = new CompletableFuture<>();
      StreamObserver<PipelineRequest> stream = KVGrpc.newStub(c).pipeline(new StreamObserver<>() {
        @Override
        public void onNext(PipelineResponse r) {
          first.complete(r);
        }

        @Override
        public void onError(Throwable t) {
          first.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          first.completeExceptionally(new IllegalStateException("closed"));
        }
      });
      stream.onNext(PipelineRequest.newBuilder().addOps(PipelineOp.newBuilder().setId(1).setGet(get("calls/" + i))).build());
      // Answered: the stream is open at the router and holds a place.
      assertThat(first.get(10, TimeUnit.SECONDS).getResults(0).getGet().getFound()).isFalse();
      open.add(stream);
    }

    ListenableFuture<GetResponse> third = KVGrpc.newFutureStub(c).withDeadlineAfter(20, TimeUnit.SECONDS).get(get("calls/x"));
    assertThatThrownBy(() -> third.get(500, TimeUnit.MILLISECONDS)).as("held by the client while both places are taken")
        .isInstanceOf(TimeoutException.class);
    open.get(0).onCompleted();
    assertThat(third.get(10, TimeUnit.SECONDS).getFound()).as("run once a place is free").isFalse();
    open.get(1).onCompleted();
  }

  @Test
  void aGrpcConnectionOverTheLimitIsRefusedWithTheLimitNamedAndDoesNothing() throws Exception {
    List<ManagedChannel> held = fillGrpc();
    double refusedBefore = counter("grpc");
    ManagedChannel third = channel();

    assertThatThrownBy(() -> stub(third).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("limit/put"))
        .setValue(ByteString.copyFromUtf8("v")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertRefused(e, "grpc-connections-max"));
    assertThatThrownBy(() -> stub(third).get(get("limit/put")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertRefused(e, "grpc-connections-max"));
    assertThat(stub(held.get(0)).get(get("limit/put")).getFound()).as("the refused put did nothing").isFalse();
    assertThat(gauge("grpc")).isEqualTo(MAX);
    assertThat(counter("grpc")).isEqualTo(refusedBefore + 1);

    // A closed connection frees its place; the refused one stays refused until it is dropped.
    held.get(0).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await("the closed connection no longer counted", () -> gauge("grpc") == MAX - 1);
    assertThatThrownBy(() -> stub(third).get(get("limit/put"))).isInstanceOf(StatusRuntimeException.class);
    third.enterIdle(); // what the SDK does on this refusal: the next call opens a new connection
    assertThat(stub(third).get(get("limit/put")).getFound()).isFalse();
    assertThat(gauge("grpc")).isEqualTo(MAX);
  }

  private static void assertRefused(StatusRuntimeException e, String limit) {
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains(limit).contains("at most " + MAX);
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details).isNotNull();
    ErrorInfo info;
    try {
      info = details.getDetails(0).unpack(ErrorInfo.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
      throw new AssertionError(x);
    }
    assertThat(info.getReason()).isEqualTo("LIMIT_EXCEEDED");
    assertThat(info.getMetadataMap()).containsEntry("limit", limit);
  }

  @Test
  void theSdkReportsTheRefusalAsUnavailableAndGetsInOnANewConnectionOnceAPlaceIsFree() throws Exception {
    List<ManagedChannel> held = fillGrpc();
    try (OrchidClient client = OrchidClient.builder().endpoints(cluster.grpcTarget())
        .retryPolicy(RetryPolicy.of(2, Duration.ofMillis(10), Duration.ofMillis(20)))
        .defaultDeadline(Duration.ofSeconds(10)).build()) {
      assertThatThrownBy(() -> client.get("limit/sdk"))
          .isInstanceOf(UnavailableException.class).hasMessageContaining("grpc-connections-max");
      // Not "outcome unknown": the refusal proves nothing was written.
      assertThatThrownBy(() -> client.put("limit/sdk", "v"))
          .isInstanceOf(UnavailableException.class).hasMessageContaining("grpc-connections-max");

      held.get(0).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      await("the closed connection no longer counted", () -> gauge("grpc") == MAX - 1);
      // The SDK dropped its refused connection, so this put opens a new one, which is let in.
      assertThat(client.put("limit/sdk", "v").version()).isPositive();
      assertThat(client.get("limit/sdk").keyValue().orElseThrow().valueUtf8()).isEqualTo("v");
      assertThat(gauge("grpc")).isEqualTo(MAX);
    }
  }

  @Test
  void anHttpConnectionOverTheLimitGets503WithTheLimitNamedAndIsClosed() throws Exception {
    int port = cluster.router().httpPort();
    for (int i = 0; i < MAX; i++) {
      sockets.add(new Socket("127.0.0.1", port));
    }
    await("both HTTP connections counted", () -> gauge("http") == MAX);
    double refusedBefore = counter("http");

    String answer = requestUntilClosed(port, "PUT /v1/kv/limit%2Fhttp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Length: 1\r\n\r\nv");
    assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after:")
        .contains("\"LIMIT_EXCEEDED\"").contains("http-connections-max").doesNotContain("\tat ");
    assertThat(counter("http")).isEqualTo(refusedBefore + 1);

    // A closed connection frees its place: the same request on a new connection is served.
    sockets.remove(0).close();
    await("the closed HTTP connection no longer counted", () -> gauge("http") == MAX - 1);
    String served = requestUntilClosed(port, "GET /v1/kv/limit%2Fhttp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(served).as("the refused put did nothing").startsWith("HTTP/1.1 404");
  }

  /** Sends {@code request} on a new connection and reads until the server closes it. */
  private static String requestUntilClosed(int port, String request) throws Exception {
    return RawHttp.sendAndReadUntilClosed(port, request.getBytes(StandardCharsets.US_ASCII), WAIT);
  }

  private double gauge(String server) {
    return metric("orchiddb_router_connections", server);
  }

  private double counter(String server) {
    return metric("orchiddb_router_connections_refused_total", server);
  }

  private double metric(String name, String server) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{server=\"" + server + "\"} (\\S+)$")
        .matcher(cluster.router().metrics().scrape());
    assertThat(m.find()).as(name + "{server=" + server + "} on /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
