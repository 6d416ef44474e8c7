package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.SessionToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's cache of EVENTUAL reads, on a real 3-node cluster with two routers: router A with
 * the default cache (100 ms), router B with none. A hot key's repeated eventual reads are answered
 * by A without a replica; STRONG and SESSION reads never are; a write through A is never hidden by
 * an older cached answer; a write through B reaches A's eventual readers once the TTL has passed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadCacheIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private Router uncached;
  private ManagedChannel channelA;
  private ManagedChannel channelB;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "2", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0"));
    RouterConfig a = cluster.routerConfig();
    assertThat(a.readCacheTtl()).hasMillis(100);
    uncached = Router.start(a.onFreePortsWithReadCacheTtl(Duration.ZERO));
    channelA = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
    channelB = NettyChannelBuilder.forAddress("127.0.0.1", uncached.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    channelA.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    channelB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    uncached.close();
    cluster.close();
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel channel) {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static GetResponse get(ManagedChannel channel, String key, Consistency level, SessionToken session) {
    return kv(channel).get(GetRequest.newBuilder().setKey(b(key)).setConsistency(level).setSession(session).build());
  }

  private static GetResponse eventual(ManagedChannel channel, String key) {
    return get(channel, key, Consistency.EVENTUAL, SessionToken.getDefaultInstance());
  }

  private static PutResponse put(ManagedChannel channel, String key, String value) {
    return kv(channel).put(PutRequest.newBuilder().setKey(b(key)).setValue(b(value)).build());
  }

  private static long deadline() {
    return System.nanoTime() + PATIENCE.toNanos();
  }

  @Test
  void aHotKeysEventualReadsAreAnsweredFromTheCacheAsTheReplicaAnswered() {
    PutResponse p = put(channelA, "rc/hot", "h1");
    // Reads in pairs until the second of a pair comes from the cache (the first fills it once a
    // replica has applied the write; a pause longer than the TTL between the two only costs a pair).
    GetResponse first = null;
    GetResponse second = null;
    for (long deadline = deadline(); System.nanoTime() < deadline; ) {
      first = eventual(channelA, "rc/hot");
      second = eventual(channelA, "rc/hot");
      if (second.getRead().getCached()) {
        break;
      }
    }
    assertThat(second.getRead().getCached()).as("a repeated eventual read answered by the cache").isTrue();
    assertThat(second.getKv().getValue().toStringUtf8()).isEqualTo("h1");
    assertThat(second.getKv().getVersion()).isEqualTo(p.getVersion());
    assertThat(second.getRead().getServedBy()).isIn("n1", "n2", "n3");
    assertThat(second.getRead().getAppliedIndex()).isGreaterThanOrEqualTo(p.getVersion());
    // Its session token covers what the cached read saw, as a replica's answer would.
    long applied = second.getRead().getAppliedIndex();
    assertThat(second.getSession().getSeenList()).anySatisfy(s -> assertThat(s.getIndex()).isEqualTo(applied));

    // GetMany's eventual keys use the same cache; an absent key is an answer too.
    GetManyResponse many = null;
    for (long deadline = deadline(); System.nanoTime() < deadline; ) {
      GetManyRequest req = GetManyRequest.newBuilder().setConsistency(Consistency.EVENTUAL)
          .addKeys(b("rc/hot")).addKeys(b("rc/absent")).build();
      kv(channelA).getMany(req);
      many = kv(channelA).getMany(req);
      if (many.getResults(0).getRead().getCached() && many.getResults(1).getRead().getCached()) {
        break;
      }
    }
    assertThat(many.getResults(0).getRead().getCached()).isTrue();
    assertThat(many.getResults(0).getKv().getValue().toStringUtf8()).isEqualTo("h1");
    assertThat(many.getResults(1).getRead().getCached()).isTrue();
    assertThat(many.getResults(1).getFound()).isFalse();
  }

  @Test
  void strongAndSessionReadsAndARouterWithoutTheCacheNeverAnswerFromIt() {
    PutResponse p = put(channelA, "rc/levels", "x");
    for (int i = 0; i < 20; i++) {
      for (Consistency level : new Consistency[] {Consistency.STRONG, Consistency.SESSION}) {
        GetResponse g = get(channelA, "rc/levels", level, p.getSession());
        assertThat(g.getRead().getCached()).as("%s read %d", level, i).isFalse();
        assertThat(g.getKv().getVersion()).isEqualTo(p.getVersion());
      }
      assertThat(eventual(channelB, "rc/levels").getRead().getCached()).as("router without a cache").isFalse();
    }
  }

  @Test
  void aWriteThroughTheRouterIsNeverHiddenByAnOlderCachedAnswer() {
    for (int i = 0; i < 10; i++) {
      // Fill the cache with the current value, then write a new one and read until the cache
      // answers again: every cached answer from then on has the write. (Uncached answers may
      // still be older: a follower that has not applied the write yet, as eventual reads allow;
      // such an answer is not cached, since it predates the write.)
      eventual(channelA, "rc/own");
      eventual(channelA, "rc/own");
      PutResponse p = put(channelA, "rc/own", "v" + i);
      GetResponse g = null;
      for (long deadline = deadline(); System.nanoTime() < deadline; ) {
        g = eventual(channelA, "rc/own");
        if (g.getRead().getCached()) {
          assertThat(g.getKv().getVersion()).as("write %d", i).isEqualTo(p.getVersion());
          assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
          break;
        }
      }
      assertThat(g.getRead().getCached()).as("write %d: the cache answered again", i).isTrue();
    }
  }

  @Test
  void aWriteThroughAnotherRouterReachesEventualReadersOnceTheTtlHasPassed() {
    put(channelA, "rc/other", "old");
    boolean cachedOld = false;
    for (long deadline = deadline(); System.nanoTime() < deadline && !cachedOld; ) {
      GetResponse g = eventual(channelA, "rc/other");
      cachedOld = g.getRead().getCached() && g.getKv().getValue().toStringUtf8().equals("old");
    }
    assertThat(cachedOld).as("router A cached the old value").isTrue();

    put(channelB, "rc/other", "new"); // router A does not see this write
    String seen = "";
    for (long deadline = deadline(); System.nanoTime() < deadline && !seen.equals("new"); ) {
      seen = eventual(channelA, "rc/other").getKv().getValue().toStringUtf8();
    }
    assertThat(seen).as("router A's eventual read after the TTL").isEqualTo("new");
  }
}
