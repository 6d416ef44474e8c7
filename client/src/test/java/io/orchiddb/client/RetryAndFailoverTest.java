package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.StatusResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves when the client retries and fails over, and when it must not: reads move to the next
 * router on UNAVAILABLE (answered, router stopped, or never reachable); a write is retried only
 * when nothing can have been written (NO_QUORUM, or the request never left the client) and is
 * never retried after DEADLINE_EXCEEDED or an UNAVAILABLE that reached a router; retries stop at
 * maxAttempts and before the deadline; backoff grows exponentially up to its maximum.
 *
 * <p>How: two in-process {@link FakeRouter}s with scripted answers count the calls each received.
 * A {@link FakeRouter.FakeScheduler} stands in for the clock: each backoff advances it and runs
 * the retry at once, so the tests see every delay and the deadline without waiting; jitter is
 * fixed at 1 (the full backoff).
 */
class RetryAndFailoverTest {
  private static final byte[] KEY = "k".getBytes(UTF_8);
  private static final long MS = 1_000_000L;

  private FakeRouter a;
  private FakeRouter b;
  private FakeRouter.FakeScheduler clock;
  private OrchidClient client;

  @BeforeEach
  void start() {
    a = FakeRouter.start("a");
    b = FakeRouter.start("b");
    clock = new FakeRouter.FakeScheduler();
    client = clientWith(RetryPolicy.defaults(), a.endpoint, b.endpoint);
  }

  private OrchidClient clientWith(RetryPolicy policy, String... endpoints) {
    return FakeRouter.clientFor(endpoints).retryPolicy(policy).scheduler(clock).jitter(() -> 1.0).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    a.close();
    b.close();
  }

  private static GetResponse found(String value) {
    return GetResponse.newBuilder()
        .setFound(true)
        .setKv(io.orchiddb.api.v1.KeyValue.newBuilder()
            .setKey(com.google.protobuf.ByteString.copyFrom(KEY))
            .setValue(com.google.protobuf.ByteString.copyFromUtf8(value))
            .setVersion(1))
        .build();
  }

  @Test
  void aReadFailsOverWhenTheFirstRouterAnswersUnavailable() {
    a.script("Get", Status.UNAVAILABLE.withDescription("draining").asRuntimeException());
    b.script("Get", found("from-b"));

    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("from-b");
    assertThat(a.received("Get")).hasSize(1);
    assertThat(b.received("Get")).hasSize(1);
    // Moving to an untried router does not wait.
    assertThat(clock.delaysNanos).containsExactly(0L);

    // Later requests go straight to the router that works.
    assertThat(client.preferredEndpoint()).isEqualTo(b.endpoint);
    client.get(KEY);
    assertThat(a.received("Get")).hasSize(1);
    assertThat(b.received("Get")).hasSize(2);
  }

  @Test
  void aReadFailsOverWhenTheFirstRouterIsShutDown() throws InterruptedException {
    a.script("Get", found("from-a"));
    b.script("Get", found("from-b"));
    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("from-a");

    a.close();

    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("from-b");
    assertThat(a.received("Get")).hasSize(1);
  }

  @Test
  void scanAndStatusFailOverToo() {
    a.script("Scan", Status.UNAVAILABLE.asRuntimeException());
    a.script("Status", Status.UNAVAILABLE.asRuntimeException());
    b.script("Scan", ScanResponse.getDefaultInstance());
    b.script("Status", StatusResponse.newBuilder().setMapEpoch(3).build());

    assertThat(client.scanPage(ScanSpec.all()).hasMore()).isFalse();
    assertThat(client.status().mapEpoch()).isEqualTo(3);
    assertThat(b.received()).hasSize(2);
  }

  @Test
  void aWriteToARouterThatCannotBeReachedIsRetriedOnTheNext() throws InterruptedException {
    // No server listens at the first endpoint: the channel cannot connect, the request never
    // leaves the client, so retrying the write elsewhere cannot apply it twice.
    b.script("Put", PutResponse.newBuilder().setVersion(8).build());
    try (OrchidClient failingOver = clientWith(RetryPolicy.defaults(), "nobody:4207", b.endpoint)) {
      assertThat(failingOver.put(KEY, KEY).version()).isEqualTo(8);
      assertThat(failingOver.preferredEndpoint()).isEqualTo(b.endpoint);
    }
    assertThat(b.received("Put")).hasSize(1);
  }

  @Test
  void aWriteThatGetsNoQuorumIsRetriedOnTheSameRouterAfterABackoff() {
    a.script("Put", FakeRouter.noQuorum(), FakeRouter.noQuorum(), PutResponse.newBuilder().setVersion(30).build());

    assertThat(client.put(KEY, KEY).version()).isEqualTo(30);
    assertThat(a.received("Put")).hasSize(3);
    assertThat(b.received()).isEmpty();
    assertThat(clock.delaysNanos).containsExactly(50 * MS, 100 * MS);
  }

