package io.orchiddb.client;

import static io.orchiddb.client.FakeRouter.error;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.orchiddb.api.v1.GetResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the error model of kv.proto maps to the SDK's typed exceptions, for reads and for writes:
 * INVALID_ARGUMENT (with the limit or field), FAILED_PRECONDITION/CONDITION_FAILED (with the
 * current version), UNAVAILABLE, DEADLINE_EXCEEDED (reads: DeadlineExceededException; writes:
 * OutcomeUnknownException), INTERNAL, and that a write is only ever reported as failed when the
 * router's answer proves nothing was written.
 *
 * <p>How: a {@link FakeRouter} answers with errors built as the router builds them (a
 * google.rpc.Status with an ErrorInfo in domain "orchiddb.io"); the client has no retries, so each
 * test sees exactly one attempt. Two tests use a router that never answers and a short real
 * deadline, to cover the client's own timeout.
 */
class ErrorMappingTest {
  private static final byte[] KEY = "k".getBytes(UTF_8);

  private FakeRouter router;
  private OrchidClient client;

  @BeforeEach
  void start() {
    router = FakeRouter.start("router");
    client = FakeRouter.clientFor(router.endpoint).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    router.close();
  }

  @Test
  void limitExceededIsInvalidArgumentWithTheLimitsName() {
    router.script("Put", error(Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED",
        Map.of("limit", "key-bytes-max"), "key is 1025 bytes; key-bytes-max is 1024"));

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .asInstanceOf(type(InvalidArgumentException.class))
        .satisfies(e -> {
          assertThat(e.limit()).contains("key-bytes-max");
          assertThat(e.field()).isEmpty();
          assertThat(e.reason()).isEqualTo("LIMIT_EXCEEDED");
          assertThat(e.getMessage()).contains("INVALID_ARGUMENT", "key-bytes-max is 1024", router.endpoint);
          assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
        });
  }

  @Test
  void aWriteRefusedByTheRoutersConnectionLimitIsUnavailableNotOutcomeUnknown() {
    router.script("Put", error(Status.Code.UNAVAILABLE, "LIMIT_EXCEEDED",
        Map.of("limit", "grpc-connections-max"), "this router serves at most 4096 gRPC connections"));

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .asInstanceOf(type(UnavailableException.class))
        .satisfies(e -> {
          assertThat(e.reason()).isEqualTo("LIMIT_EXCEEDED");
          assertThat(e.metadata()).containsEntry("limit", "grpc-connections-max");
          assertThat(e.getMessage()).contains("UNAVAILABLE", "4096 gRPC connections");
        });
  }

  @Test
  void badRequestIsInvalidArgumentWithTheField() {
    router.script("Scan", error(Status.Code.INVALID_ARGUMENT, "BAD_REQUEST",
        Map.of("field", "prefix"), "set at most one of prefix and the range"));

    assertThatThrownBy(() -> client.scanPage(ScanSpec.all()))
        .asInstanceOf(type(InvalidArgumentException.class))
        .satisfies(e -> {
          assertThat(e.field()).contains("prefix");
          assertThat(e.limit()).isEmpty();
          assertThat(e.reason()).isEqualTo("BAD_REQUEST");
        });
  }

