package io.orchiddb.client;

import static io.orchiddb.client.FakeRouter.token;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.NodeStatus;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ReadInfo;
import io.orchiddb.api.v1.ReplicaIndex;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.ShardStatus;
import io.orchiddb.api.v1.StatusResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that every operation maps its arguments to the request the router receives and the
 * router's response to the SDK's values, field by field, and that per-request options
 * (consistency, deadline) and the builder's defaults reach the router.
 *
 * <p>How: a {@link FakeRouter} in-process answers with scripted responses and records each request
 * and the deadline it arrived with ({@code Context.current().getDeadline()}); the tests assert on
 * both sides.
 */
class OrchidClientTest {
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

  private static io.orchiddb.api.v1.KeyValue kv(String key, String value, long version) {
    return io.orchiddb.api.v1.KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .setVersion(version)
        .setCreateVersion(version - 1)
        .setModifyTimeMs(1_700_000_000_000L)
        .build();
  }

  @Test
  void getMapsAFoundKeyAndItsReadInfo() {
    router.script("Get", GetResponse.newBuilder()
        .setFound(true)
        .setKv(kv("k", "v", 12))
        .setRead(ReadInfo.newBuilder().setServedBy("n2").setAppliedIndex(40))
        .build());

    GetResult result = client.get("k".getBytes(UTF_8));

    GetRequest sent = router.only("Get");
    assertThat(sent.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(sent.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.STRONG);
    assertThat(result.found()).isTrue();
    KeyValue kv = result.keyValue().orElseThrow();
    assertThat(kv.keyUtf8()).isEqualTo("k");
    assertThat(kv.valueUtf8()).isEqualTo("v");
    assertThat(kv.value()).isEqualTo("v".getBytes(UTF_8));
    assertThat(kv.version()).isEqualTo(12);
    assertThat(kv.createVersion()).isEqualTo(11);
    assertThat(kv.modifyTimeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(result.readInfo()).isEqualTo(new io.orchiddb.client.ReadInfo("n2", 40));
  }

  @Test
  void getOfAnAbsentKeyIsNotFound() {
    router.script("Get", GetResponse.newBuilder()
        .setFound(false)
        .setRead(ReadInfo.newBuilder().setServedBy("n1").setAppliedIndex(7))
        .build());

    GetResult result = client.get("missing");

    assertThat(result.found()).isFalse();
    assertThat(result.keyValue()).isEmpty();
    assertThat(result.readInfo().appliedIndex()).isEqualTo(7);
    assertThat(router.<GetRequest>only("Get").getKey().toStringUtf8()).isEqualTo("missing");
  }

  @Test
  void readOptionsConsistencyAndDeadlineReachTheRouter() {
    router.script("Get", GetResponse.getDefaultInstance());

    // (A read's attempt is cut at the attempt timeout, 2 s by default: RetryAndFailoverTest.)
    try (OrchidClient patient = FakeRouter.clientFor(router.endpoint)
        .retryPolicy(RetryPolicy.defaults().withAttemptTimeout(Duration.ofMinutes(1))).build()) {
      patient.get("k".getBytes(UTF_8),
          ReadOptions.of(Consistency.SESSION).withDeadline(Duration.ofMillis(3_000)));
    }

    FakeRouter.Received received = router.received("Get").get(0);
    assertThat(((GetRequest) received.request()).getConsistency())
        .isEqualTo(io.orchiddb.api.v1.Consistency.SESSION);
    // The deadline arrives as time remaining: at most what was asked, less transit time.
    assertThat(received.deadline()).isNotNull();
    assertThat(received.deadline().timeRemaining(TimeUnit.MILLISECONDS)).isBetween(2_000L, 3_000L);
  }

  @Test
  void eachConsistencyMapsToItsProtoValue() {
    router.script("Get", GetResponse.getDefaultInstance());
    for (Consistency consistency : Consistency.values()) {
      client.get("k".getBytes(UTF_8), ReadOptions.of(consistency));
    }
    assertThat(router.received("Get"))
        .extracting(r -> ((GetRequest) r.request()).getConsistency())
        .containsExactly(
            io.orchiddb.api.v1.Consistency.STRONG,
            io.orchiddb.api.v1.Consistency.SESSION,
            io.orchiddb.api.v1.Consistency.EVENTUAL);
  }

  @Test
  void builderDefaultsApplyWhenOptionsAreUnset() throws InterruptedException {
    router.script("Get", GetResponse.getDefaultInstance());
    router.script("Put", PutResponse.getDefaultInstance());
    try (OrchidClient custom = FakeRouter.clientFor(router.endpoint)
        .retryPolicy(RetryPolicy.defaults().withAttemptTimeout(Duration.ofMinutes(1)))
        .defaultConsistency(Consistency.EVENTUAL)
        .defaultDeadline(Duration.ofSeconds(7))
        .build()) {
      custom.get("k");
      custom.put("k", "v");
      custom.get("k".getBytes(UTF_8), ReadOptions.defaults().withDeadline(Duration.ofSeconds(2)));
    }

    List<FakeRouter.Received> gets = router.received("Get");
    assertThat(((GetRequest) gets.get(0).request()).getConsistency())
        .isEqualTo(io.orchiddb.api.v1.Consistency.EVENTUAL);
    assertThat(gets.get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS)).isBetween(6_000L, 7_000L);
    assertThat(router.received("Put").get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS))
        .isBetween(6_000L, 7_000L);
    // Options that set only the deadline keep the default consistency.
    assertThat(((GetRequest) gets.get(1).request()).getConsistency())
        .isEqualTo(io.orchiddb.api.v1.Consistency.EVENTUAL);
    assertThat(gets.get(1).deadline().timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1_000L, 2_000L);
  }

