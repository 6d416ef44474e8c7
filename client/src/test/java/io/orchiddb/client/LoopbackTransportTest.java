package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.PutResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the production transport (plaintext grpc-netty-shaded channels made from "host:port")
 * behaves as the in-process tests assume: a connection refused on the first endpoint is seen as
 * "never sent", so even a write fails over to the second endpoint; and a write that did reach a
 * router which then answered UNAVAILABLE is seen as sent, so it is not retried.
 *
 * <p>How: a {@link FakeRouter} on a real loopback port, and a loopback port that was bound then
 * released so nothing listens there. Only 127.0.0.1 is used.
 */
class LoopbackTransportTest {
  private FakeRouter live;
  private String refused;

  @BeforeEach
  void start() throws IOException {
    live = FakeRouter.startOnLoopback();
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    live.close();
  }

  @Test
  void aWriteFailsOverFromARefusedConnection() {
    live.script("Put", PutResponse.newBuilder().setVersion(3).build());
    live.script("Get", GetResponse.newBuilder().setFound(false).build());

    try (OrchidClient client = OrchidClient.builder().endpoints(refused, live.endpoint).build()) {
      assertThat(client.put("k", "v").version()).isEqualTo(3);
      assertThat(client.preferredEndpoint()).isEqualTo(live.endpoint);
      assertThat(client.get("k".getBytes(UTF_8)).found()).isFalse();
    }
    assertThat(live.received("Put")).hasSize(1);
  }

  @Test
  void aWriteThatReachedTheRouterIsNotRetried() {
    live.script("Put", Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException());

    try (OrchidClient client = OrchidClient.builder().endpoints(live.endpoint).build()) {
      assertThatThrownBy(() -> client.put("k", "v")).isInstanceOf(OutcomeUnknownException.class);
    }
    assertThat(live.received("Put")).hasSize(1);
  }

  @Test
  void aBlockingCallInACallbackFailsInsteadOfWaitingForItself() throws Exception {
    live.script("Get", GetResponse.newBuilder().setFound(false).build());
    live.script("Put", PutResponse.newBuilder().setVersion(3).build());

    try (OrchidClient client = OrchidClient.builder().endpoints(live.endpoint).build()) {
      CompletableFuture<Throwable> inCallback = client.getAsync("k".getBytes(UTF_8)).handle((r, f) -> {
        try {
          client.put("k2", "v");
          return null;
        } catch (RuntimeException e) {
          return e;
        }
      });
      assertThat(inCallback.get(10, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("I/O threads")
          .hasMessageContaining("nothing was sent");
      // The same call from the test's own thread goes through.
      assertThat(client.put("k2", "v").version()).isEqualTo(3);
    }
    assertThat(live.received("Put")).hasSize(1);
  }
}
