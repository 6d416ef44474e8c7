package io.orchiddb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.orchiddb.node.config.FreePorts;
import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.GroupClient;
import io.orchiddb.node.raft.RaftGroups;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.ScanQuery;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.conf.RaftProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves durability under SIGKILL: three node JVMs take writes from concurrent writers while
 * nodes are killed with SIGKILL (one at a time, so a majority is always up) and restarted on
 * their data directories. Every write that was acknowledged must then be readable, with the
 * version it was acknowledged with, both through the leader and from each restarted node's own
 * state. Writes that failed or timed out are "unknown" and may or may not be there.
 */
class KillNodeIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final int WRITERS = 4;
  /** How long one page of the final scans may take (see scanAll). */
  private static final Duration SCAN_PAGE_WAIT = Duration.ofSeconds(150);

  @TempDir
  Path dir;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Map<Integer, GroupClient> clients = new HashMap<>();

  @AfterEach
  void stopAll() throws Exception {
    for (GroupClient c : clients.values()) {
      c.close();
    }
    for (NodeProcess n : nodes) {
      n.close();
    }
  }

  @Test
  void acknowledgedWritesSurviveSigkillOfAnyMinority() throws Exception {
    List<Member> members = new ArrayList<>();
    StringBuilder peers = new StringBuilder();
    int[] ports = FreePorts.pick(3);
    for (int i = 1; i <= 3; i++) {
      String address = "127.0.0.1:" + ports[i - 1];
      members.add(Member.newBuilder().setId("n" + i).setAddress(address).build());
      peers.append(i > 1 ? "," : "").append("n").append(i).append('=').append(address);
    }
    List<String> args = List.of("--peers", peers.toString(), "--shard-count", "3",
        "--election-timeout-ms", "500", "--snapshot-threshold", "300");
    for (Member m : members) {
      nodes.add(new NodeProcess(m.getId(), dir.resolve(m.getId()), args));
    }
    for (NodeProcess n : nodes) {
      n.start(START);
    }
    ClusterMap layout = ClusterLayout.initial("orchiddb", members, 3, 3);
    ShardMap shards = new ShardMap(layout);
    RaftProperties clientProperties = new RaftProperties();
    for (ShardInfo s : layout.getShardsList()) {
      clients.put(s.getId(), new GroupClient(RaftGroups.shard(layout, s), clientProperties, Duration.ofSeconds(5)));
    }

    Map<String, Long> acked = new ConcurrentHashMap<>();
    AtomicInteger unknown = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writers.add(pool.submit(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = "w" + writer + "-" + i;
          ShardInfo shard = shards.shardFor(key.getBytes(StandardCharsets.UTF_8));
          try {
            byte[] reply = clients.get(shard.getId()).write(put(key, "v" + i).toByteArray()).get(30, TimeUnit.SECONDS);
            acked.put(key, ShardWriteResult.parseFrom(reply).getIndex());
          } catch (Exception e) {
            unknown.incrementAndGet(); // timed out or failed: the outcome is unknown
          }
        }
        return null;
      }));
    }

    // Kill each node in turn while writes are in flight, and bring it back.
    long t0 = System.nanoTime();
    for (NodeProcess victim : nodes) {
      awaitMoreAcks(acked, 100);
      log(t0, "killing " + victim.id() + " at " + acked.size() + " acks");
      victim.kill();
      awaitMoreAcks(acked, 100); // the survivors keep acknowledging writes
      log(t0, "restarting " + victim.id() + " at " + acked.size() + " acks");
      victim.start(START);
      log(t0, "restarted " + victim.id() + " at " + acked.size() + " acks");
    }
    awaitMoreAcks(acked, 100);
    stop.set(true);
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    System.out.printf("KillNodeIT: %d acknowledged writes, %d unknown%n", acked.size(), unknown.get());
    assertThat(acked).hasSizeGreaterThan(600);

    // Every acknowledged write is there with its version: through the leader (a linearizable
    // scan of each shard), and in every replica's own state once it has caught up (each replica
    // was killed once).
    try {
      checkEveryReplica(layout, shards, clientProperties, acked);
    } catch (Throwable t) {
      // The nodes' logs live in the test's temporary directory, which goes with the test.
      for (NodeProcess n : nodes) {
        System.out.printf("KillNodeIT: the last lines of %s's log:%n%s%n", n.id(), n.logTail(60));
      }
      throw t;
    }
  }

  private void checkEveryReplica(ClusterMap layout, ShardMap shards, RaftProperties clientProperties,
      Map<String, Long> acked) throws Exception {
    Map<Integer, Long> lastIndex = new HashMap<>();
    acked.forEach((key, version) -> lastIndex.merge(shardOf(shards, key).getId(), version, Math::max));
    for (ShardInfo shard : layout.getShardsList()) {
      // A replica restarted last may still be catching up: allow it a minute to get there.
      GroupClient client = new GroupClient(RaftGroups.shard(layout, shard), clientProperties, Duration.ofSeconds(60));
      clients.put(100 + shard.getId(), client);
      Map<String, Long> expected = new HashMap<>();
      acked.forEach((key, version) -> {
        if (shardOf(shards, key).getId() == shard.getId()) {
          expected.put(key, version);
        }
      });
      String atLeader = "leader of shard " + shard.getId();
      assertContainsAll(atLeader, scanAll(atLeader, q -> client.read(q)), expected);
      long minIndex = lastIndex.getOrDefault(shard.getId(), 0L);
      for (String replica : shard.getReplicasList()) {
        String atReplica = replica + " for shard " + shard.getId();
        assertContainsAll(atReplica, scanAll(atReplica, q -> client.readStale(q, minIndex, replica)), expected);
      }
    }
  }

  private static void log(long t0, String what) {
    System.out.printf("KillNodeIT +%.1fs: %s%n", (System.nanoTime() - t0) / 1e9, what);
  }

  private static ShardInfo shardOf(ShardMap shards, String key) {
    return shards.shardFor(key.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertContainsAll(String where, Map<String, Long> actual, Map<String, Long> expected) {
    for (var e : expected.entrySet()) {
      assertThat(actual).as("acknowledged key %s at %s", e.getKey(), where).containsKey(e.getKey());
      assertThat(actual.get(e.getKey())).as("version of %s at %s", e.getKey(), where).isEqualTo(e.getValue());
    }
  }

  /** Every key of a shard with its version, read page by page with {@code read}. */
  private static Map<String, Long> scanAll(String where,
      java.util.function.Function<byte[], java.util.concurrent.CompletableFuture<byte[]>> read) throws Exception {
    Map<String, Long> out = new HashMap<>();
    ByteString start = ByteString.EMPTY;
    while (true) {
      byte[] query = ShardRead.newBuilder().setScan(ScanQuery.newBuilder().setStartKey(start).setLimit(1000))
          .build().toByteArray();
      // Longer than the scan client's 60 s request timeout: a Ratis request whose reply is lost
      // (seen once in CI, right after the last restart) waits that out before the client retries
      // it, and a slow read is not what this test is about.
      long asked = System.nanoTime();
      ShardReadResult r = ShardReadResult.parseFrom(read.apply(query).get(SCAN_PAGE_WAIT.toSeconds(), TimeUnit.SECONDS));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
      if (tookMs > 5000) {
        System.out.printf("KillNodeIT: a scan page at %s took %d ms%n", where, tookMs); // to tell stalls from slowness
      }
      for (KeyEntry e : r.getScan().getEntriesList()) {
        out.put(e.getKey().toStringUtf8(), e.getVersion());
      }
      if (!r.getScan().getMore()) {
        return out;
      }
      // Continue just after the last key: append a zero byte.
      start = r.getScan().getEntries(r.getScan().getEntriesCount() - 1).getKey().concat(ByteString.copyFrom(new byte[1]));
    }
  }

  private static void awaitMoreAcks(Map<String, Long> acked, int more) {
    int target = acked.size() + more;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acked.size() < target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("writes stopped being acknowledged: " + acked.size() + " < " + target);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static ShardWrite put(String key, String value) {
    return ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addOps(WriteOp.newBuilder().setPut(
        PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)))))
        .build();
  }
}