  @Test
  void aWriteThatGetsDeadlineExceededIsNotRetried() {
    a.script("Put", Status.DEADLINE_EXCEEDED.asRuntimeException(), PutResponse.getDefaultInstance());

    assertThatThrownBy(() -> client.put(KEY, KEY)).isInstanceOf(OutcomeUnknownException.class);
    assertThat(a.received("Put")).hasSize(1);
    assertThat(b.received()).isEmpty();
    assertThat(clock.delaysNanos).isEmpty();
  }

  @Test
  void aWriteThatReachedARouterAnsweringUnavailableIsNotRetriedButLaterRequestsMove() {
    a.script("Put", Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException());
    b.script("Put", PutResponse.newBuilder().setVersion(2).build());

    assertThatThrownBy(() -> client.put(KEY, KEY)).isInstanceOf(OutcomeUnknownException.class);
    assertThat(a.received("Put")).hasSize(1);
    assertThat(b.received()).isEmpty();

    assertThat(client.preferredEndpoint()).isEqualTo(b.endpoint);
    assertThat(client.put(KEY, KEY).version()).isEqualTo(2);
  }

  @Test
  void retriesStopAtMaxAttempts() {
    a.script("Get", FakeRouter.noQuorum());
    a.script("Put", FakeRouter.noQuorum());
    try (OrchidClient three = clientWith(RetryPolicy.of(3, Duration.ofMillis(50), Duration.ofSeconds(1)), a.endpoint)) {
      assertThatThrownBy(() -> three.get(KEY))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("attempt 3 of 3");
      assertThatThrownBy(() -> three.put(KEY, KEY)).isInstanceOf(UnavailableException.class);
    }
    assertThat(a.received("Get")).hasSize(3);
    assertThat(a.received("Put")).hasSize(3);
  }

  @Test
  void noRetryPolicyMeansOneAttemptAndNoFailover() throws InterruptedException {
    a.script("Get", Status.UNAVAILABLE.asRuntimeException());
    b.script("Get", found("b"));
    try (OrchidClient once = clientWith(RetryPolicy.none(), a.endpoint, b.endpoint)) {
      assertThatThrownBy(() -> once.get(KEY)).isInstanceOf(UnavailableException.class);
    }
    assertThat(a.received()).hasSize(1);
    assertThat(b.received()).isEmpty();
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    a.script("Get", FakeRouter.noQuorum());
    try (OrchidClient six = clientWith(RetryPolicy.of(6, Duration.ofMillis(100), Duration.ofMillis(300)), a.endpoint)) {
      assertThatThrownBy(() -> six.get(KEY)).isInstanceOf(UnavailableException.class);
    }
    assertThat(clock.delaysNanos).containsExactly(100 * MS, 200 * MS, 300 * MS, 300 * MS, 300 * MS);
  }

