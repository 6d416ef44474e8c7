package io.orchiddb.client;

import static io.orchiddb.client.FakeRouter.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves session consistency works without the caller doing anything: the client merges the
 * session token of every response (its own writes included) by taking the largest index per
 * shard, sends the merged token with the next request, so a SESSION read right after a write
 * carries that write's index; failures leave the token alone; concurrent responses arriving out of
 * order still leave the maximum.
 *
 * <p>How: a {@link FakeRouter} returns scripted tokens and records the token each request
 * carried; the concurrent case has four threads write through one client while the fake hands out
 * tokens in an order the threads do not control, then checks the final token is the per-shard max.
 */
class SessionConsistencyTest {
  private FakeRouter router;
  private OrchidClient client;

  @BeforeEach
  void start() {
    router = FakeRouter.start("router");
    client = FakeRouter.clientFor(router.endpoint).defaultConsistency(Consistency.SESSION).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    router.close();
  }

  @Test
  void aSessionReadAfterAWriteCarriesTheWritesIndex() {
    router.script("Put", PutResponse.newBuilder().setVersion(10).setSession(token(1, 10)).build());
    router.script("Get", GetResponse.getDefaultInstance());

    client.get("k");
    client.put("k", "v");
    client.get("k");

    List<FakeRouter.Received> gets = router.received("Get");
    assertThat(((GetRequest) gets.get(0).request()).getSession()).isEqualTo(SessionToken.getDefaultInstance());
    GetRequest after = (GetRequest) gets.get(1).request();
    assertThat(after.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.SESSION);
    assertThat(after.getSession()).isEqualTo(token(1, 10));
  }

  @Test
  void tokensMergeByTheLargestIndexPerShard() {
    router.script("Put",
        PutResponse.newBuilder().setSession(token(1, 10)).build(),
        PutResponse.newBuilder().setSession(token(2, 4)).build(),
        PutResponse.getDefaultInstance());
    router.script("Get", GetResponse.newBuilder().setSession(token(1, 8, 2, 5, 7, 1)).build());
    router.script("Delete", DeleteResponse.newBuilder().setSession(token(7, 3)).build());
    router.script("Batch", BatchResponse.newBuilder().setSession(token(1, 12)).build());
    router.script("Scan", ScanResponse.newBuilder().setSession(token(3, 2)).build());

    client.put("a", "1");
    client.put("b", "2");
    assertThat(client.sessionToken()).isEqualTo(token(1, 10, 2, 4));

    client.get("c"); // an older index for shard 1 must not lower it
    assertThat(client.sessionToken()).isEqualTo(token(1, 10, 2, 5, 7, 1));

    client.delete("d");
    client.batch(List.of());
    client.scanPage(ScanSpec.all());
    assertThat(client.sessionToken()).isEqualTo(token(1, 12, 2, 5, 3, 2, 7, 3));

    client.put("e", "3");
    assertThat(((PutRequest) router.received("Put").get(2).request()).getSession())
        .isEqualTo(token(1, 12, 2, 5, 3, 2, 7, 3));
  }

  @Test
  void aFailedRequestLeavesTheTokenAsItWas() {
    router.script("Put", PutResponse.newBuilder().setSession(token(1, 10)).build(), FakeRouter.noQuorum());

    client.put("a", "1");
    try (OrchidClient once = FakeRouter.clientFor(router.endpoint).retryPolicy(RetryPolicy.none()).build()) {
      assertThatThrownBy(() -> once.put("a", "2")).isInstanceOf(UnavailableException.class);
      assertThat(once.sessionToken()).isEqualTo(SessionToken.getDefaultInstance());
    }
    assertThat(client.sessionToken()).isEqualTo(token(1, 10));
  }

  @Test
  void concurrentWritesLeaveTheLargestIndexOfEveryShard() throws Exception {
    int threads = 4;
    int writesPerThread = 200;
    // The n-th request the router handles gets index n on shard n % 3: responses carry
    // increasing indexes, but the threads merge them in whatever order they finish.
    java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    router.script("Put", (Function<PutRequest, Object>) request -> {
      long n = served.incrementAndGet();
      return PutResponse.newBuilder().setVersion(n).setSession(token(n % 3, n)).build();
    });

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < writesPerThread; i++) {
            client.put("k", "v");
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    long total = (long) threads * writesPerThread; // 800: the last index of each shard is 798, 799, 800
    SessionToken expected = token(0, total - total % 3, 1, lastOf(total, 1), 2, lastOf(total, 2));
    assertThat(client.sessionToken()).isEqualTo(expected);
    assertThat(client.sessionToken().getSeenList()).extracting(ShardIndex::getShardId).containsExactly(0, 1, 2);
  }

  private static long lastOf(long total, long shard) {
    long n = total;
    while (n % 3 != shard) {
      n--;
    }
    return n;
  }
}
