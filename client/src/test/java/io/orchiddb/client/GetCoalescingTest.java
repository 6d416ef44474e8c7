package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.api.v1.ReadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that concurrent gets go together: while enough gets of one consistency level are in
 * flight, later ones wait and then go as one GetMany in the order they were made, each completing with
 * its own key's result; a get alone is a plain Get; levels never share a request; and when a
 * GetMany fails, each of its gets is sent again alone, so each ends as it would have alone (a
 * bad key fails only its own get). Also the explicit {@link OrchidClient#getMany}.
 *
 * <p>How: a {@link FakeRouter} that holds the first {@link GetCoalescer#IN_FLIGHT_MAX} Gets
 * ({@link FakeRouter#HOLD}) until the test answers them, so the gets made meanwhile must queue; it serves every other get from its key
 * (value = "v:" + key), and refuses keys starting with "bad" as the router refuses a key over
 * key-bytes-max.
 */
class GetCoalescingTest {
  private FakeRouter router;
  private OrchidClient client;

  private static final Function<GetRequest, Object> GET = r -> answer(r.getKey());
  private static final Function<GetManyRequest, Object> GET_MANY = r -> {
    GetManyResponse.Builder b = GetManyResponse.newBuilder().setSession(FakeRouter.token(1, 42));
    for (ByteString key : r.getKeysList()) {
      Object one = answer(key);
      if (one instanceof Throwable error) {
        return error;
      }
      b.addResults((GetResponse) one);
    }
    return b.build();
  };

  private static Object answer(ByteString key) {
    if (key.toStringUtf8().startsWith("bad")) {
      return FakeRouter.error(Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED", Map.of("limit", "key-bytes-max"),
          "key-bytes-max: key is too long");
    }
    if (key.toStringUtf8().startsWith("absent")) {
      return GetResponse.newBuilder().setRead(ReadInfo.newBuilder().setServedBy("n2")).build();
    }
    return GetResponse.newBuilder().setFound(true)
        .setKv(KeyValue.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v:" + key.toStringUtf8())).setVersion(7))
        .setRead(ReadInfo.newBuilder().setServedBy("n1").setAppliedIndex(9)).build();
  }

  private void start(OrchidClient.Builder builder) {
    router = FakeRouter.start("router");
    // Coalescing is for the calls without the pipeline (with it, gets go as ops: PipelineTest).
    client = builder.endpoints(router.endpoint).channelFactory(FakeRouter::channel).pipeline(false).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (client != null) {
      client.close();
      router.close();
    }
  }

  private static byte[] k(String s) {
    return s.getBytes(UTF_8);
  }

  private CompletableFuture<GetResult> get(String key, Consistency level) {
    return client.getAsync(k(key), ReadOptions.of(level));
  }

  /** Scripts Get to hold the next {@link GetCoalescer#IN_FLIGHT_MAX} calls, then to answer. */
  private void holdGets() {
    Object[] replies = new Object[GetCoalescer.IN_FLIGHT_MAX + 1];
    java.util.Arrays.fill(replies, FakeRouter.HOLD);
    replies[GetCoalescer.IN_FLIGHT_MAX] = GET;
    router.script("Get", replies);
  }

  /** Fills a level's in-flight requests with gets of "held-0".. that the router holds. */
  private List<CompletableFuture<GetResult>> inFlight(Consistency level) {
    List<CompletableFuture<GetResult>> held = new ArrayList<>();
    for (int i = 0; i < GetCoalescer.IN_FLIGHT_MAX; i++) {
      held.add(get("held-" + i, level));
    }
    assertThat(held).noneMatch(CompletableFuture::isDone);
    return held;
  }

  private List<String> keysOfGets() {
    return router.received("Get").stream().map(r -> ((GetRequest) r.request()).getKey().toStringUtf8())
        .filter(k -> !k.startsWith("held-")).toList();
  }

  private static String value(CompletableFuture<GetResult> get) {
    return get.join().keyValue().orElseThrow().valueUtf8();
  }

  @Test
  void getsMadeWhileOneIsInFlightGoTogetherInOrder() {
    start(OrchidClient.builder());
    holdGets();
    router.script("GetMany", GET_MANY);
    List<CompletableFuture<GetResult>> held = inFlight(Consistency.EVENTUAL);
    List<CompletableFuture<GetResult>> waiting = new ArrayList<>();
    for (String key : List.of("b", "c", "absent-d", "b")) {
      waiting.add(get(key, Consistency.EVENTUAL));
    }
    assertThat(router.received("GetMany")).isEmpty();
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    assertThat(router.answerHeld(GET)).isEqualTo(GetCoalescer.IN_FLIGHT_MAX);
    assertThat(value(held.get(0))).isEqualTo("v:held-0");
    GetManyRequest sent = router.only("GetMany");
    assertThat(sent.getKeysList()).extracting(ByteString::toStringUtf8).containsExactly("b", "c", "absent-d", "b");
    assertThat(sent.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.EVENTUAL);
    assertThat(value(waiting.get(0))).isEqualTo("v:b");
    assertThat(value(waiting.get(1))).isEqualTo("v:c");
    assertThat(waiting.get(2).join().found()).isFalse();
    assertThat(waiting.get(2).join().readInfo().servedBy()).isEqualTo("n2");
    assertThat(value(waiting.get(3))).isEqualTo("v:b");
    assertThat(keysOfGets()).isEmpty();
    // The GetMany's session token joined the client's session, as a Get's does.
    assertThat(client.sessionToken()).isEqualTo(FakeRouter.token(1, 42));
  }

  @Test
  void aGetAloneIsAPlainGet() {
    start(OrchidClient.builder());
    router.script("Get", GET);
    assertThat(value(get("a", Consistency.STRONG))).isEqualTo("v:a");
    assertThat(value(get("b", Consistency.STRONG))).isEqualTo("v:b");
    assertThat(router.received("Get")).hasSize(2);
    assertThat(router.received("GetMany")).isEmpty();
  }

  @Test
  void levelsDoNotShareARequest() {
    start(OrchidClient.builder());
    holdGets();
    router.script("GetMany", GET_MANY);
    List<CompletableFuture<GetResult>> strong = inFlight(Consistency.STRONG);
    CompletableFuture<GetResult> strongWaits = get("b", Consistency.STRONG);
    CompletableFuture<GetResult> eventual = get("c", Consistency.EVENTUAL);
    // The eventual get had no eventual get to wait for: it went at once, alone.
    assertThat(value(eventual)).isEqualTo("v:c");
    assertThat(strongWaits).isNotDone();
    router.answerHeld(GET);
    assertThat(value(strong.get(0))).isEqualTo("v:held-0");
    assertThat(value(strongWaits)).isEqualTo("v:b");
    assertThat(router.received("GetMany")).isEmpty();
    assertThat(keysOfGets()).containsExactly("c", "b");
  }

  @Test
  void whenAGetManyFailsEachGetIsSentAloneAndEndsAsItWouldAlone() {
    start(OrchidClient.builder());
    holdGets();
    router.script("GetMany", GET_MANY);
    inFlight(Consistency.SESSION);
    CompletableFuture<GetResult> good = get("b", Consistency.SESSION);
    CompletableFuture<GetResult> bad = get("bad-key", Consistency.SESSION);
    CompletableFuture<GetResult> good2 = get("c", Consistency.SESSION);
    router.answerHeld(GET);

    assertThat(router.received("GetMany")).hasSize(1);
    assertThat(value(good)).isEqualTo("v:b");
    assertThat(value(good2)).isEqualTo("v:c");
    assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(InvalidArgumentException.class).hasMessageContaining("key-bytes-max");
    // After the GetMany, each of the three again alone.
    assertThat(keysOfGets()).containsExactly("b", "bad-key", "c");
  }

  @Test
  void aRouterWithASmallerBatchOpsMaxGetsSmallerRequestsAndEveryGetStillEnds() {
    start(OrchidClient.builder());
    // This router refuses a GetMany of more than 2 keys, as one with batch-ops-max = 2 would.
    Function<GetManyRequest, Object> atMostTwo = r -> r.getKeysCount() > 2
        ? FakeRouter.error(Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED", Map.of("limit", "batch-ops-max"),
            "batch-ops-max: " + r.getKeysCount() + " keys in one get-many; the most is 2")
        : GET_MANY.apply(r);
    router.script("GetMany", atMostTwo, atMostTwo, atMostTwo, atMostTwo);
    List<CompletableFuture<GetResult>> gets = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      holdGets();
      inFlight(Consistency.EVENTUAL);
      for (String key : List.of("a", "b", "c", "d", "e")) {
        gets.add(get(key + round, Consistency.EVENTUAL));
      }
      router.answerHeld(GET);
    }
    // The first request of 5 was refused and its gets sent alone; after it, at most 2 keys.
    assertThat(router.received("GetMany")).extracting(r -> ((GetManyRequest) r.request()).getKeysCount())
        .containsExactly(5, 2, 2);
    assertThat(keysOfGets()).containsExactly("a0", "b0", "c0", "d0", "e0", "e1");
    assertThat(gets).extracting(GetCoalescingTest::value)
        .containsExactly("v:a0", "v:b0", "v:c0", "v:d0", "v:e0", "v:a1", "v:b1", "v:c1", "v:d1", "v:e1");
  }

  @Test
  void aRouterThatDoesNotKnowGetManyStillServesEveryGet() {
    start(OrchidClient.builder());
    holdGets();
    // No GetMany script: the fake answers UNIMPLEMENTED, as a router older than GetMany would.
    CompletableFuture<GetResult> first = inFlight(Consistency.STRONG).get(0);
    CompletableFuture<GetResult> second = get("b", Consistency.STRONG);
    CompletableFuture<GetResult> third = get("c", Consistency.STRONG);
    router.answerHeld(GET);
    assertThat(List.of(value(first), value(second), value(third))).containsExactly("v:held-0", "v:b", "v:c");
    assertThat(router.received("GetMany")).hasSize(1);
  }

  @Test
  void aGetWhoseDeadlinePassedWhileWaitingFailsWithoutBeingSent() {
    FakeRouter.FakeScheduler clock = new FakeRouter.FakeScheduler();
    start(OrchidClient.builder().scheduler(clock));
    holdGets();
    router.script("GetMany", GET_MANY);
    CompletableFuture<GetResult> first = inFlight(Consistency.EVENTUAL).get(0);
    CompletableFuture<GetResult> shortLived =
        client.getAsync(k("b"), ReadOptions.of(Consistency.EVENTUAL).withDeadline(Duration.ofMillis(5)));
    CompletableFuture<GetResult> patient = get("c", Consistency.EVENTUAL);
    clock.advance(TimeUnit.MILLISECONDS.toNanos(6));
    router.answerHeld(GET);

    assertThat(value(first)).isEqualTo("v:held-0");
    assertThatThrownBy(shortLived::join).cause().isInstanceOf(DeadlineExceededException.class);
    assertThat(value(patient)).isEqualTo("v:c");
    assertThat(router.received("GetMany")).isEmpty();
    assertThat(keysOfGets()).containsExactly("c");
  }

  @Test
  void aCancelledCallerContextCancelsOnlyItsOwnGets() throws Exception {
    start(OrchidClient.builder());
    holdGets();
    router.script("GetMany", GET_MANY);
    // The gets in flight belong to one caller (say, an application's incoming call)...
    io.grpc.Context.CancellableContext caller = io.grpc.Context.ROOT.withCancellation();
    List<CompletableFuture<GetResult>> callers = caller.call(() -> inFlight(Consistency.EVENTUAL));
    // ...the waiting ones to others.
    CompletableFuture<GetResult> b = get("b", Consistency.EVENTUAL);
    CompletableFuture<GetResult> c = get("c", Consistency.EVENTUAL);
    caller.cancel(null);
    assertThat(callers).allMatch(CompletableFuture::isCompletedExceptionally);
    // The waiting gets went out from the cancelled calls' callbacks, but not in their context.
    assertThat(value(b)).isEqualTo("v:b");
    assertThat(value(c)).isEqualTo("v:c");
    assertThat(router.received("GetMany")).hasSize(1);
  }

  @Test
  void withCoalescingOffEveryGetIsItsOwnRequest() {
    start(OrchidClient.builder().coalesceGets(false));
    router.script("Get", FakeRouter.HOLD, GET);
    CompletableFuture<GetResult> first = get("a", Consistency.EVENTUAL);
    CompletableFuture<GetResult> second = get("b", Consistency.EVENTUAL);
    assertThat(value(second)).isEqualTo("v:b");
    assertThat(first).isNotDone();
    router.answerHeld(GET);
    assertThat(value(first)).isEqualTo("v:a");
    assertThat(router.received("GetMany")).isEmpty();
  }

  @Test
  void getsWaitingWhenTheClientClosesFailAsUnavailable() {
    start(OrchidClient.builder());
    router.script("Get", FakeRouter.HOLD);
    CompletableFuture<GetResult> first = inFlight(Consistency.EVENTUAL).get(0);
    CompletableFuture<GetResult> waiting = get("b", Consistency.EVENTUAL);
    client.close();
    assertThatThrownBy(first::join).cause().isInstanceOf(OrchidException.class);
    assertThatThrownBy(waiting::join).cause().isInstanceOf(UnavailableException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> get("c", Consistency.EVENTUAL)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void explicitGetManyAnswersInKeyOrder() {
    start(OrchidClient.builder());
    router.script("GetMany", GET_MANY);
    List<GetResult> results = client.getMany(List.of(k("x"), k("absent-y"), k("x")), ReadOptions.of(Consistency.SESSION));
    assertThat(results).hasSize(3);
    assertThat(results.get(0).keyValue().orElseThrow().valueUtf8()).isEqualTo("v:x");
    assertThat(results.get(1).found()).isFalse();
    assertThat(results.get(2)).isEqualTo(results.get(0));
    GetManyRequest sent = router.only("GetMany");
    assertThat(sent.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.SESSION);
    assertThat(client.getMany(List.of())).isEmpty();
    assertThat(router.received("GetMany")).hasSize(1);
    assertThatThrownBy(() -> client.getMany(List.of(k("bad-key"))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("key-bytes-max");
  }
}