  @Test
  void jitterWaitsBetweenHalfAndAllOfTheBackoff() {
    a.script("Get", FakeRouter.noQuorum());
    try (OrchidClient halves = FakeRouter.clientFor(a.endpoint)
        .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(1)))
        .scheduler(clock)
        .jitter(() -> 0.0)
        .build()) {
      assertThatThrownBy(() -> halves.get(KEY)).isInstanceOf(UnavailableException.class);
    }
    assertThat(clock.delaysNanos).containsExactly(50 * MS, 100 * MS);
  }

  @Test
  void retriesStopBeforeTheDeadline() {
    a.script("Get", FakeRouter.noQuorum());
    RetryPolicy patient = RetryPolicy.of(RetryPolicy.ATTEMPTS_MAX, Duration.ofMillis(300), Duration.ofMillis(300));
    try (OrchidClient bounded = clientWith(patient, a.endpoint)) {
      // Attempts at 0, 300, 600 and 900 ms; the next would start at 1200 ms, past the 1 s deadline.
      assertThatThrownBy(() -> bounded.get(KEY, ReadOptions.defaults().withDeadline(Duration.ofSeconds(1))))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("attempt 4 of 100");
    }
    assertThat(a.received("Get")).hasSize(4);
    // Each attempt is sent with only the time that is left.
    assertThat(clock.delaysNanos).containsExactly(300 * MS, 300 * MS, 300 * MS);
  }

  @Test
  void aReadThatTheRouterTimedOutIsRetriedWhileTimeRemains() {
    a.script("Get",
        Status.DEADLINE_EXCEEDED.withDescription("ReadIndex timed out").asRuntimeException(),
        found("second try"));

    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("second try");
    assertThat(a.received("Get")).hasSize(2);
  }

  @Test
  void aReadWhoseDeadlineHasRunOutIsNotRetried() {
    a.script("Get", (java.util.function.Function<Object, Object>) request -> {
      clock.advance(Duration.ofSeconds(11).toNanos()); // the router took longer than the deadline
      return Status.DEADLINE_EXCEEDED.asRuntimeException();
    });

    assertThatThrownBy(() -> client.get(KEY)).isInstanceOf(DeadlineExceededException.class);
    assertThat(a.received("Get")).hasSize(1);
  }

  @Test
  void whenEveryRouterIsDownTheClientCyclesThroughThemWithBackoff() {
    a.script("Get", Status.UNAVAILABLE.asRuntimeException());
    b.script("Get", Status.UNAVAILABLE.asRuntimeException());

    assertThatThrownBy(() -> client.get(KEY)).isInstanceOf(UnavailableException.class);

    assertThat(a.received("Get")).hasSize(3);
    assertThat(b.received("Get")).hasSize(2);
    // a, then b at once (untried), then a, b, a after growing backoffs.
    assertThat(clock.delaysNanos).containsExactly(0L, 50 * MS, 100 * MS, 200 * MS);
  }

  @Test
  void aWriteWithNoQuorumEverywhereFailsAsUnavailableNotUnknown() {
    a.script("Batch", FakeRouter.noQuorum());

    assertThatThrownBy(() -> client.batch(List.of(BatchOp.put(KEY, KEY))))
        .isInstanceOf(UnavailableException.class);
    assertThat(a.received("Batch")).hasSize(RetryPolicy.defaults().maxAttempts());
  }

  // ---- A router that goes silent: connections open, nothing answered (a paused process) ----

  @Test
  void aReadLeavesARouterThatDoesNotAnswerWithinTheAttemptTimeout() {
    a.script("Get", FakeRouter.HANG);
    b.script("Get", found("from-b"));
    java.util.concurrent.CompletableFuture<GetResult> read = client.getAsync(KEY);

    clock.advance(RetryPolicy.ATTEMPT_TIMEOUT_DEFAULT.toNanos() - 1);
    clock.runTimeouts();
    assertThat(read).isNotDone();
    assertThat(b.received("Get")).isEmpty();

    clock.advance(1);
    clock.runTimeouts();
    assertThat(read.join().keyValue().orElseThrow().valueUtf8()).isEqualTo("from-b");
    assertThat(a.received("Get")).hasSize(1);
    assertThat(client.preferredEndpoint()).isEqualTo(b.endpoint);
    // The attempt carried the attempt timeout as its deadline, not the request's 10 s.
    assertThat(a.received("Get").get(0).deadline().timeRemaining(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isLessThanOrEqualTo(RetryPolicy.ATTEMPT_TIMEOUT_DEFAULT.toMillis());
  }

  @Test
  void newWritesLeaveARouterThatLeftOneUnansweredForTheAttemptTimeoutButASentWriteIsNotResent() {
    a.script("Put", FakeRouter.HANG);
    b.script("Put", PutResponse.newBuilder().setVersion(8).build());
    java.util.concurrent.CompletableFuture<PutResult> first = client.putAsync(KEY, KEY);

    clock.advance(RetryPolicy.ATTEMPT_TIMEOUT_DEFAULT.toNanos() - 1);
    java.util.concurrent.CompletableFuture<PutResult> second = client.putAsync(KEY, KEY);
    assertThat(a.received("Put")).hasSize(2); // not silent for long enough yet

    clock.advance(1);
    assertThat(client.put(KEY, KEY).version()).isEqualTo(8);
    assertThat(client.preferredEndpoint()).isEqualTo(b.endpoint);

    // The two writes a took may have been applied: they wait out their deadline, and are not resent.
    clock.runTimeouts();
    assertThat(first).isNotDone();
    clock.advance(OrchidClient.DEADLINE_DEFAULT.toNanos());
    clock.runTimeouts();
    assertThatThrownBy(first::join).cause().isInstanceOf(OutcomeUnknownException.class);
    assertThatThrownBy(second::join).cause().isInstanceOf(OutcomeUnknownException.class);
    assertThat(a.received("Put")).hasSize(2);
    assertThat(b.received("Put")).hasSize(1);
  }

  @Test
  void aRouterThatAnswersAnythingIsNotLeft() {
    a.script("Put", FakeRouter.HANG);
    a.script("Get", found("from-a"));
    client.putAsync(KEY, KEY);
    clock.advance(RetryPolicy.ATTEMPT_TIMEOUT_DEFAULT.toNanos() - 1);
    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("from-a");

    clock.advance(RetryPolicy.ATTEMPT_TIMEOUT_DEFAULT.toNanos());
    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("from-a");
    assertThat(client.preferredEndpoint()).isEqualTo(a.endpoint);
  }

  @Test
  void aScanPageIsNotCutShortByTheAttemptTimeout() {
    try (OrchidClient quick = clientWith(RetryPolicy.defaults().withAttemptTimeout(Duration.ofMillis(100)),
        a.endpoint, b.endpoint)) {
      a.script("Scan", ScanResponse.getDefaultInstance());
      a.script("Get", found("from-a"));
      quick.scanPage(ScanSpec.all());
      quick.get(KEY);
      assertThat(a.received("Scan").get(0).deadline().timeRemaining(java.util.concurrent.TimeUnit.MILLISECONDS))
          .isGreaterThan(5_000);
      assertThat(a.received("Get").get(0).deadline().timeRemaining(java.util.concurrent.TimeUnit.MILLISECONDS))
          .isLessThanOrEqualTo(100);
    }
  }
}
