package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's Pipeline stream: gets, puts and deletes go as ops of one stream per router and end
 * exactly as their calls would (results, errors, retries, deadlines); ops made while a response
 * is read leave together; larger requests, too many ops in flight, a router without Pipeline, or
 * {@code pipeline(false)} mean plain calls.
 *
 * <p>How: an in-process {@link FakeRouter} that serves Pipeline ({@link FakeRouter#pipelining})
 * answers each op from the same scripts as its call and records whether a request came as an op
 * and how many ops each message carried. {@link FakeRouter#HOLD} keeps ops unanswered until the
 * test answers them together, in one message.
 */
class PipelineTest {
  private static final byte[] KEY = "k".getBytes(UTF_8);

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private FakeRouter router(String name) {
    FakeRouter router = FakeRouter.start(name).pipelining();
    closing.add(router);
    return router;
  }

  private OrchidClient client(OrchidClient.Builder builder) {
    OrchidClient client = builder.build();
    closing.add(client);
    return client;
  }

  private static PutResponse put(long version) {
    return PutResponse.newBuilder().setVersion(version).build();
  }

  private static GetResponse found(String value) {
    return GetResponse.newBuilder().setFound(true)
        .setKv(KeyValue.newBuilder().setKey(com.google.protobuf.ByteString.copyFrom(KEY))
            .setValue(com.google.protobuf.ByteString.copyFromUtf8(value)).setVersion(7))
        .build();
  }

  @Test
  void getsPutsAndDeletesGoAsOpsAndEndAsTheirCallsWould() {
    FakeRouter r = router("p");
    r.script("Put", put(5));
    r.script("Get", found("v"));
    r.script("Delete", DeleteResponse.newBuilder().setDeleted(true).setIndex(9).build());
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));

    assertThat(client.put(KEY, "v".getBytes(UTF_8)).version()).isEqualTo(5);
    assertThat(client.get(KEY).keyValue().orElseThrow().valueUtf8()).isEqualTo("v");
    assertThat(client.delete(KEY).deleted()).isTrue();

    assertThat(r.received()).extracting(FakeRouter.Received::method).containsExactly("Put", "Get", "Delete");
    assertThat(r.received()).allMatch(FakeRouter.Received::pipelined);
    assertThat(r.pipelineMessages).containsExactly(1, 1, 1);
  }

  @Test
  void concurrentGetsGoAsOpsNotAsOneGetMany() throws Exception {
    FakeRouter r = router("p");
    r.script("Get", FakeRouter.HOLD);
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));
    List<CompletableFuture<GetResult>> gets = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // well past the 8 calls after which gets would share a GetMany
      gets.add(client.getAsync(("k" + i).getBytes(UTF_8)));
    }
    assertThat(r.received("Get")).hasSize(20).allMatch(FakeRouter.Received::pipelined);
    assertThat(r.received("GetMany")).isEmpty();
    r.answerHeld(found("v"));
    for (CompletableFuture<GetResult> g : gets) {
      assertThat(g.get(5, TimeUnit.SECONDS).keyValue()).isPresent();
    }
  }

  @Test
  void theDeadlineTravelsWithTheOp() {
    FakeRouter r = router("p");
    r.script("Put", put(5));
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));

    client.put(KEY, "v".getBytes(UTF_8), Condition.always(), WriteOptions.defaults().withDeadline(Duration.ofSeconds(3)));

    long left = r.received("Put").get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS);
    assertThat(left).isBetween(2_000L, 3_000L);
  }

  @Test
  void opsMadeWhileAResponseIsReadLeaveTogetherInOneMessage() throws Exception {
    FakeRouter r = router("p");
    r.script("Put", FakeRouter.HOLD);
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));

    // Three writers, each making its next put as soon as its first is answered (a closed loop).
    List<CompletableFuture<PutResult>> second = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] key = ("k" + i).getBytes(UTF_8);
      client.putAsync(key, "1".getBytes(UTF_8)).thenAccept(first ->
          second.add(client.putAsync(key, "2".getBytes(UTF_8))));
    }
    assertThat(r.pipelineMessages).containsExactly(1, 1, 1);

    assertThat(r.answerHeld(put(1))).isEqualTo(3); // one response message with three results

    // The three second puts were made while that message was read: they left as one message.
    assertThat(r.pipelineMessages).containsExactly(1, 1, 1, 3);
    assertThat(r.answerHeld(put(2))).isEqualTo(3);
    for (CompletableFuture<PutResult> f : second) {
      assertThat(f.get(5, TimeUnit.SECONDS).version()).isEqualTo(2);
    }
  }

  @Test
  void resultsArriveByIdInAnyOrder() throws Exception {
    FakeRouter r = router("p");
    r.script("Put", FakeRouter.HOLD);
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));
    CompletableFuture<PutResult> a = client.putAsync("a".getBytes(UTF_8), "x".getBytes(UTF_8));
    CompletableFuture<PutResult> b = client.putAsync("b".getBytes(UTF_8), "x".getBytes(UTF_8));

    // The fake answers held ops in the order they came; the function gives each key its own version.
    Function<PutRequest, Object> byKey = req -> put(req.getKey().toStringUtf8().equals("a") ? 11 : 22);
    r.answerHeld(byKey);

    assertThat(a.get(5, TimeUnit.SECONDS).version()).isEqualTo(11);
    assertThat(b.get(5, TimeUnit.SECONDS).version()).isEqualTo(22);
  }

  @Test
  void anOpsErrorIsItsCallsErrorAndIsRetriedAsTheCallWouldBe() {
    FakeRouter r = router("p");
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint).scheduler(new FakeRouter.FakeScheduler()));

    r.script("Put", FakeRouter.error(Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED",
        Map.of("current_version", "4"), "condition failed"));
    assertThatThrownBy(() -> client.put(KEY, "v".getBytes(UTF_8), Condition.absent()))
        .isInstanceOf(ConditionFailedException.class)
        .satisfies(e -> assertThat(((OrchidException) e).metadata()).containsEntry("current_version", "4"));

    r.script("Get", FakeRouter.error(Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED",
        Map.of("limit", "key-bytes-max"), "key too long"));
    assertThatThrownBy(() -> client.get(KEY))
        .isInstanceOf(InvalidArgumentException.class)
        .satisfies(e -> assertThat(((OrchidException) e).reason()).isEqualTo("LIMIT_EXCEEDED"));

    // NO_QUORUM means nothing was written: the put is retried, and succeeds.
    r.script("Put", FakeRouter.noQuorum(), put(8));
    assertThat(client.put(KEY, "v".getBytes(UTF_8)).version()).isEqualTo(8);
    assertThat(r.received("Put")).hasSize(3).allMatch(FakeRouter.Received::pipelined);
  }

  @Test
  void whenTheStreamBreaksAWriteInFlightIsUnknownAndAReadIsRetriedOnANewStream() throws Exception {
    FakeRouter r = router("p");
    r.script("Put", FakeRouter.HOLD);
    r.script("Get", FakeRouter.HOLD);
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint).scheduler(new FakeRouter.FakeScheduler()));
    CompletableFuture<PutResult> write = client.putAsync(KEY, "v".getBytes(UTF_8));
    CompletableFuture<GetResult> read = client.getAsync(KEY);

    r.script("Get", found("again"));
    r.breakPipelines();

    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(OutcomeUnknownException.class);
    assertThat(read.get(5, TimeUnit.SECONDS).keyValue().orElseThrow().valueUtf8()).isEqualTo("again");
    assertThat(r.received("Put")).hasSize(1);
    assertThat(r.received("Get")).hasSize(2).allMatch(FakeRouter.Received::pipelined);
  }

  @Test
  void anOpNobodyAnswersFailsAtItsDeadline() {
    FakeRouter r = router("p");
    r.script("Get", FakeRouter.HANG);
    r.script("Put", FakeRouter.HANG);
    FakeRouter.FakeScheduler clock = new FakeRouter.FakeScheduler();
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint).scheduler(clock));
    CompletableFuture<GetResult> read = client.getAsync(KEY, ReadOptions.defaults().withDeadline(Duration.ofSeconds(2)));
    CompletableFuture<PutResult> write = client.putAsync(KEY, "v".getBytes(UTF_8), Condition.always(),
        WriteOptions.defaults().withDeadline(Duration.ofSeconds(2)));

    clock.advance(Duration.ofMillis(1_999).toNanos());
    clock.runTimeouts();
    assertThat(read).isNotDone();
    assertThat(write).isNotDone();

    clock.advance(Duration.ofMillis(1).toNanos());
    clock.runTimeouts();
    assertThatThrownBy(read::join).cause().isInstanceOf(DeadlineExceededException.class);
    assertThatThrownBy(write::join).cause().isInstanceOf(OutcomeUnknownException.class);
  }

  @Test
  void aLargeRequestGoesAsItsOwnCall() {
    FakeRouter r = router("p");
    r.script("Put", put(3));
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));

    client.put(KEY, new byte[16 << 10]); // with its key and framing, over the 16 KiB an op may have
    client.put(KEY, new byte[16_000]);

    assertThat(r.received("Put")).extracting(FakeRouter.Received::pipelined).containsExactly(false, true);
  }

  @Test
  void opsBeyondTheStreamsInFlightLimitGoAsCalls() {
    FakeRouter r = router("p");
    r.script("Put", FakeRouter.HOLD);
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint));
    for (int i = 0; i <= 4096; i++) {
      client.putAsync(("k" + i).getBytes(UTF_8), "v".getBytes(UTF_8));
    }
    List<FakeRouter.Received> puts = r.received("Put");
    assertThat(puts).hasSize(4097);
    assertThat(puts.subList(0, 4096)).allMatch(FakeRouter.Received::pipelined);
    assertThat(puts.get(4096).pipelined()).isFalse();
    r.answerHeld(put(1));
  }

  @Test
  void aRouterWithoutPipelineGetsCallsFromTheStart() {
    FakeRouter old = FakeRouter.start("old"); // serves no Pipeline: UNIMPLEMENTED, as an older router
    closing.add(old);
    old.script("Put", put(2));
    OrchidClient client = client(FakeRouter.clientFor(old.endpoint));

    assertThat(client.put(KEY, "v".getBytes(UTF_8)).version()).isEqualTo(2);
    assertThat(client.put(KEY, "v".getBytes(UTF_8)).version()).isEqualTo(2);
    assertThat(old.received("Put")).hasSize(2).noneMatch(FakeRouter.Received::pipelined);
  }

  @Test
  void pipelineOffMeansACallPerRequest() {
    FakeRouter r = router("p");
    r.script("Put", put(2));
    OrchidClient client = client(FakeRouter.clientFor(r.endpoint).pipeline(false));

    client.put(KEY, "v".getBytes(UTF_8));

    assertThat(r.received("Put")).hasSize(1).noneMatch(FakeRouter.Received::pipelined);
    assertThat(r.pipelineMessages).isEmpty();
  }
}