  @Test
  void failedConditionCarriesTheCurrentVersion() {
    router.script("Put",
        error(Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED", Map.of("current_version", "42"), "version is 42"),
        error(Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED", Map.of("current_version", "0"), "key absent"));

    assertThatThrownBy(() -> client.put(KEY, KEY, Condition.versionEquals(41)))
        .asInstanceOf(type(ConditionFailedException.class))
        .extracting(ConditionFailedException::currentVersion)
        .isEqualTo(42L);
    assertThatThrownBy(() -> client.put(KEY, KEY, Condition.versionEquals(41)))
        .asInstanceOf(type(ConditionFailedException.class))
        .extracting(ConditionFailedException::currentVersion)
        .isEqualTo(0L);
  }

  @Test
  void failedConditionOnDeleteToo() {
    router.script("Delete",
        error(Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED", Map.of("current_version", "7"), "version is 7"));

    assertThatThrownBy(() -> client.delete(KEY, Condition.versionEquals(6)))
        .asInstanceOf(type(ConditionFailedException.class))
        .extracting(ConditionFailedException::currentVersion)
        .isEqualTo(7L);
  }

  @Test
  void failedPreconditionWithoutConditionReasonIsAPlainOrchidException() {
    router.script("Put", error(Status.Code.FAILED_PRECONDITION, "SOMETHING_ELSE", Map.of(), "no"));

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .isExactlyInstanceOf(OrchidException.class)
        .extracting(e -> ((OrchidException) e).reason())
        .isEqualTo("SOMETHING_ELSE");
  }

  @Test
  void noQuorumIsUnavailableForReadsAndWrites() {
    router.script("Get", FakeRouter.noQuorum());
    router.script("Put", FakeRouter.noQuorum());

    assertThatThrownBy(() -> client.get(KEY))
        .asInstanceOf(type(UnavailableException.class))
        .satisfies(e -> {
          assertThat(e.reason()).isEqualTo("NO_QUORUM");
          assertThat(e.metadata()).containsEntry("shard", "3");
        });
    // NO_QUORUM says nothing was written: a failure, not an unknown outcome.
    assertThatThrownBy(() -> client.put(KEY, KEY)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void unavailableFromARouterIsUnavailableForAReadButOutcomeUnknownForAWrite() {
    router.script("Get", Status.UNAVAILABLE.withDescription("router shutting down").asRuntimeException());
    router.script("Put", Status.UNAVAILABLE.withDescription("router shutting down").asRuntimeException());

    assertThatThrownBy(() -> client.get(KEY)).isInstanceOf(UnavailableException.class);
    // The request reached the router, which may have proposed it before failing.
    assertThatThrownBy(() -> client.put(KEY, KEY))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("may or may not have been applied")
        .hasMessageContaining("router shutting down");
    assertThat(router.received("Put")).hasSize(1);
  }

  @Test
  void deadlineExceededIsOutcomeUnknownForWritesAndDeadlineExceededForReads() {
    StatusRuntimeException outcomeUnknown =
        error(Status.Code.DEADLINE_EXCEEDED, "OUTCOME_UNKNOWN", Map.of(), "shard 2 did not confirm");
    router.script("Put", outcomeUnknown);
    router.script("Delete", outcomeUnknown);
    router.script("Batch", outcomeUnknown);
    router.script("Get", Status.DEADLINE_EXCEEDED.withDescription("read timed out").asRuntimeException());

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .asInstanceOf(type(OutcomeUnknownException.class))
        .extracting(OrchidException::reason)
        .isEqualTo("OUTCOME_UNKNOWN");
    assertThatThrownBy(() -> client.delete(KEY)).isInstanceOf(OutcomeUnknownException.class);
    assertThatThrownBy(() -> client.batch(List.of(BatchOp.delete(KEY))))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThatThrownBy(() -> client.get(KEY)).isInstanceOf(DeadlineExceededException.class);
  }

  @Test
  void internalIsAPlainOrchidExceptionForReadsAndOutcomeUnknownForWrites() {
    router.script("Get", error(Status.Code.INTERNAL, "INTERNAL", Map.of(), "bug"));
    router.script("Put", error(Status.Code.INTERNAL, "INTERNAL", Map.of(), "bug"));

    assertThatThrownBy(() -> client.get(KEY))
        .isExactlyInstanceOf(OrchidException.class)
        .hasMessageContaining("INTERNAL");
    assertThatThrownBy(() -> client.put(KEY, KEY)).isInstanceOf(OutcomeUnknownException.class);
  }

  @Test
  void aRefusalBeforeWritingIsAPlainFailureForAWrite() {
    router.script("Put", Status.PERMISSION_DENIED.withDescription("role reader may not write").asRuntimeException());

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .isExactlyInstanceOf(OrchidException.class)
        .hasMessageContaining("PERMISSION_DENIED");
  }

  @Test
  void errorInfoOfAnotherDomainIsIgnored() {
    router.script("Put", StatusRuntimeExceptions.withErrorInfo(
        Status.Code.INVALID_ARGUMENT, "example.com", "LIMIT_EXCEEDED", Map.of("limit", "x")));

    assertThatThrownBy(() -> client.put(KEY, KEY))
        .asInstanceOf(type(InvalidArgumentException.class))
        .satisfies(e -> {
          assertThat(e.reason()).isEmpty();
          assertThat(e.limit()).isEmpty();
        });
  }

  @Test
  void aReadThatTimesOutOnTheClientIsDeadlineExceeded() throws InterruptedException {
    router.script("Get", FakeRouter.HANG);

    assertThatThrownBy(() -> client.get(KEY, ReadOptions.defaults().withDeadline(Duration.ofMillis(100))))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(router.hungCallsEnded.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aWriteThatTimesOutOnTheClientIsOutcomeUnknownAndNotRetried() throws InterruptedException {
    router.script("Put", FakeRouter.HANG);
    try (OrchidClient retrying = FakeRouter.clientFor(router.endpoint).build()) {
      assertThatThrownBy(() -> retrying.put(KEY, KEY, Condition.always(),
              WriteOptions.defaults().withDeadline(Duration.ofMillis(100))))
          .isInstanceOf(OutcomeUnknownException.class)
          .hasMessageContaining("DEADLINE_EXCEEDED");
    }
    assertThat(router.received("Put")).hasSize(1);
  }

  @Test
  void aSuccessAfterAnErrorIsUnaffected() {
    router.script("Get", FakeRouter.noQuorum(), GetResponse.newBuilder().setFound(false).build());

    assertThatThrownBy(() -> client.get(KEY)).isInstanceOf(UnavailableException.class);
    assertThat(client.get(KEY).found()).isFalse();
  }

  /** Builds errors the real router would not: an ErrorInfo of a foreign domain. */
  private static final class StatusRuntimeExceptions {
    static StatusRuntimeException withErrorInfo(
        Status.Code code, String domain, String reason, Map<String, String> metadata) {
      return io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(code.value())
          .setMessage("foreign")
          .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
              .setDomain(domain).setReason(reason).putAllMetadata(metadata).build()))
          .build());
    }
  }
}
