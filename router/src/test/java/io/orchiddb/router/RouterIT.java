package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.orchiddb.api.v1.Absent;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.ClusterGrpc;
import io.orchiddb.api.v1.Condition;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.DeleteOp;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.api.v1.Op;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutOp;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import io.orchiddb.api.v1.StatusRequest;
import io.orchiddb.api.v1.StatusResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the public gRPC API end to end, through raw generated stubs (what any language gets from
 * stock protoc): a real 3-node cluster with 4 shards and a router on loopback. Every call, every
 * consistency level, session reads served by followers, scans merged and paginated across
 * shards, and bad input refused with INVALID_ARGUMENT and an ErrorInfo naming the limit, with
 * nothing written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterIT {
  @TempDir
  static Path dir;

  private DevCluster cluster;
  private ManagedChannel channel;
  private KVGrpc.KVBlockingStub kv;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "4", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0"));
    channel = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
    kv = KVGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    cluster.close();
  }

  private KVGrpc.KVBlockingStub kv() {
    return kv.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void putGetDeleteWithVersions() {
    PutResponse p1 = kv().put(PutRequest.newBuilder().setKey(b("alpha")).setValue(b("1")).build());
    assertThat(p1.getVersion()).isPositive();
    assertThat(p1.getPreviousVersion()).isZero();
    PutResponse p2 = kv().put(PutRequest.newBuilder().setKey(b("alpha")).setValue(b("2")).build());
    assertThat(p2.getVersion()).isGreaterThan(p1.getVersion());
    assertThat(p2.getPreviousVersion()).isEqualTo(p1.getVersion());

    GetResponse g = kv().get(GetRequest.newBuilder().setKey(b("alpha")).build());
    assertThat(g.getFound()).isTrue();
    assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("2");
    assertThat(g.getKv().getVersion()).isEqualTo(p2.getVersion());
    assertThat(g.getKv().getCreateVersion()).isEqualTo(p1.getVersion());
    assertThat(g.getRead().getServedBy()).isIn("n1", "n2", "n3");
    assertThat(g.getRead().getAppliedIndex()).isGreaterThanOrEqualTo(p2.getVersion());

    DeleteResponse d = kv().delete(DeleteRequest.newBuilder().setKey(b("alpha")).build());
    assertThat(d.getDeleted()).isTrue();
    assertThat(d.getPreviousVersion()).isEqualTo(p2.getVersion());
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("alpha")).build()).getFound()).isFalse();
    assertThat(kv().delete(DeleteRequest.newBuilder().setKey(b("alpha")).build()).getDeleted()).isFalse();
  }

  @Test
  void concurrentGetsEachGetTheirOwnKeyAtEveryReadLevel() throws Exception {
    // The router coalesces concurrent gets to one replica into one multi-get (GetBatcher): many
    // gets in flight at once must still each come back with their own key's value and version.
    int n = 300;
    BatchRequest.Builder batch = BatchRequest.newBuilder();
    for (int i = 0; i < n; i++) {
      batch.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("many/" + i)).setValue(b("value-" + i))));
    }
    BatchResponse written = kv().batch(batch.build());
    KVGrpc.KVFutureStub async = KVGrpc.newFutureStub(channel);
    for (Consistency level : List.of(Consistency.STRONG, Consistency.SESSION, Consistency.EVENTUAL)) {
      List<com.google.common.util.concurrent.ListenableFuture<GetResponse>> gets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        gets.add(async.withDeadlineAfter(30, TimeUnit.SECONDS).get(GetRequest.newBuilder()
            .setKey(b("many/" + (n - 1 - i))).setConsistency(level).setSession(written.getSession()).build()));
      }
      for (int i = 0; i < n; i++) {
        int k = n - 1 - i;
        GetResponse g = gets.get(i).get(30, TimeUnit.SECONDS);
        // An EVENTUAL get may find a replica that has not applied the batch yet (allowed); it catches up.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (level == Consistency.EVENTUAL && !g.getFound() && System.nanoTime() < deadline) {
          g = kv().get(GetRequest.newBuilder().setKey(b("many/" + k)).setConsistency(level).build());
        }
        assertThat(g.getFound()).as("%s get of many/%d", level, k).isTrue();
        assertThat(g.getKv().getKey().toStringUtf8()).isEqualTo("many/" + k);
        assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("value-" + k);
        assertThat(g.getKv().getVersion()).isEqualTo(written.getResults(k).getVersion());
      }
    }
  }

  @Test
  void getManyReadsEveryKeyInRequestOrderAtEveryReadLevel() {
    BatchRequest.Builder batch = BatchRequest.newBuilder();
    for (int i = 0; i < 40; i++) {
      batch.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("gm/" + i)).setValue(b("v" + i))));
    }
    BatchResponse written = kv().batch(batch.build());
    // Keys of every shard, a missing one, and one listed twice.
    List<String> keys = new ArrayList<>();
    for (int i = 39; i >= 0; i -= 3) {
      keys.add("gm/" + i);
    }
    keys.add("gm/missing");
    keys.add("gm/39");
    for (Consistency level : List.of(Consistency.STRONG, Consistency.SESSION, Consistency.EVENTUAL)) {
      GetManyRequest.Builder req = GetManyRequest.newBuilder().setConsistency(level).setSession(written.getSession());
      keys.forEach(k -> req.addKeys(b(k)));
      GetManyResponse r = kv().getMany(req.build());
      // EVENTUAL may find replicas that have not applied the batch yet (allowed); they catch up.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (level == Consistency.EVENTUAL && System.nanoTime() < deadline
          && r.getResultsList().stream().filter(GetResponse::getFound).count() < keys.size() - 1) {
        r = kv().getMany(req.build());
      }
      assertThat(r.getResultsCount()).isEqualTo(keys.size());
      for (int j = 0; j < keys.size(); j++) {
        GetResponse g = r.getResults(j);
        String k = keys.get(j);
        if (k.equals("gm/missing")) {
          assertThat(g.getFound()).as("%s %s", level, k).isFalse();
          continue;
        }
        int i = Integer.parseInt(k.substring(3));
        assertThat(g.getFound()).as("%s %s", level, k).isTrue();
        assertThat(g.getKv().getKey().toStringUtf8()).isEqualTo(k);
        assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
        assertThat(g.getKv().getVersion()).isEqualTo(written.getResults(i).getVersion());
        assertThat(g.getRead().getAppliedIndex()).isGreaterThanOrEqualTo(g.getKv().getVersion());
        assertThat(g.hasSession()).isFalse();
      }
      // The response's token covers what the batch wrote, on every shard it wrote to.
      for (var seen : written.getSession().getSeenList()) {
        assertThat(r.getSession().getSeenList()).anySatisfy(s -> {
          assertThat(s.getShardId()).isEqualTo(seen.getShardId());
          assertThat(s.getIndex()).isGreaterThanOrEqualTo(seen.getIndex());
        });
      }
    }
  }

  @Test
  void getManyRefusesBadInputWithTheLimitNamed() {
    StatusRuntimeException none = catchThrowableOfType(StatusRuntimeException.class,
        () -> kv().getMany(GetManyRequest.getDefaultInstance()));
    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(none).getMetadataMap()).containsEntry("field", "keys");
    GetManyRequest.Builder many = GetManyRequest.newBuilder();
    for (int i = 0; i < 1024; i++) {
      many.addKeys(b("gm-limit/" + i));
    }
    GetManyResponse atLimit = kv().getMany(many.build());
    assertThat(atLimit.getResultsCount()).isEqualTo(1024);
    assertThat(atLimit.getResultsList()).noneMatch(GetResponse::getFound);
    assertInvalid(() -> kv().getMany(many.addKeys(b("gm-limit/1024")).build()), "batch-ops-max");
    assertInvalid(() -> kv().getMany(GetManyRequest.newBuilder().addKeys(b("ok"))
        .addKeys(ByteString.copyFrom(new byte[1025])).build()), "key-bytes-max");
  }

  @Test
  void getManyAnswersAtMostGetManyBytesMax() throws Exception {
    // 15 values of value-bytes-max plus one sized so that keys and values come to exactly the
    // limit, and a second last key one byte larger.
    int valueMax = 1024 * 1024;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      keys.add(String.format("gmb/%02d", i));
    }
    int keyBytes = 16 * 6;
    int rest = io.orchiddb.router.shard.KvRouter.GET_MANY_BYTES_MAX - 15 * valueMax - keyBytes;
    for (String k : keys) {
      kv().put(PutRequest.newBuilder().setKey(b(k)).setValue(ByteString.copyFrom(new byte[valueMax])).build());
    }
    kv().put(PutRequest.newBuilder().setKey(b("gmb/at")).setValue(ByteString.copyFrom(new byte[rest])).build());
    kv().put(PutRequest.newBuilder().setKey(b("gmb/ov")).setValue(ByteString.copyFrom(new byte[rest + 1])).build());
    ManagedChannel big = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    try {
      KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(big).withDeadlineAfter(30, TimeUnit.SECONDS);
      GetManyRequest.Builder at = GetManyRequest.newBuilder();
      keys.forEach(k -> at.addKeys(b(k)));
      GetManyRequest.Builder over = at.clone();
      GetManyResponse r = stub.getMany(at.addKeys(b("gmb/at")).build());
      assertThat(r.getResultsList()).allMatch(GetResponse::getFound);
      assertInvalid(() -> stub.getMany(over.addKeys(b("gmb/ov")).build()), "get-many-bytes-max");
    } finally {
      big.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void putManyWritesEachPutOnItsOwnAndAnswersEach() {
    PutResponse existing = kv().put(PutRequest.newBuilder().setKey(b("pm/taken")).setValue(b("old")).build());
    PutManyRequest.Builder req = PutManyRequest.newBuilder()
        // A put's own session is ignored; the request's is what the response extends.
        .setSession(SessionToken.newBuilder().addSeen(ShardIndex.newBuilder().setShardId(999).setIndex(7)));
    for (int i = 0; i < 40; i++) {
      req.addPuts(PutRequest.newBuilder().setKey(b("pm/" + i)).setValue(b("v" + i)));
    }
    req.setPuts(10, PutRequest.newBuilder().setKey(b("pm/taken")).setValue(b("new"))
        .setCondition(Condition.newBuilder().setAbsent(Absent.getDefaultInstance())));
    req.setPuts(20, PutRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1025])).setValue(b("v")));
    req.setPuts(30, PutRequest.newBuilder().setKey(b("pm/30")).setValue(b("v30"))
        .setCondition(Condition.newBuilder().setAbsent(Absent.getDefaultInstance())));

    PutManyResponse r = kv().putMany(req.build());

    assertThat(r.getResultsCount()).isEqualTo(40);
    com.google.rpc.Status conflict = r.getResults(10).getError();
    assertThat(conflict.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
    assertThat(errorInfo(conflict).getReason()).isEqualTo("CONDITION_FAILED");
    assertThat(errorInfo(conflict).getMetadataMap()).containsEntry("current_version", String.valueOf(existing.getVersion()));
    com.google.rpc.Status tooLong = r.getResults(20).getError();
    assertThat(tooLong.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(errorInfo(tooLong).getMetadataMap()).containsEntry("limit", "key-bytes-max");
    assertThat(tooLong.getMessage()).contains("key-bytes-max").doesNotContain("Exception");
    Set<Long> versions = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      if (i == 10 || i == 20) {
        continue;
      }
      assertThat(r.getResults(i).hasPut()).as("put %d", i).isTrue();
      PutResponse put = r.getResults(i).getPut();
      assertThat(put.getVersion()).isPositive();
      assertThat(put.getPreviousVersion()).isZero();
      assertThat(put.hasSession()).isFalse();
      GetResponse g = kv().get(GetRequest.newBuilder().setKey(b("pm/" + i)).build());
      assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      assertThat(g.getKv().getVersion()).isEqualTo(put.getVersion());
      versions.add(put.getVersion());
    }
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("pm/taken")).build()).getKv().getValue().toStringUtf8())
        .isEqualTo("old");
    // The token: the request's entry kept, and per shard written the newest put's version.
    Map<Integer, Long> token = new java.util.HashMap<>();
    r.getSession().getSeenList().forEach(s -> token.put(s.getShardId(), s.getIndex()));
    assertThat(token.remove(999)).isEqualTo(7L);
    assertThat(token).as("the puts span several shards").hasSizeGreaterThan(1);
    assertThat(versions).containsAll(token.values());
    assertThat(token.values()).contains(versions.stream().max(Long::compare).orElseThrow());
  }

  @Test
  void putManyRefusesTheWholeRequestOverItsLimitsAndWritesNothing() {
    StatusRuntimeException none = catchThrowableOfType(StatusRuntimeException.class,
        () -> kv().putMany(PutManyRequest.getDefaultInstance()));
    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(none).getMetadataMap()).containsEntry("field", "puts");

    PutManyRequest.Builder many = PutManyRequest.newBuilder();
    for (int i = 0; i < 1024; i++) {
      many.addPuts(PutRequest.newBuilder().setKey(b("pm-limit/" + i)).setValue(b("v")));
    }
    PutManyRequest over = many.clone().addPuts(PutRequest.newBuilder().setKey(b("pm-limit/over")).setValue(b("v"))).build();
    assertInvalid(() -> kv().putMany(over), "batch-ops-max");
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("pm-limit/0")).build()).getFound()).isFalse();
    assertThat(kv().putMany(many.build()).getResultsList()).allMatch(PutManyResult::hasPut);

    // request-bytes-max (4 MiB): four puts whose last value makes the request exactly the limit.
    int limit = 4 * 1024 * 1024;
    PutManyRequest.Builder big = PutManyRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      big.addPuts(PutRequest.newBuilder().setKey(b("pm-bytes/" + i)).setValue(ByteString.copyFrom(new byte[1024 * 1024])));
    }
    int last = limit - big.build().getSerializedSize() - 64;
    PutManyRequest atLimit = withLastValue(big, last);
    last += limit - atLimit.getSerializedSize(); // the length prefixes grew with the value; they stay put now
    atLimit = withLastValue(big, last);
    PutManyRequest oneOver = withLastValue(big, last + 1);
    assertThat(atLimit.getSerializedSize()).isEqualTo(limit);
    assertThat(oneOver.getSerializedSize()).isEqualTo(limit + 1);
    assertInvalid(() -> kv().putMany(oneOver), "request-bytes-max");
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("pm-bytes/0")).build()).getFound()).isFalse();
    assertThat(kv().putMany(atLimit).getResultsList()).allMatch(PutManyResult::hasPut);
  }

  private static PutManyRequest withLastValue(PutManyRequest.Builder first, int valueBytes) {
    return first.clone().addPuts(PutRequest.newBuilder().setKey(b("pm-bytes/3"))
        .setValue(ByteString.copyFrom(new byte[valueBytes]))).build();
  }

  @Test
  void conditionsFailWithTheCurrentVersion() {
    PutResponse p = kv().put(PutRequest.newBuilder().setKey(b("cond")).setValue(b("a")).build());
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> kv().put(PutRequest.newBuilder()
        .setKey(b("cond")).setValue(b("b")).setCondition(Condition.newBuilder().setAbsent(Absent.getDefaultInstance())).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(e).getReason()).isEqualTo("CONDITION_FAILED");
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("current_version", String.valueOf(p.getVersion()));

    PutResponse ok = kv().put(PutRequest.newBuilder().setKey(b("cond")).setValue(b("c"))
        .setCondition(Condition.newBuilder().setVersionEquals(p.getVersion())).build());
    assertThat(ok.getVersion()).isGreaterThan(p.getVersion());
    StatusRuntimeException d = catchThrowableOfType(StatusRuntimeException.class, () -> kv().delete(DeleteRequest.newBuilder()
        .setKey(b("cond")).setCondition(Condition.newBuilder().setValueEquals(b("not-c"))).build()));
    assertThat(errorInfo(d).getMetadataMap()).containsEntry("current_version", String.valueOf(ok.getVersion()));
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("cond")).build()).getKv().getValue().toStringUtf8()).isEqualTo("c");
  }

  @Test
  void batchIsAtomicPerShardAndReportsEachOp() {
    // Many keys so that several shards are involved; one condition fails on one shard only.
    BatchRequest.Builder req = BatchRequest.newBuilder();
    for (int i = 0; i < 40; i++) {
      req.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("batch-" + i)).setValue(b("v" + i))));
    }
    req.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("batch-0")).setValue(b("again"))
        .setCondition(Condition.newBuilder().setVersionEquals(987654321))));
    BatchResponse r = kv().batch(req.build());
    assertThat(r.getResultsList()).hasSize(41);
    OpResult failed = r.getResults(40);
    assertThat(failed.getOutcome()).isEqualTo(OpResult.Outcome.CONDITION_FAILED);
    int applied = 0;
    for (int i = 0; i < 40; i++) {
      OpResult op = r.getResults(i);
      boolean present = kv().get(GetRequest.newBuilder().setKey(b("batch-" + i)).build()).getFound();
      if (op.getOutcome() == OpResult.Outcome.APPLIED) {
        applied++;
        assertThat(present).as("batch-%s applied", i).isTrue();
        assertThat(op.getVersion()).isPositive();
      } else {
        assertThat(op.getOutcome()).isEqualTo(OpResult.Outcome.ABORTED);
        assertThat(present).as("batch-%s aborted with its shard", i).isFalse();
      }
    }
    // The shard of batch-0 aborted (including batch-0); the other shards applied.
    assertThat(r.getResults(0).getOutcome()).isEqualTo(OpResult.Outcome.ABORTED);
    assertThat(applied).isBetween(1, 39);
  }

  @Test
  void everyConsistencyLevelReads() {
    PutResponse p = kv().put(PutRequest.newBuilder().setKey(b("levels")).setValue(b("x")).build());
    for (Consistency c : List.of(Consistency.STRONG, Consistency.SESSION, Consistency.EVENTUAL)) {
      GetResponse g = kv().get(GetRequest.newBuilder().setKey(b("levels")).setConsistency(c)
          .setSession(p.getSession()).build());
      assertThat(g.getRead().getServedBy()).isIn("n1", "n2", "n3");
      if (c != Consistency.EVENTUAL) {
        assertThat(g.getFound()).as(c.name()).isTrue();
        assertThat(g.getKv().getVersion()).isEqualTo(p.getVersion());
      }
    }
  }

  @Test
  void sessionReadRightAfterAWriteAlwaysSeesItEvenOnFollowers() {
    Set<String> servedBy = new HashSet<>();
    SessionToken token = SessionToken.getDefaultInstance();
    for (int i = 0; i < 60; i++) {
      PutResponse p = kv().put(PutRequest.newBuilder().setKey(b("session")).setValue(b("v" + i)).setSession(token).build());
      token = p.getSession();
      GetResponse g = kv().get(GetRequest.newBuilder().setKey(b("session")).setConsistency(Consistency.SESSION)
          .setSession(token).build());
      assertThat(g.getKv().getValue().toStringUtf8()).as("read %s", i).isEqualTo("v" + i);
      assertThat(g.getKv().getVersion()).isEqualTo(p.getVersion());
      servedBy.add(g.getRead().getServedBy());
      token = g.getSession();
    }
    // Right after a write a follower may not yet know it is committed (it learns with the leader's
    // next message), so that read goes to the leader. Once followers know, session reads at the
    // same token spread over the replicas (chosen at random), each still seeing the last write.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (servedBy.size() < 2 && System.nanoTime() < deadline) {
      GetResponse g = kv().get(GetRequest.newBuilder().setKey(b("session")).setConsistency(Consistency.SESSION)
          .setSession(token).build());
      assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("v59");
      servedBy.add(g.getRead().getServedBy());
    }
    assertThat(servedBy).as("replicas that served session reads").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void scanMergesShardsInKeyOrderAndPaginates() {
    List<String> keys = new ArrayList<>();
    for (int chunk = 0; chunk < 10; chunk++) {
      BatchRequest.Builder req = BatchRequest.newBuilder();
      for (int i = 0; i < 1000; i++) {
        String k = String.format("scan/%05d", chunk * 1000 + i);
        keys.add(k);
        req.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b(k)).setValue(b("v"))));
      }
      BatchResponse r = kv().batch(req.build());
      assertThat(r.getResultsList()).allMatch(o -> o.getOutcome() == OpResult.Outcome.APPLIED);
    }
    List<String> seen = new ArrayList<>();
    ByteString continuation = ByteString.EMPTY;
    int pages = 0;
    do {
      ScanResponse page = kv().scan(ScanRequest.newBuilder().setPrefix(b("scan/")).setLimit(1000)
          .setContinuation(continuation).build());
      page.getKvsList().forEach(kvp -> seen.add(kvp.getKey().toStringUtf8()));
      continuation = page.getContinuation();
      pages++;
      assertThat(pages).isLessThanOrEqualTo(11);
    } while (!continuation.isEmpty());
    assertThat(seen).containsExactlyElementsOf(keys);

    // A range with keys-only.
    ScanResponse range = kv().scan(ScanRequest.newBuilder().setStartKey(b("scan/00100")).setEndKey(b("scan/00105"))
        .setKeysOnly(true).build());
    assertThat(range.getKvsList()).extracting(k -> k.getKey().toStringUtf8())
        .containsExactly("scan/00100", "scan/00101", "scan/00102", "scan/00103", "scan/00104");
    assertThat(range.getKvsList()).extracting(KeyValue::getValue).containsOnly(ByteString.EMPTY);
    assertThat(range.getContinuation()).isEmpty();
  }

  @Test
  void badInputIsRefusedWithTheLimitNamedAndNothingWritten() {
    assertInvalid(() -> kv().put(PutRequest.newBuilder().setKey(ByteString.EMPTY).setValue(b("v")).build()), "key-bytes-max");
    ByteString key1025 = ByteString.copyFrom(new byte[1025]);
    assertInvalid(() -> kv().put(PutRequest.newBuilder().setKey(key1025).setValue(b("v")).build()), "key-bytes-max");
    assertInvalid(() -> kv().get(GetRequest.newBuilder().setKey(key1025).build()), "key-bytes-max");
    assertInvalid(() -> kv().put(PutRequest.newBuilder().setKey(b("big")).setValue(ByteString.copyFrom(new byte[1024 * 1024 + 1])).build()),
        "value-bytes-max");
    BatchRequest.Builder batch = BatchRequest.newBuilder();
    for (int i = 0; i < 1025; i++) {
      batch.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("b1025-" + i)).setValue(b("v"))));
    }
    assertInvalid(() -> kv().batch(batch.build()), "batch-ops-max");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> kv().scan(ScanRequest.newBuilder().setPrefix(b("scan/")).setContinuation(b("garbage!")).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(e).getReason()).isEqualTo("BAD_REQUEST");
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("field", "continuation");
    assertInvalid(() -> kv().scan(ScanRequest.newBuilder().setLimit(10_001).build()), "scan-limit-max");

    assertThat(kv().get(GetRequest.newBuilder().setKey(b("big")).build()).getFound()).isFalse();
    assertThat(kv().get(GetRequest.newBuilder().setKey(b("b1025-0")).build()).getFound()).isFalse();
    // One byte under each limit is fine.
    assertThat(kv().put(PutRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1024])).setValue(ByteString.copyFrom(new byte[1024 * 1024])).build())
        .getVersion()).isPositive();
  }

  private static void assertInvalid(Runnable call, String limit) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("expected INVALID_ARGUMENT for %s", limit).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains(limit).doesNotContain("Exception").doesNotContain("\tat ");
    ErrorInfo info = errorInfo(e);
    assertThat(info.getDomain()).isEqualTo("orchiddb.io");
    assertThat(info.getReason()).isEqualTo("LIMIT_EXCEEDED");
    assertThat(info.getMetadataMap()).containsEntry("limit", limit);
  }

  static ErrorInfo errorInfo(StatusRuntimeException e) {
    return errorInfo(StatusProto.fromThrowable(e));
  }

  static ErrorInfo errorInfo(com.google.rpc.Status s) {
    assertThat(s).isNotNull();
    return s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).findFirst().map(a -> {
      try {
        return a.unpack(ErrorInfo.class);
      } catch (Exception x) {
        throw new AssertionError(x);
      }
    }).orElseThrow();
  }

  @Test
  void clusterStatusShowsShardsLeadersAndIndexes() {
    kv().put(PutRequest.newBuilder().setKey(b("status")).setValue(b("v")).build());
    StatusResponse s = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
    assertThat(s.getMapEpoch()).isPositive();
    assertThat(s.getNodesList()).extracting(n -> n.getId()).containsExactly("n1", "n2", "n3");
    assertThat(s.getNodesList()).allMatch(n -> n.getReachable());
    assertThat(s.getShardsList()).hasSize(4);
    assertThat(s.getShardsList()).allSatisfy(shard -> {
      assertThat(shard.getLeader()).isIn(shard.getReplicasList());
      assertThat(shard.getCommitIndex()).isPositive();
      assertThat(shard.getReplicaAppliedList()).hasSize(3);
      assertThat(shard.getEpoch()).isPositive();
    });
  }

  @Test
  void serverReflectionListsTheApi() throws Exception {
    java.util.concurrent.CompletableFuture<java.util.List<String>> services = new java.util.concurrent.CompletableFuture<>();
    var stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
    var requests = stub.serverReflectionInfo(new io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionResponse>() {
      @Override
      public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
        services.complete(r.getListServicesResponse().getServiceList().stream()
            .map(io.grpc.reflection.v1.ServiceResponse::getName).toList());
      }

      @Override
      public void onError(Throwable t) {
        services.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
      }
    });
    requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
    assertThat(services.get(30, TimeUnit.SECONDS)).contains("orchiddb.v1.KV", "orchiddb.v1.Cluster", "grpc.health.v1.Health");
    requests.onCompleted();
  }

  @Test
  void healthServiceAnswers() {
    HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }
}
