package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.orchiddb.client.internal.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the builder accepts well-formed configuration and rejects the rest with an
 * IllegalArgumentException that says what is wrong (no endpoint, malformed host:port, duplicates,
 * non-positive or huge deadlines), and that close() shuts every channel down, fails a request
 * waiting for its retry, makes later calls throw, and is idempotent.
 *
 * <p>How: builds clients without sending anything (channels connect lazily), with a channel
 * factory that records the channels it made; the close test parks a retry in a scheduler that
 * holds tasks instead of running them.
 */
class BuilderTest {
  @Test
  void aClientNeedsAnEndpoint() {
    assertThatThrownBy(() -> OrchidClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one router endpoint is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:4207", "10.0.0.7:1", "[::1]:4207", "router_1.example.com:65535", "r-2:80"})
  void wellFormedEndpointsAreAccepted(String endpoint) {
    assertThatNoException().isThrownBy(() -> OrchidClient.builder().endpoints(endpoint));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "host:", "host:0", "host:65536", "host:abc", ":4207", "a b:4207",
      "::1:4207", "[::1]", "[nonsense]:1", "-bad:1", "http://host:4207"})
  void malformedEndpointsAreRejectedWithTheirText(String endpoint) {
    assertThatThrownBy(() -> OrchidClient.builder().endpoints(endpoint))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint \"" + endpoint + "\"");
  }

  @Test
  void endpointMessagesSayWhatIsWrong() {
    assertThatThrownBy(() -> OrchidClient.builder().endpoints("localhost"))
        .hasMessageContaining("has no port; expected host:port, e.g. localhost:4207");
    assertThatThrownBy(() -> OrchidClient.builder().endpoints("a:1", "b:2", "a:1"))
        .hasMessageContaining("\"a:1\" is listed twice");
    assertThatThrownBy(() -> OrchidClient.builder().endpoints((String) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be null");
    assertThatThrownBy(() -> OrchidClient.builder().endpoints(Collections.nCopies(65, "a:1")))
        .hasMessageContaining("at most 64 endpoints");
  }

  @Test
  void deadlinesMustBePositiveAndBounded() {
    assertThatThrownBy(() -> OrchidClient.builder().defaultDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deadline must be positive, got PT0S");
    assertThatThrownBy(() -> OrchidClient.builder().defaultDeadline(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OrchidClient.builder().defaultDeadline(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most PT1H");
    assertThatThrownBy(() -> ReadOptions.defaults().withDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WriteOptions.defaults().withDeadline(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OrchidClient.builder().defaultDeadline(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void closeShutsEveryChannelDownAndLaterCallsThrow() {
    List<ManagedChannel> made = new ArrayList<>();
    OrchidClient client = OrchidClient.builder()
        .endpoints("a:1", "b:2", "c:3")
        .channelFactory(endpoint -> {
          ManagedChannel channel = FakeRouter.channel(endpoint);
          made.add(channel);
          return channel;
        })
        .build();
    assertThat(client.toString()).contains("a:1", "b:2", "c:3");

    client.close();
    client.close();

    assertThat(made).hasSize(3).allSatisfy(channel -> assertThat(channel.isShutdown()).isTrue());
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> client.putAsync(new byte[1], new byte[1]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeFailsARequestWaitingForItsRetry() throws Exception {
    HoldingScheduler scheduler = new HoldingScheduler();
    try (FakeRouter router = FakeRouter.start("router")) {
      router.script("Put", FakeRouter.noQuorum());
      OrchidClient client = FakeRouter.clientFor(router.endpoint).scheduler(scheduler).build();

      CompletableFuture<PutResult> put = client.putAsync("k".getBytes(UTF_8), "v".getBytes(UTF_8));
      assertThat(scheduler.scheduled.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(put).isNotDone();

      client.close();

      assertThatThrownBy(() -> put.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(UnavailableException.class);
      assertThat(router.received("Put")).hasSize(1);
    }
  }

  /** Holds scheduled tasks forever: a request that schedules a retry stays waiting. */
  private static final class HoldingScheduler implements Scheduler {
    final CountDownLatch scheduled = new CountDownLatch(1);

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
      scheduled.countDown();
    }

    @Override
    public void timeout(Runnable task, long delayNanos) {
      // a pipelined request's deadline: not a retry, and never due on this clock
    }

    @Override
    public void close() {}
  }
}
