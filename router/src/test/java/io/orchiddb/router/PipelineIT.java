package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.orchiddb.api.v1.Absent;
import io.orchiddb.api.v1.Condition;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PipelineOp;
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.PipelineResult;
import io.orchiddb.api.v1.PutRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code KV/Pipeline} stream end to end, through raw generated stubs: a real 3-node cluster
 * and router on loopback. Each op is served as its unary call would be and answered by id; bad ops
 * get the unary call's errors; the per-message and in-flight limits refuse the one op over them
 * with LIMIT_EXCEEDED and write nothing for it; a half-closed stream ends after its last answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private ManagedChannel channel;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "3", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0"));
    channel = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    cluster.close();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** One stream: what it received, in order, and whether and how it ended. */
  private static class Stream implements StreamObserver<PipelineResponse> {
    final LinkedBlockingQueue<PipelineResponse> messages = new LinkedBlockingQueue<>();
    /** Messages {@link #results} has taken so far. */
    int messagesRead;
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Status endedWith;
    StreamObserver<PipelineRequest> requests;

    Stream open(ManagedChannel channel) {
      requests = KVGrpc.newStub(channel).pipeline(this);
      return this;
    }

    void send(PipelineOp.Builder... ops) {
      PipelineRequest.Builder message = PipelineRequest.newBuilder();
      for (PipelineOp.Builder op : ops) {
        message.addOps(op);
      }
      requests.onNext(message.build());
    }

    /** Waits (up to {@link #WAIT}) until results for {@code count} ops have come; by id. */
    Map<Long, PipelineResult> results(int count) throws InterruptedException {
      Map<Long, PipelineResult> byId = new HashMap<>();
      long until = System.nanoTime() + WAIT.toNanos();
      while (byId.size() < count) {
        PipelineResponse m = messages.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(m).as("results of %d ops within %s; got %d", count, WAIT, byId.size()).isNotNull();
        messagesRead++;
        for (PipelineResult r : m.getResultsList()) {
          assertThat(byId.put(r.getId(), r)).as("op %d answered twice", r.getId()).isNull();
        }
      }
      return byId;
    }

    @Override
    public void onNext(PipelineResponse value) {
      messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
      endedWith = Status.fromThrowable(t);
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      endedWith = Status.OK;
      ended.countDown();
    }
  }

  /** A stream whose client takes no result until {@link #startReading}, as a stalled client would. */
  private static final class NotReading extends Stream
      implements ClientResponseObserver<PipelineRequest, PipelineResponse> {
    private ClientCallStreamObserver<PipelineRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<PipelineRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(0);
    }

    void startReading() {
      call.request(Integer.MAX_VALUE);
    }
  }

  private static PipelineOp.Builder put(long id, String key, String value) {
    return PipelineOp.newBuilder().setId(id).setPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value)));
  }

  private static PipelineOp.Builder get(long id, String key) {
    return PipelineOp.newBuilder().setId(id)
        .setGet(GetRequest.newBuilder().setKey(b(key)).setConsistency(Consistency.STRONG));
  }

  private static ErrorInfo info(PipelineResult r) throws InvalidProtocolBufferException {
    assertThat(r.hasError()).as("op %d failed", r.getId()).isTrue();
    return r.getError().getDetails(0).unpack(ErrorInfo.class);
  }

  @Test
  void eachOpIsServedAsItsCallWouldBeAndAnsweredByItsId() throws Exception {
    Stream s = new Stream().open(channel);
    s.send(put(1, "p/a", "1"),
        put(2, "p/b", "2").setTimeoutUs(20_000_000),
        PipelineOp.newBuilder().setId(3).setPut(PutRequest.newBuilder().setKey(b("p/b")).setValue(b("3"))
            .setCondition(Condition.newBuilder().setAbsent(Absent.getDefaultInstance()))),
        PipelineOp.newBuilder().setId(4).setPut(PutRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1025]))),
        PipelineOp.newBuilder().setId(5));
    Map<Long, PipelineResult> r = s.results(5);

    assertThat(r.get(1L).getPut().getVersion()).isPositive();
    assertThat(r.get(2L).getPut().getVersion()).isPositive();
    assertThat(r.get(3L).getError().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
    assertThat(info(r.get(3L)).getReason()).isEqualTo("CONDITION_FAILED");
    assertThat(info(r.get(3L)).getMetadataMap()).containsEntry("current_version",
        String.valueOf(r.get(2L).getPut().getVersion()));
    assertThat(r.get(4L).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(info(r.get(4L)).getMetadataMap()).containsEntry("limit", "key-bytes-max");
    assertThat(info(r.get(5L)).getReason()).isEqualTo("BAD_REQUEST");
    assertThat(info(r.get(5L)).getMetadataMap()).containsEntry("field", "op");

    s.send(get(6, "p/b"), PipelineOp.newBuilder().setId(7).setDelete(DeleteRequest.newBuilder().setKey(b("p/a"))));
    r = s.results(2);
    assertThat(r.get(6L).getGet().getKv().getValue().toStringUtf8()).isEqualTo("2");
    assertThat(r.get(6L).getGet().getKv().getVersion()).isEqualTo(r.get(6L).getGet().getKv().getCreateVersion());
    assertThat(r.get(7L).getDelete().getDeleted()).isTrue();
  }

  @Test
  void theResultsOfOpsAnsweredTogetherLeaveTogether() throws Exception {
    Stream s = new Stream().open(channel);
    PipelineOp.Builder[] ops = new PipelineOp.Builder[60];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = put(100 + i, "together/" + i, "x");
    }
    s.send(ops);
    assertThat(s.results(60).values()).allMatch(PipelineResult::hasPut);
    // 60 puts over 3 shards share a few Raft entries; the answers of one entry leave as one message.
    assertThat(s.messagesRead).as("messages for 60 results").isLessThanOrEqualTo(12);
  }

  @Test
  void opsRefusedAtOnceAreAnsweredInOneMessage() throws Exception {
    Stream s = new Stream().open(channel);
    s.send(PipelineOp.newBuilder().setId(1).setPut(PutRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1025]))),
        PipelineOp.newBuilder().setId(2).setGet(GetRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1025]))),
        PipelineOp.newBuilder().setId(3));
    assertThat(s.results(3).values()).allMatch(PipelineResult::hasError);
    assertThat(s.messagesRead).isEqualTo(1);
  }

  @Test
  void aMessageOfOneOpOverTheLimitIsRefusedOpByOpAndWritesNothing() throws Exception {
    Stream s = new Stream().open(channel);
    PipelineOp.Builder[] over = new PipelineOp.Builder[1025];
    for (int i = 0; i < over.length; i++) {
      over[i] = put(i, "over/" + i, "x");
    }
    s.send(over);
    Map<Long, PipelineResult> r = s.results(1025);
    for (PipelineResult result : r.values()) {
      assertThat(info(result).getMetadataMap()).containsEntry("limit", "pipeline-message-ops-max");
    }
    s.send(get(2000, "over/0"), get(2001, "over/1024"));
    r = s.results(2);
    assertThat(r.get(2000L).getGet().getFound()).isFalse();
    assertThat(r.get(2001L).getGet().getFound()).isFalse();

    // At the limit, every op is served.
    PipelineOp.Builder[] at = new PipelineOp.Builder[1024];
    for (int i = 0; i < at.length; i++) {
      at[i] = put(3000 + i, "at/" + i, "x");
    }
    s.send(at);
    assertThat(s.results(1024).values()).allMatch(PipelineResult::hasPut);
  }

  @Test
  void theOpOverTheStreamsInFlightLimitIsRefusedAtOnce() throws Exception {
    // A router of a cluster that does not exist: its ops wait for a cluster map until their timeout.
    RouterConfig nowhere = RouterConfig.parse(Map.of("peers", "n1=127.0.0.1:1", "grpc-port", "0", "http-port", "0",
        "listen-host", "127.0.0.1"));
    try (Router router = Router.start(nowhere)) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
      try {
        Stream s = new Stream().open(ch);
        for (int m = 0; m < 4; m++) {
          PipelineOp.Builder[] ops = new PipelineOp.Builder[1024];
          for (int i = 0; i < ops.length; i++) {
            ops[i] = put(m * 1024 + i, "k" + i, "v").setTimeoutUs(20_000_000);
          }
          s.send(ops);
        }
        s.send(put(4096, "one-more", "v"));
        Map<Long, PipelineResult> r = s.results(1);
        assertThat(r).containsOnlyKeys(4096L);
        assertThat(info(r.get(4096L)).getMetadataMap()).containsEntry("limit", "pipeline-inflight-max");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aHalfClosedStreamEndsOnceItsLastOpIsAnswered() throws Exception {
    Stream s = new Stream().open(channel);
    s.send(put(1, "hc/a", "1"), put(2, "hc/b", "2"));
    s.requests.onCompleted();
    assertThat(s.results(2).values()).allMatch(PipelineResult::hasPut);
    assertThat(s.ended.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(s.endedWith.getCode()).isEqualTo(Status.Code.OK);
  }

  private static final int BIG_VALUE_BYTES = 900 * 1024;

  private void putBig(String key) {
    KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder()
        .setKey(b(key)).setValue(ByteString.copyFrom(new byte[BIG_VALUE_BYTES])).build());
  }

  private boolean found(String key) {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .get(GetRequest.newBuilder().setKey(b(key)).setConsistency(Consistency.STRONG).build()).getFound();
  }

  @Test
  void largeResultsAreSpreadOverMessagesThatAnyClientAccepts() throws Exception {
    putBig("pipe/big");
    // This channel keeps gRPC's default 4 MiB inbound limit: 8 results of 900 KiB in one message
    // would end the stream with RESOURCE_EXHAUSTED.
    Stream s = new Stream().open(channel);
    PipelineOp.Builder[] gets = new PipelineOp.Builder[8];
    for (int i = 0; i < gets.length; i++) {
      gets[i] = get(i + 1, "pipe/big");
    }
    s.send(gets);
    Map<Long, PipelineResult> results = s.results(gets.length);
    for (PipelineResult r : results.values()) {
      assertThat(r.getGet().getKv().getValue().size()).isEqualTo(BIG_VALUE_BYTES);
    }
    assertThat(s.endedWith).as("the stream is still open").isNull();
    s.requests.onCompleted();
    assertThat(s.ended.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(s.endedWith).isEqualTo(Status.OK);
  }

  /**
   * A client that stops reading results stops having its ops read: the router takes the message it
   * had asked for, then no more until the results can leave. The client's window is fixed at 1 MiB
   * (no automatic tuning), so 16 results of 900 KiB cannot leave while it reads nothing.
   */
  @Test
  void aClientThatStopsReadingResultsStopsHavingItsOpsRead() throws Exception {
    putBig("pipe/fc-big");
    ManagedChannel small = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext()
        .flowControlWindow(1 << 20).build();
    try {
      NotReading s = new NotReading();
      s.open(small);
      PipelineOp.Builder[] gets = new PipelineOp.Builder[16];
      for (int i = 0; i < gets.length; i++) {
        gets[i] = get(i + 1, "pipe/fc-big");
      }
      double before = strongGetsServed();
      s.send(gets);
      awaitTrue("the router answered the 16 gets", () -> strongGetsServed() >= before + gets.length);
      // The router asked for the next message before it answered the gets: this one is read.
      s.send(put(100, "pipe/fc-first", "v"));
      awaitTrue("the put the router had asked for is applied", () -> found("pipe/fc-first"));
      // Now the results wait on the router's side, and it asks for nothing more.
      s.send(put(101, "pipe/fc-held", "v"));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < until) {
        assertThat(found("pipe/fc-held")).as("a put sent while the client reads no results").isFalse();
        TimeUnit.MILLISECONDS.sleep(50);
      }
      s.startReading();
      Map<Long, PipelineResult> results = s.results(gets.length + 2);
      assertThat(results.get(101L).hasPut()).isTrue();
      assertThat(found("pipe/fc-held")).isTrue();
    } finally {
      small.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Strong gets the router has answered successfully so far (its /metrics). */
  private double strongGetsServed() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^orchiddb_router_requests_seconds_count"
        + "\\{consistency=\"strong\",op=\"get\",outcome=\"ok\"} (\\S+)$").matcher(cluster.router().metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < until).as(what + " within " + WAIT).isTrue();
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
