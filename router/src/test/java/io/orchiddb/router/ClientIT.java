package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.client.BatchOp;
import io.orchiddb.client.BatchResult;
import io.orchiddb.client.ClusterStatus;
import io.orchiddb.client.Condition;
import io.orchiddb.client.ConditionFailedException;
import io.orchiddb.client.Consistency;
import io.orchiddb.client.DeleteResult;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.InvalidArgumentException;
import io.orchiddb.client.KeyValue;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.PutOutcome;
import io.orchiddb.client.PutResult;
import io.orchiddb.client.ReadOptions;
import io.orchiddb.client.ScanIterator;
import io.orchiddb.client.ScanSpec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * Proves the Java SDK against a real cluster: 3 nodes with 4 shards and a router on loopback.
 * Every client call (sync and async), each consistency level, session reads served by followers
 * that always see the client's own writes, the scan iterator across pages and shards, typed
 * exceptions for bad input and failed conditions, and failover from a dead router endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientIT {
  @TempDir
  static Path dir;

  private DevCluster cluster;
  private OrchidClient client;

  @BeforeAll
  void start() throws Exception {
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "4", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0"));
    client = OrchidClient.builder().endpoints(cluster.grpcTarget()).defaultDeadline(Duration.ofSeconds(30)).build();
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    cluster.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putGetDeleteAndConditions() {
    PutResult p = client.put("sdk/a", "1");
    assertThat(p.version()).isPositive();
    GetResult g = client.get("sdk/a");
    assertThat(g.found()).isTrue();
    assertThat(g.keyValue().orElseThrow().valueUtf8()).isEqualTo("1");
    assertThat(g.readInfo().servedBy()).isIn("n1", "n2", "n3");

    assertThatThrownBy(() -> client.put(utf8("sdk/a"), utf8("2"), Condition.absent()))
        .isInstanceOfSatisfying(ConditionFailedException.class, e -> assertThat(e.currentVersion()).isEqualTo(p.version()));
    PutResult cas = client.put(utf8("sdk/a"), utf8("3"), Condition.versionEquals(p.version()));
    assertThat(cas.previousVersion()).isEqualTo(p.version());
    assertThatThrownBy(() -> client.delete(utf8("sdk/a"), Condition.valueEquals(utf8("nope"))))
        .isInstanceOf(ConditionFailedException.class);
    DeleteResult d = client.delete(utf8("sdk/a"), Condition.valueEquals(utf8("3")));
    assertThat(d.deleted()).isTrue();
    assertThat(client.get("sdk/a").found()).isFalse();
  }

  @Test
  void asyncCallsMatchTheSyncOnes() throws Exception {
    PutResult p = client.putAsync(utf8("sdk/async"), utf8("x")).get(30, TimeUnit.SECONDS);
    GetResult g = client.getAsync(utf8("sdk/async")).get(30, TimeUnit.SECONDS);
    assertThat(g.keyValue().orElseThrow().version()).isEqualTo(p.version());
    assertThat(client.deleteAsync(utf8("sdk/async")).get(30, TimeUnit.SECONDS).deleted()).isTrue();
  }

  @Test
  void everyConsistencyLevel() {
    client.put("sdk/levels", "v");
    for (Consistency c : Consistency.values()) {
      GetResult g = client.get(utf8("sdk/levels"), ReadOptions.of(c));
      assertThat(g.readInfo().servedBy()).as(c.name()).isIn("n1", "n2", "n3");
      if (c != Consistency.EVENTUAL) {
        assertThat(g.found()).as(c.name()).isTrue();
      }
    }
  }

  @Test
  void sessionReadsSeeOwnWritesEvenFromFollowers() {
    Set<String> servedBy = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      PutResult p = client.put("sdk/session", "v" + i);
      GetResult g = client.get(utf8("sdk/session"), ReadOptions.of(Consistency.SESSION));
      KeyValue kv = g.keyValue().orElseThrow();
      assertThat(kv.valueUtf8()).as("read %s", i).isEqualTo("v" + i);
      assertThat(kv.version()).isEqualTo(p.version());
      servedBy.add(g.readInfo().servedBy());
    }
    // Right after a write a follower may not yet know it is committed, so that read goes to the
    // leader; once followers know, session reads spread over the replicas and still see it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (servedBy.size() < 2 && System.nanoTime() < deadline) {
      GetResult g = client.get(utf8("sdk/session"), ReadOptions.of(Consistency.SESSION));
      assertThat(g.keyValue().orElseThrow().valueUtf8()).isEqualTo("v59");
      servedBy.add(g.readInfo().servedBy());
    }
    assertThat(servedBy).as("replicas that served session reads").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void batchAndScanAcrossShards() {
    List<BatchOp> ops = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ops.add(BatchOp.put(utf8(String.format("sdk/scan/%04d", i)), utf8("v" + i)));
    }
    List<BatchResult> results = client.batch(ops);
    assertThat(results).hasSize(500).allMatch(r -> r.outcome() == BatchResult.Outcome.APPLIED);

    ScanIterator it = client.scan(ScanSpec.prefix("sdk/scan/").withPageSize(120));
    List<String> keys = new ArrayList<>();
    it.forEachRemaining(kv -> keys.add(kv.keyUtf8()));
    assertThat(keys).hasSize(500).isSorted();
    assertThat(keys.get(0)).isEqualTo("sdk/scan/0000");
    assertThat(it.pagesFetched()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void concurrentGetsEachEndWithTheirOwnResult() throws Exception {
    // The SDK sends concurrent gets together (GetMany); a bad key among them must fail alone.
    List<BatchOp> ops = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ops.add(BatchOp.put(utf8("sdk/many/" + i), utf8("v" + i)));
    }
    assertThat(client.batch(ops)).allMatch(BatchResult::applied);
    List<java.util.concurrent.CompletableFuture<GetResult>> gets = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      Consistency level = Consistency.values()[i % 3]; // eventual reads may miss the batch: see below
      byte[] key = i % 97 == 0 ? new byte[1025] : utf8(i % 50 == 1 ? "sdk/many/absent" : "sdk/many/" + (i % 300));
      gets.add(client.getAsync(key, ReadOptions.of(level)));
    }
    for (int i = 0; i < 900; i++) {
      var get = gets.get(i);
      if (i % 97 == 0) {
        assertThatThrownBy(() -> get.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidArgumentException.class);
      } else if (i % 50 == 1) {
        assertThat(get.get(30, TimeUnit.SECONDS).found()).as("get %d", i).isFalse();
      } else {
        GetResult r = get.get(30, TimeUnit.SECONDS);
        if (Consistency.values()[i % 3] == Consistency.EVENTUAL && !r.found()) {
          continue; // a follower that has not applied the batch yet: allowed, but never another key
        }
        KeyValue kv = r.keyValue().orElseThrow();
        assertThat(kv.keyUtf8()).isEqualTo("sdk/many/" + (i % 300));
        assertThat(kv.valueUtf8()).isEqualTo("v" + (i % 300));
      }
    }
    List<GetResult> many = client.getMany(List.of(utf8("sdk/many/7"), utf8("sdk/many/absent"), utf8("sdk/many/299")),
        ReadOptions.of(Consistency.SESSION));
    assertThat(many.get(0).keyValue().orElseThrow().valueUtf8()).isEqualTo("v7");
    assertThat(many.get(1).found()).isFalse();
    assertThat(many.get(2).keyValue().orElseThrow().valueUtf8()).isEqualTo("v299");
    assertThatThrownBy(() -> client.getMany(List.of(utf8("sdk/many/7"), new byte[1025])))
        .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.limit()).contains("key-bytes-max"));
  }

  @Test
  void putManyWritesEachPutOnItsOwnAcrossShards() {
    PutResult taken = client.put(utf8("sdk/pm/taken"), utf8("first"));
    List<BatchOp> puts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      puts.add(BatchOp.put(utf8("sdk/pm/" + i), utf8("v" + i)));
    }
    puts.set(50, BatchOp.put(utf8("sdk/pm/taken"), utf8("second"), Condition.absent()));
    puts.set(60, BatchOp.put(utf8("sdk/pm/60"), new byte[1024 * 1024 + 1]));
    List<PutOutcome> outcomes = client.putMany(puts);

    assertThat(outcomes).hasSize(200);
    assertThat(outcomes.get(50).error()).isInstanceOfSatisfying(ConditionFailedException.class,
        e -> assertThat(e.currentVersion()).isEqualTo(taken.version()));
    assertThat(outcomes.get(60).error()).isInstanceOfSatisfying(InvalidArgumentException.class,
        e -> assertThat(e.limit()).contains("value-bytes-max"));
    for (int i = 0; i < 200; i++) {
      if (i == 50 || i == 60) {
        continue;
      }
      PutResult put = outcomes.get(i).orThrow();
      // Session reads see each put at once, on whichever replica serves them.
      GetResult read = client.get(utf8("sdk/pm/" + i), ReadOptions.of(Consistency.SESSION));
      assertThat(read.keyValue().orElseThrow().valueUtf8()).isEqualTo("v" + i);
      assertThat(read.keyValue().orElseThrow().version()).isEqualTo(put.version());
    }
    assertThat(client.get("sdk/pm/taken").keyValue().orElseThrow().valueUtf8()).isEqualTo("first");
    assertThat(client.get("sdk/pm/60").found()).isFalse();
  }

  @Test
  void badInputIsATypedException() {
    assertThatThrownBy(() -> client.put(new byte[1025], utf8("v")))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.limit()).contains("key-bytes-max"));
    assertThatThrownBy(() -> client.put(utf8("sdk/big"), new byte[1024 * 1024 + 1]))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.limit()).contains("value-bytes-max"));
    assertThat(client.get("sdk/big").found()).isFalse();
  }

  @Test
  void statusListsShardsAndNodes() {
    ClusterStatus s = client.status();
    assertThat(s.mapEpoch()).isPositive();
    assertThat(s.nodes()).hasSize(3);
    assertThat(s.shards()).hasSize(4);
  }

  @Test
  void failsOverFromADeadRouterEndpoint() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    try (OrchidClient twoRouters = OrchidClient.builder()
        .endpoints("127.0.0.1:" + dead, cluster.grpcTarget()).defaultDeadline(Duration.ofSeconds(30)).build()) {
      assertThat(twoRouters.put("sdk/failover", "ok").version()).isPositive();
      assertThat(twoRouters.get("sdk/failover").keyValue().orElseThrow().valueUtf8()).isEqualTo("ok");
    }
  }
}