  @Test
  void putSendsKeyAndValueWithoutConditionAndMapsVersions() {
    router.script("Put", PutResponse.newBuilder().setVersion(15).setPreviousVersion(9).build());

    PutResult result = client.put("k".getBytes(UTF_8), new byte[] {0, 1, (byte) 0xff});

    PutRequest sent = router.only("Put");
    assertThat(sent.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(sent.getValue().toByteArray()).containsExactly(0, 1, 0xff);
    assertThat(sent.hasCondition()).isFalse();
    assertThat(result).isEqualTo(new PutResult(15, 9));
  }

  @Test
  void putOfStringsSendsTheirUtf8Bytes() {
    router.script("Put", PutResponse.newBuilder().setVersion(1).build());

    client.put("clé", "värde");

    PutRequest sent = router.only("Put");
    assertThat(sent.getKey().toByteArray()).isEqualTo("clé".getBytes(UTF_8));
    assertThat(sent.getValue().toByteArray()).isEqualTo("värde".getBytes(UTF_8));
  }

  @Test
  void putConditionsMapToTheProtoOneof() {
    router.script("Put", PutResponse.newBuilder().setVersion(2).build());
    byte[] key = "k".getBytes(UTF_8);
    byte[] value = "v".getBytes(UTF_8);

    client.put(key, value, Condition.absent());
    client.put(key, value, Condition.versionEquals(41));
    client.put(key, value, Condition.valueEquals("old".getBytes(UTF_8)));
    client.put(key, value, Condition.always());

    List<io.orchiddb.api.v1.Condition> conditions = router.received("Put").stream()
        .map(r -> ((PutRequest) r.request()).getCondition())
        .toList();
    assertThat(conditions.get(0).getKindCase()).isEqualTo(io.orchiddb.api.v1.Condition.KindCase.ABSENT);
    assertThat(conditions.get(1).getVersionEquals()).isEqualTo(41);
    assertThat(conditions.get(2).getValueEquals().toStringUtf8()).isEqualTo("old");
    assertThat(((PutRequest) router.received("Put").get(3).request()).hasCondition()).isFalse();
  }

  @Test
  void writeOptionsDeadlineReachesTheRouter() {
    router.script("Put", PutResponse.getDefaultInstance());
    router.script("Delete", DeleteResponse.getDefaultInstance());
    router.script("Batch", BatchResponse.getDefaultInstance());
    WriteOptions options = WriteOptions.defaults().withDeadline(Duration.ofMillis(1_500));
    byte[] key = "k".getBytes(UTF_8);

    client.put(key, key, Condition.always(), options);
    client.delete(key, Condition.always(), options);
    client.batch(List.of(), options);

    for (FakeRouter.Received received : router.received()) {
      assertThat(received.deadline().timeRemaining(TimeUnit.MILLISECONDS))
          .as(received.method())
          .isBetween(500L, 1_500L);
    }
    assertThat(router.received()).hasSize(3);
  }

  @Test
  void deleteMapsItsResultAndCondition() {
    router.script("Delete",
        DeleteResponse.newBuilder().setDeleted(true).setPreviousVersion(5).setIndex(8).build(),
        DeleteResponse.newBuilder().setDeleted(false).setIndex(9).build());

    DeleteResult deleted = client.delete("k".getBytes(UTF_8), Condition.versionEquals(5));
    DeleteResult absent = client.delete("gone");

    List<FakeRouter.Received> sent = router.received("Delete");
    DeleteRequest first = (DeleteRequest) sent.get(0).request();
    assertThat(first.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(first.getCondition().getVersionEquals()).isEqualTo(5);
    assertThat(((DeleteRequest) sent.get(1).request()).hasCondition()).isFalse();
    assertThat(deleted).isEqualTo(new DeleteResult(true, 5, 8));
    assertThat(absent).isEqualTo(new DeleteResult(false, 0, 9));
  }

  @Test
  void batchSendsOpsInOrderAndReturnsOneResultPerOpInOrder() {
    router.script("Batch", BatchResponse.newBuilder()
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.APPLIED).setVersion(20).setPreviousVersion(3))
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.CONDITION_FAILED).setPreviousVersion(7))
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.ABORTED))
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.UNKNOWN))
        .build());

    List<BatchResult> results = client.batch(List.of(
        BatchOp.put("a".getBytes(UTF_8), "1".getBytes(UTF_8)),
        BatchOp.put("b".getBytes(UTF_8), "2".getBytes(UTF_8), Condition.versionEquals(6)),
        BatchOp.delete("c".getBytes(UTF_8)),
        BatchOp.delete("d".getBytes(UTF_8), Condition.absent())));

    BatchRequest sent = router.only("Batch");
    assertThat(sent.getOpsCount()).isEqualTo(4);
    assertThat(sent.getOps(0).getPut().getKey().toStringUtf8()).isEqualTo("a");
    assertThat(sent.getOps(0).getPut().getValue().toStringUtf8()).isEqualTo("1");
    assertThat(sent.getOps(0).getPut().hasCondition()).isFalse();
    assertThat(sent.getOps(1).getPut().getCondition().getVersionEquals()).isEqualTo(6);
    assertThat(sent.getOps(2).getDelete().getKey().toStringUtf8()).isEqualTo("c");
    assertThat(sent.getOps(2).getDelete().hasCondition()).isFalse();
    assertThat(sent.getOps(3).getDelete().getCondition().hasAbsent()).isTrue();
    assertThat(results).containsExactly(
        new BatchResult(BatchResult.Outcome.APPLIED, 20, 3),
        new BatchResult(BatchResult.Outcome.CONDITION_FAILED, 0, 7),
        new BatchResult(BatchResult.Outcome.ABORTED, 0, 0),
        new BatchResult(BatchResult.Outcome.UNKNOWN, 0, 0));
    assertThat(results.get(0).applied()).isTrue();
  }

  @Test
  void batchWhoseResultsDoNotMatchItsOpsHasAnUnknownOutcome() {
    router.script("Batch", BatchResponse.newBuilder()
        .addResults(OpResult.newBuilder().setOutcome(OpResult.Outcome.APPLIED))
        .build());

    assertThatThrownBy(() -> client.batch(List.of(
            BatchOp.delete("a".getBytes(UTF_8)), BatchOp.delete("b".getBytes(UTF_8)))))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("1 results for a batch of 2");
    assertThat(router.received("Batch")).hasSize(1);
  }

  @Test
  void putManySendsPutsInOrderAndEndsEachWithItsOwnOutcome() {
    router.script("PutMany", PutManyResponse.newBuilder()
        .addResults(PutManyResult.newBuilder().setPut(PutResponse.newBuilder().setVersion(21).setPreviousVersion(4)))
        .addResults(PutManyResult.newBuilder().setError(StatusProto.fromThrowable(FakeRouter.error(
            Status.Code.FAILED_PRECONDITION, "CONDITION_FAILED", Map.of("current_version", "9"), "condition failed"))))
        .addResults(PutManyResult.newBuilder().setError(StatusProto.fromThrowable(FakeRouter.error(
            Status.Code.INVALID_ARGUMENT, "LIMIT_EXCEEDED", Map.of("limit", "value-bytes-max"), "value too large"))))
        .addResults(PutManyResult.newBuilder().setError(StatusProto.fromThrowable(FakeRouter.error(
            Status.Code.UNAVAILABLE, "NO_QUORUM", Map.of("shard", "2"), "no quorum"))))
        .addResults(PutManyResult.newBuilder().setError(StatusProto.fromThrowable(FakeRouter.error(
            Status.Code.DEADLINE_EXCEEDED, "OUTCOME_UNKNOWN", Map.of(), "not confirmed in time"))))
        .addResults(PutManyResult.getDefaultInstance()) // neither: a broken router
        .setSession(FakeRouter.token(2, 21))
        .build());

    List<PutOutcome> outcomes = client.putMany(List.of(
        BatchOp.put("a".getBytes(UTF_8), "1".getBytes(UTF_8)),
        BatchOp.put("b".getBytes(UTF_8), "2".getBytes(UTF_8), Condition.absent()),
        BatchOp.put("c".getBytes(UTF_8), "3".getBytes(UTF_8)),
        BatchOp.put("d".getBytes(UTF_8), "4".getBytes(UTF_8)),
        BatchOp.put("e".getBytes(UTF_8), "5".getBytes(UTF_8)),
        BatchOp.put("f".getBytes(UTF_8), "6".getBytes(UTF_8))));

    PutManyRequest sent = router.only("PutMany");
    assertThat(sent.getPutsList()).extracting(p -> p.getKey().toStringUtf8()).containsExactly("a", "b", "c", "d", "e", "f");
    assertThat(sent.getPuts(1).getCondition().hasAbsent()).isTrue();
    assertThat(sent.getPuts(0).hasCondition()).isFalse();
    assertThat(outcomes.get(0).orThrow()).isEqualTo(new PutResult(21, 4));
    assertThat(outcomes.get(1).error()).isInstanceOf(ConditionFailedException.class)
        .hasMessageContaining("PutMany (put 2 of 6)");
    assertThat(((ConditionFailedException) outcomes.get(1).error()).currentVersion()).isEqualTo(9);
    assertThat(outcomes.get(2).error()).isInstanceOf(InvalidArgumentException.class);
    assertThat(((InvalidArgumentException) outcomes.get(2).error()).limit()).contains("value-bytes-max");
    assertThat(outcomes.get(3).error()).isInstanceOf(UnavailableException.class);
    assertThat(outcomes.get(4).error()).isInstanceOf(OutcomeUnknownException.class);
    assertThat(outcomes.get(5).error()).isInstanceOf(OutcomeUnknownException.class);
    assertThat(outcomes).extracting(PutOutcome::applied).containsExactly(true, false, false, false, false, false);
    assertThatThrownBy(outcomes.get(1)::orThrow).isSameAs(outcomes.get(1).error());
    assertThat(client.sessionToken()).isEqualTo(FakeRouter.token(2, 21));
  }

  @Test
  void putManyRefusesDeletesSendsNothingForNoPutsAndHasAnUnknownOutcomeWhenResultsDoNotMatch() {
    assertThatThrownBy(() -> client.putMany(List.of(
            BatchOp.put("a".getBytes(UTF_8), "1".getBytes(UTF_8)), BatchOp.delete("b".getBytes(UTF_8)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("puts[1] is a DELETE");
    assertThat(client.putMany(List.of())).isEmpty();
    assertThat(router.received("PutMany")).isEmpty();

    router.script("PutMany", PutManyResponse.newBuilder()
        .addResults(PutManyResult.newBuilder().setPut(PutResponse.newBuilder().setVersion(3))).build());
    assertThatThrownBy(() -> client.putMany(List.of(
            BatchOp.put("a".getBytes(UTF_8), "1".getBytes(UTF_8)), BatchOp.put("b".getBytes(UTF_8), "2".getBytes(UTF_8)))))
        .isInstanceOf(OutcomeUnknownException.class).hasMessageContaining("of 2 puts was answered with 1 results");
    assertThat(router.received("PutMany")).hasSize(1);
  }

  @Test
  void scanPageSendsTheSpecAndMapsThePage() {
    router.script("Scan", ScanResponse.newBuilder()
        .addKvs(kv("p/1", "a", 3))
        .addKvs(kv("p/2", "b", 4))
        .setContinuation(ByteString.copyFromUtf8("next"))
        .build());

    ScanPage page = client.scanPage(
        ScanSpec.prefix("p/").withPageSize(2).keysOnly().withContinuation("from".getBytes(UTF_8)),
        ReadOptions.of(Consistency.EVENTUAL));

    ScanRequest sent = router.only("Scan");
    assertThat(sent.getPrefix().toStringUtf8()).isEqualTo("p/");
    assertThat(sent.getStartKey().isEmpty()).isTrue();
    assertThat(sent.getEndKey().isEmpty()).isTrue();
    assertThat(sent.getLimit()).isEqualTo(2);
    assertThat(sent.getKeysOnly()).isTrue();
    assertThat(sent.getContinuation().toStringUtf8()).isEqualTo("from");
    assertThat(sent.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.EVENTUAL);
    assertThat(page.keyValues()).extracting(KeyValue::keyUtf8).containsExactly("p/1", "p/2");
    assertThat(page.keyValues().get(1).version()).isEqualTo(4);
    assertThat(page.hasMore()).isTrue();
    assertThat(new String(page.continuation(), UTF_8)).isEqualTo("next");
  }

  @Test
  void scanOfARangeSendsStartAndEnd() {
    router.script("Scan", ScanResponse.getDefaultInstance());

    ScanPage page = client.scanPage(ScanSpec.range("a".getBytes(UTF_8), "m".getBytes(UTF_8)));
    client.scanPage(ScanSpec.range("m".getBytes(UTF_8), new byte[0]));
    client.scanPage(ScanSpec.all());

    List<ScanRequest> sent = router.received("Scan").stream().map(r -> (ScanRequest) r.request()).toList();
    assertThat(sent.get(0).getStartKey().toStringUtf8()).isEqualTo("a");
    assertThat(sent.get(0).getEndKey().toStringUtf8()).isEqualTo("m");
    assertThat(sent.get(0).getPrefix().isEmpty()).isTrue();
    assertThat(sent.get(0).getLimit()).isZero();
    assertThat(sent.get(0).getKeysOnly()).isFalse();
    assertThat(sent.get(1).getStartKey().toStringUtf8()).isEqualTo("m");
    assertThat(sent.get(1).getEndKey().isEmpty()).isTrue();
    assertThat(sent.get(2)).isEqualTo(ScanRequest.newBuilder()
        .setConsistency(io.orchiddb.api.v1.Consistency.STRONG)
        .setSession(sent.get(2).getSession())
        .build());
    assertThat(page.keyValues()).isEmpty();
    assertThat(page.hasMore()).isFalse();
  }

  @Test
  void statusMapsNodesAndShards() {
    router.script("Status", StatusResponse.newBuilder()
        .setMapEpoch(4)
        .addNodes(NodeStatus.newBuilder().setId("n1").setAddress("10.0.0.1:4208").setReachable(true))
        .addNodes(NodeStatus.newBuilder().setId("n2").setAddress("10.0.0.2:4208"))
        .addShards(ShardStatus.newBuilder()
            .setId(0).setHashStart(0).setHashEnd(Long.MIN_VALUE)
            .addReplicas("n1").addReplicas("n2")
            .setLeader("n1").setEpoch(2).setCommitIndex(99)
            .addReplicaApplied(ReplicaIndex.newBuilder().setNode("n1").setAppliedIndex(99))
            .setGroupId("02511d47-d67c-49a3-9011-abb3109a44c1"))
        .addShards(ShardStatus.newBuilder().setId(1).setHashStart(Long.MIN_VALUE).setHashEnd(0))
        .build());

    ClusterStatus status = client.status();

    assertThat(status.mapEpoch()).isEqualTo(4);
    assertThat(status.nodes()).containsExactly(
        new ClusterStatus.Node("n1", "10.0.0.1:4208", true),
        new ClusterStatus.Node("n2", "10.0.0.2:4208", false));
    ClusterStatus.Shard first = status.shards().get(0);
    assertThat(first.id()).isZero();
    assertThat(Long.toUnsignedString(first.hashEnd())).isEqualTo("9223372036854775808");
    assertThat(first.replicas()).containsExactly("n1", "n2");
    assertThat(first.leader()).contains("n1");
    assertThat(first.epoch()).isEqualTo(2);
    assertThat(first.commitIndex()).isEqualTo(99);
    assertThat(first.replicaAppliedIndex()).isEqualTo(Map.of("n1", 99L));
    assertThat(first.groupId()).isEqualTo("02511d47-d67c-49a3-9011-abb3109a44c1");
    assertThat(status.shards().get(1).leader()).isEqualTo(Optional.empty());
    assertThat(router.received("Status")).hasSize(1);
  }

  @Test
  void everyRequestCarriesTheSessionToken() {
    router.script("Put", PutResponse.newBuilder().setVersion(5).setSession(token(1, 5)).build());
    router.script("Get", GetResponse.getDefaultInstance());
    router.script("Delete", DeleteResponse.getDefaultInstance());
    router.script("Batch", BatchResponse.getDefaultInstance());
    router.script("Scan", ScanResponse.getDefaultInstance());

    client.put("k", "v");
    client.get("k");
    client.delete("k");
    client.batch(List.of());
    client.scanPage(ScanSpec.all());

    assertThat(router.<GetRequest>only("Get").getSession()).isEqualTo(token(1, 5));
    assertThat(router.<DeleteRequest>only("Delete").getSession()).isEqualTo(token(1, 5));
    assertThat(router.<BatchRequest>only("Batch").getSession()).isEqualTo(token(1, 5));
    assertThat(router.<ScanRequest>only("Scan").getSession()).isEqualTo(token(1, 5));
  }
}
