package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.client.Consistency;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.ReadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that goes away and comes back serves the router's reads again. Regression test for a bug
 * the Jepsen suite found: the router's Ratis read client never retries (the router fails over
 * between replicas itself), and Ratis resets a broken connection only on its way to a retry, so
 * after one broken stream every later read to that node failed with "client->nX is closed" and a
 * shard whose other replicas were also cut off once stayed unreadable after the partition healed.
 */
class ReaderReconnectIT {
  @TempDir
  Path dir;

  @Test
  void readsReachARestartedNodeAgain() throws Exception {
    try (DevCluster cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "1", "election-timeout-ms", "500"),
        // No read cache: the test is about which replicas eventual reads reach.
        Map.of("grpc-port", "0", "http-port", "0", "read-cache-ttl-ms", "0"));
         OrchidClient client = OrchidClient.builder().endpoints(cluster.grpcTarget())
             .defaultDeadline(Duration.ofSeconds(10)).build()) {
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      client.put(key, "v".getBytes(StandardCharsets.UTF_8));
      assertThat(servers(client, key, Duration.ofSeconds(20), "n3")).contains("n3");

      cluster.stopNode("n3");
      // Reads go on from n1 and n2; the attempts that pick n3 first fail on its broken connection.
      Set<String> whileDown = servers(client, key, Duration.ofSeconds(3), null);
      assertThat(whileDown).isNotEmpty().doesNotContain("n3");

      cluster.startNode("n3");
      assertThat(servers(client, key, Duration.ofSeconds(30), "n3"))
          .as("eventual reads served by the restarted n3 within 30 s").contains("n3");
    }
  }

  /** Who served EVENTUAL reads of {@code key} until {@code wanted} did or {@code patience} ran out. */
  private static Set<String> servers(OrchidClient client, byte[] key, Duration patience, String wanted) {
    Set<String> served = new HashSet<>();
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline && (wanted == null || !served.contains(wanted))) {
      try {
        GetResult r = client.get(key, ReadOptions.of(Consistency.EVENTUAL));
        assertThat(r.readInfo().cached()).isFalse();
        served.add(r.readInfo().servedBy());
      } catch (OrchidException e) {
        // a read may time out while n3 restarts; keep polling until the deadline
      }
    }
    return served;
  }
}
