package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.RaftGroups;
import io.orchiddb.router.shard.LocalNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes a router inside a node submits to that node in-process while it leads the shard, on a
 * real 3-node cluster with one shard (n1 leads it: the first replica has Raft priority), with a
 * router in each node's JVM.
 *
 * <p>Can fail: without the in-process path n1's counter stays at 0; without the leadership check
 * n2's counts too. The leader changes twice while writes are in flight: n1 is cut off from the
 * others (Ratis's append-entries and vote calls between n1 and the others fail), and later the
 * lead is handed back to n1. Writes a leader took but could not answer are sent again where the
 * lead went, with the same call id: checked here is that every key written once answers with
 * the version its write was acknowledged with and was acknowledged without a previous version
 * (a write applied twice breaks one or the other). The window in which a new call id would apply
 * a write twice (its entry committed, the leader gone before answering) is too narrow to hit on
 * purpose here; GroupChannelLocalWritesTest pins the call id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalWritesIT {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  /** {@code RaftServerImpl.APPEND_ENTRIES} and {@code REQUEST_VOTE}: the class is package-private in Ratis. */
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final Pattern LOCAL_WRITES = Pattern.compile("(?m)^orchiddb_router_local_writes_total (\\S+)$");
  private static final Pattern RESENT = Pattern.compile("(?m)^orchiddb_router_local_writes_resent_total (\\S+)$");

  @TempDir
  static Path dir;

  private DevCluster cluster;
  private final Map<String, Router> routers = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private ManagedChannel toRouter;
  private RaftGroup group;
  private RaftGroupId shard;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "1", "election-timeout-ms", "300"),
        Map.of("grpc-port", "0", "http-port", "0"));
    for (String node : List.of("n1", "n2", "n3")) {
      Router router = embedded(node);
      routers.put(node, router);
      channels.put(node, NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build());
    }
    toRouter = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
    ShardMap map = new ShardMap(cluster.node("n1").initialLayout());
    group = RaftGroups.shard(map.clusterMap(), map.shards().get(0));
    shard = group.getGroupId();
    await("n1 to lead the shard", () -> leads("n1"));
  }

  private Router embedded(String node) throws Exception {
    Router router = Router.start(cluster.routerConfig().onFreePortsWithReadCacheTtl(Duration.ZERO),
        LocalNode.of(cluster.node(node)));
    router.awaitReady(Duration.ofSeconds(60));
    return router;
  }

  @AfterEach
  void heal() {
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    CodeInjectionForTesting.remove(REQUEST_VOTE);
  }

  @AfterAll
  void stop() throws Exception {
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    if (toRouter != null) {
      all.add(toRouter);
    }
    for (ManagedChannel c : all) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Router r : routers.values()) {
      r.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private boolean leads(String node) {
    try {
      var status = cluster.node(node).status(shard);
      return status != null && status.leader();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(20); // polling interval, not a wait for the condition itself
    }
  }

  private static double counter(Router router, Pattern name) {
    Matcher m = name.matcher(router.metrics().scrape());
    assertThat(m.find()).as("the counter %s is served", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel channel) {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static PutResponse put(ManagedChannel channel, String key, String value) {
    return kv(channel).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build());
  }

  private GetResponse strong(String key) {
    return kv(toRouter).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setConsistency(Consistency.STRONG).build());
  }

  @Test
  void writesToAShardItsNodeLeadsAreSubmittedInProcess() throws Exception {
    await("n1 to lead the shard", () -> leads("n1"));
    put(channels.get("n1"), "lw/first", "x"); // n1's router looks the shard's division up on its first write
    double n1Before = counter(routers.get("n1"), LOCAL_WRITES);
    double n2Before = counter(routers.get("n2"), LOCAL_WRITES);
    List<PutResponse> viaN1 = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      viaN1.add(put(channels.get("n1"), "lw/a" + i, "v" + i));
      put(channels.get("n2"), "lw/b" + i, "w" + i);
    }
    assertThat(counter(routers.get("n1"), LOCAL_WRITES) - n1Before).as("entries n1's router submitted in-process").isGreaterThanOrEqualTo(20);
    assertThat(counter(routers.get("n2"), LOCAL_WRITES) - n2Before).as("n2 does not lead: its router uses Ratis's client").isZero();
    for (int i = 0; i < 20; i++) {
      GetResponse a = strong("lw/a" + i);
      assertThat(a.getKv().getValue().toStringUtf8()).isEqualTo("v" + i);
      assertThat(a.getKv().getVersion()).isEqualTo(viaN1.get(i).getVersion());
      assertThat(strong("lw/b" + i).getKv().getValue().toStringUtf8()).isEqualTo("w" + i);
    }
  }

  @Test
  void writesInFlightWhenTheLeaderChangesAreAppliedOnce() throws Exception {
    await("n1 to lead the shard", () -> leads("n1"));
    double resentBefore = resent();
    Map<String, PutResponse> acknowledged = new ConcurrentHashMap<>();
    LongAdder failed = new LongAdder();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<ManagedChannel> target = new AtomicReference<>(channels.get("n1"));
    ExecutorService writers = Executors.newFixedThreadPool(8);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      running.add(writers.submit(() -> {
        for (int i = 0; writing.get(); i++) {
          String key = "lw/c" + thread + "-" + i;
          try {
            acknowledged.put(key, put(target.get(), key, "x"));
          } catch (StatusRuntimeException e) {
            failed.increment(); // the outcome may be unknown; checked below only for acknowledged keys
          }
        }
      }));
    }
    try {
      await("writes through n1's router", () -> acknowledged.size() >= 200);
      // n1 is cut off from the others: it goes on taking writes until it notices, then fails
      // them as not the leader; the others elect a leader, which is where those writes go next.
      CodeInjectionForTesting.Code across = (local, remote, args) -> {
        if (String.valueOf(local).equals("n1") != String.valueOf(remote).equals("n1")) {
          throw new IllegalStateException("partitioned: " + local + " from " + remote);
        }
        return false;
      };
      CodeInjectionForTesting.put(APPEND_ENTRIES, across);
      CodeInjectionForTesting.put(REQUEST_VOTE, across);
      await("a leader on the majority side", () -> leads("n2") || leads("n3"));
      String next = leads("n2") ? "n2" : "n3";
      int during = acknowledged.size();
      await("writes acknowledged by the new leader", () -> acknowledged.size() >= during + 200);

      // Healed, the writers move to the new leader's router, which submits in-process; then the
      // lead goes back to n1 while they write. Entries the old leader had sent n1 commit under
      // n1: sent again with their call ids, n1's retry cache answers them.
      heal();
      target.set(channels.get(next));
      int moved = acknowledged.size();
      await("writes through " + next + "'s router", () -> acknowledged.size() >= moved + 200);
      try (RaftClient admin = RaftClient.newBuilder().setRaftGroup(group).setProperties(cluster.node("n1").raftProperties())
          .build()) {
        await("n1 to lead again", () -> {
          if (!leads("n1")) {
            try {
              admin.admin().transferLeadership(RaftPeerId.valueOf("n1"), 5_000);
            } catch (IOException e) {
              // Not yet (n1 still catching up): try again.
            }
          }
          return leads("n1");
        });
      }
      int back = acknowledged.size();
      await("writes after n1 leads again", () -> acknowledged.size() >= back + 200);
    } finally {
      writing.set(false);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      writers.shutdown();
    }
    assertThat(resent() - resentBefore).as("writes sent again after their node stopped leading").isPositive();
    assertThat(failed.sum()).as("writes whose outcome is unknown").isLessThan(acknowledged.size() / 10);
    acknowledged.forEach((key, ack) -> {
      assertThat(ack.getPreviousVersion()).as("%s was written once", key).isZero();
      GetResponse now = strong(key);
      assertThat(now.getKv().getVersion()).as("%s's version is the one its write was acknowledged with", key)
          .isEqualTo(ack.getVersion());
    });
  }

  private double resent() {
    return routers.values().stream().mapToDouble(r -> counter(r, RESENT)).sum();
  }
}
