package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.orchiddb.router.shard.LocalNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routers inside nodes ({@code orchiddb node --router}), on a real 3-node cluster with 2 shards:
 * one router in n2's JVM and one in n3's, each with the read cache off. Every EVENTUAL read
 * through each is served by its own node, in-process (the local-read counter counts them); a
 * multi-shard GetMany too (the node's ReadMany, in-process); writes, STRONG and SESSION reads
 * through them work as through any router. A router given a node that is not one of its peers is
 * refused at start.
 *
 * <p>Can fail: without the home preference each router picks a replica at random (about one
 * chance in 81 that both pick their own node in each of two choices); without the in-process
 * path the counters stay at 0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedRouterIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final Pattern LOCAL_READS = Pattern.compile("(?m)^orchiddb_router_local_reads_total (\\S+)$");

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private Router inN2;
  private Router inN3;
  private ManagedChannel toN2;
  private ManagedChannel toN3;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "2", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0"));
    inN2 = embedded("n2");
    inN3 = embedded("n3");
    toN2 = NettyChannelBuilder.forAddress("127.0.0.1", inN2.grpcPort()).usePlaintext().build();
    toN3 = NettyChannelBuilder.forAddress("127.0.0.1", inN3.grpcPort()).usePlaintext().build();
  }

  private Router embedded(String node) throws Exception {
    Router router = Router.start(uncached(), LocalNode.of(cluster.node(node)));
    router.awaitReady(Duration.ofSeconds(60));
    return router;
  }

  /** The cluster's router settings on free ports, without the read cache (every read reaches a replica). */
  private RouterConfig uncached() {
    return cluster.routerConfig().onFreePortsWithReadCacheTtl(Duration.ZERO);
  }

  @AfterAll
  void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {toN2, toN3}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (Router r : new Router[] {inN2, inN3}) {
      if (r != null) {
        r.close();
      }
    }
    cluster.close();
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel channel) {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static GetResponse get(ManagedChannel channel, String key, Consistency level) {
    return kv(channel).get(GetRequest.newBuilder().setKey(b(key)).setConsistency(level).build());
  }

  private static double localReads(Router router) {
    Matcher m = LOCAL_READS.matcher(router.metrics().scrape());
    assertThat(m.find()).as("the local-read counter is served").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void eventualReadsAreServedByTheRoutersOwnNodeInProcess() {
    for (int i = 0; i < 8; i++) {
      kv(toN2).put(PutRequest.newBuilder().setKey(b("er/" + i)).setValue(b("v" + i)).build());
    }
    // Until both nodes have applied the writes, an eventual read may not see them yet.
    for (long deadline = System.nanoTime() + PATIENCE.toNanos(); ; ) {
      boolean seen = true;
      for (int i = 0; i < 8; i++) {
        seen &= get(toN2, "er/" + i, Consistency.EVENTUAL).getFound() && get(toN3, "er/" + i, Consistency.EVENTUAL).getFound();
      }
      if (seen) {
        break;
      }
      assertThat(System.nanoTime()).as("n2 and n3 apply the writes").isLessThan(deadline);
    }
    double n2Before = localReads(inN2);
    double n3Before = localReads(inN3);
    // More reads than StaleReadTarget.REPICK_READS, so each router chooses its replica at least twice.
    int reads = 600;
    for (int r = 0; r < reads; r++) {
      String key = "er/" + (r % 8);
      GetResponse viaN2 = get(toN2, key, Consistency.EVENTUAL);
      GetResponse viaN3 = get(toN3, key, Consistency.EVENTUAL);
      assertThat(viaN2.getRead().getServedBy()).as("read %d through n2's router", r).isEqualTo("n2");
      assertThat(viaN3.getRead().getServedBy()).as("read %d through n3's router", r).isEqualTo("n3");
      assertThat(viaN2.getKv().getValue().toStringUtf8()).isEqualTo("v" + (r % 8));
      assertThat(viaN3.getRead().getCached()).isFalse();
    }
    assertThat(localReads(inN2) - n2Before).isGreaterThanOrEqualTo(reads);
    assertThat(localReads(inN3) - n3Before).isGreaterThanOrEqualTo(reads);

    // The keys of both shards at once: one ReadMany to the node, in-process.
    GetManyRequest.Builder many = GetManyRequest.newBuilder().setConsistency(Consistency.EVENTUAL);
    for (int i = 0; i < 8; i++) {
      many.addKeys(b("er/" + i));
    }
    GetManyResponse all = kv(toN3).getMany(many.build());
    assertThat(all.getResultsList()).hasSize(8).allSatisfy(g -> {
      assertThat(g.getFound()).isTrue();
      assertThat(g.getRead().getServedBy()).isEqualTo("n3");
    });
  }

  @Test
  void writesAndStrongAndSessionReadsWorkAsThroughAnyRouter() {
    PutResponse p = kv(toN3).put(PutRequest.newBuilder().setKey(b("er/levels")).setValue(b("x")).build());
    GetResponse strong = get(toN2, "er/levels", Consistency.STRONG);
    assertThat(strong.getKv().getVersion()).isEqualTo(p.getVersion());
    GetResponse session = kv(toN3).get(GetRequest.newBuilder().setKey(b("er/levels"))
        .setConsistency(Consistency.SESSION).setSession(p.getSession()).build());
    assertThat(session.getKv().getValue().toStringUtf8()).isEqualTo("x");
    assertThat(session.getRead().getAppliedIndex()).isGreaterThanOrEqualTo(p.getVersion());
  }

  @Test
  void aNodeThatIsNotOneOfThePeersIsRefused() {
    LocalNode stranger = new LocalNode("n9", new LocalNode.Reads() {
      @Override
      public CompletableFuture<byte[]> read(byte[] request) {
        throw new AssertionError("never asked");
      }

      @Override
      public CompletableFuture<byte[]> readMany(byte[] batch) {
        throw new AssertionError("never asked");
      }
    });
    assertThatThrownBy(() -> Router.start(uncached(), stranger)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node n9 is not one of the router's peers");
  }
}
