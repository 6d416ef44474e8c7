package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.StatusResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the async variants complete with the same results and the same typed exceptions as the
 * blocking ones: the exception itself (not wrapped) for handlers on the returned future, the
 * standard ExecutionException / CompletionException wrappers for get() / join(); and that
 * cancelling a future cancels the call on the router and stops retries.
 *
 * <p>How: a scripted {@link FakeRouter}; the cancellation test uses a router that never answers and
 * waits (bounded) for the server to see the call end.
 */
class AsyncTest {
  private static final byte[] KEY = "k".getBytes(UTF_8);

  private FakeRouter router;
  private OrchidClient client;

  @BeforeEach
  void start() {
    router = FakeRouter.start("router");
    client = FakeRouter.clientFor(router.endpoint).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    router.close();
  }

  @Test
  void asyncResultsEqualTheBlockingOnes() throws Exception {
    router.script("Get", GetResponse.newBuilder().setFound(true)
        .setKv(io.orchiddb.api.v1.KeyValue.newBuilder().setKey(com.google.protobuf.ByteString.copyFrom(KEY)).setVersion(3))
        .build());
    router.script("Put", PutResponse.newBuilder().setVersion(4).setPreviousVersion(3).build());
    router.script("Delete", DeleteResponse.newBuilder().setDeleted(true).setPreviousVersion(4).setIndex(5).build());
    router.script("Batch", BatchResponse.newBuilder()
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.APPLIED).setVersion(6)).build());
    router.script("Scan", ScanResponse.newBuilder()
        .addKvs(io.orchiddb.api.v1.KeyValue.newBuilder().setKey(com.google.protobuf.ByteString.copyFrom(KEY)))
        .build());
    router.script("Status", StatusResponse.newBuilder().setMapEpoch(9).build());

    assertThat(client.getAsync(KEY).get(5, TimeUnit.SECONDS)).isEqualTo(client.get(KEY));
    assertThat(client.getAsync(KEY, ReadOptions.of(Consistency.EVENTUAL)).get(5, TimeUnit.SECONDS).found()).isTrue();
    assertThat(client.putAsync(KEY, KEY).get(5, TimeUnit.SECONDS)).isEqualTo(new PutResult(4, 3));
    assertThat(client.putAsync(KEY, KEY, Condition.versionEquals(3), WriteOptions.defaults()).get(5, TimeUnit.SECONDS))
        .isEqualTo(client.put(KEY, KEY, Condition.versionEquals(3)));
    assertThat(client.deleteAsync(KEY).get(5, TimeUnit.SECONDS)).isEqualTo(new DeleteResult(true, 4, 5));
    assertThat(client.deleteAsync(KEY, Condition.absent(), WriteOptions.defaults()).get(5, TimeUnit.SECONDS))
        .isEqualTo(client.delete(KEY));
    assertThat(client.batchAsync(List.of(BatchOp.put(KEY, KEY))).get(5, TimeUnit.SECONDS))
        .containsExactly(new BatchResult(BatchResult.Outcome.APPLIED, 6, 0));
    assertThat(client.scanPageAsync(ScanSpec.all()).get(5, TimeUnit.SECONDS).keyValues())
        .isEqualTo(client.scanPage(ScanSpec.all()).keyValues());
    assertThat(client.statusAsync().get(5, TimeUnit.SECONDS)).isEqualTo(client.status());
  }

  @Test
  void asyncFailuresCarryTheSameTypedException() {
    router.script("Put",
        FakeRouter.error(Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED", Map.of("current_version", "5"), "v5"));

    CompletableFuture<PutResult> future = client.putAsync(KEY, KEY, Condition.absent(), WriteOptions.defaults());

    assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ConditionFailedException.class);
    assertThatThrownBy(future::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(ConditionFailedException.class);
    // Handlers on the returned future see the exception itself.
    Throwable seen = future.handle((result, error) -> error).join();
    assertThat(seen).isInstanceOf(ConditionFailedException.class);
    assertThat(((ConditionFailedException) seen).currentVersion()).isEqualTo(5);
  }

  @Test
  void asyncWriteTimeoutIsOutcomeUnknown() {
    router.script("Batch", FakeRouter.error(Status.Code.DEADLINE_EXCEEDED, "OUTCOME_UNKNOWN", Map.of(), "slow"));

    Throwable seen = client.batchAsync(List.of(BatchOp.delete(KEY)))
        .handle((result, error) -> error)
        .join();

    assertThat(seen).isInstanceOf(OutcomeUnknownException.class);
    assertThat(router.received("Batch")).hasSize(1);
  }

  @Test
  void asyncReadErrorsAreTyped() {
    router.script("Scan", FakeRouter.error(Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED",
        Map.of("limit", "scan-limit-max"), "limit 20000 > 10000"));
    router.script("Status", Status.UNAVAILABLE.asRuntimeException());

    Throwable scan = client.scanPageAsync(ScanSpec.all().withPageSize(20_000)).handle((r, e) -> e).join();
    assertThat(scan).isInstanceOf(InvalidArgumentException.class);
    assertThat(((InvalidArgumentException) scan).limit()).contains("scan-limit-max");

    try (OrchidClient once = FakeRouter.clientFor(router.endpoint).retryPolicy(RetryPolicy.none()).build()) {
      Throwable status = once.statusAsync(ReadOptions.defaults().withDeadline(Duration.ofSeconds(1)))
          .handle((r, e) -> e).join();
      assertThat(status).isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void cancellingTheFutureCancelsTheCallAndStopsRetrying() throws InterruptedException {
    router.script("Get", FakeRouter.HANG);

    CompletableFuture<GetResult> future = client.getAsync(KEY);
    assertThat(future.cancel(true)).isTrue();

    assertThat(router.hungCallsEnded.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
    assertThat(future).isCancelled();
    assertThat(router.received("Get")).hasSize(1);
  }
}
