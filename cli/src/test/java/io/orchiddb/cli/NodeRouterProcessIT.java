package io.orchiddb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.client.Consistency;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.ReadOptions;
import io.orchiddb.node.config.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of three {@code orchiddb node --router} processes (the CLI's main class, as the
 * launcher runs it), with no router process: each node serves the public API itself. Eventual
 * reads through a node's router are served by that node in-process; an SDK client given all three
 * routers keeps writing and reading after one node is killed with SIGKILL, and no acknowledged
 * write is lost.
 */
class NodeRouterProcessIT {
  private static final Pattern LOCAL_READS = Pattern.compile("(?m)^orchiddb_router_local_reads_total (\\S+)$");
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final List<Process> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() throws Exception {
    for (Process p : nodes) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void nodesServeTheApiReadLocallyAndSurviveTheLossOfOne() throws Exception {
    int[] ports = FreePorts.pick(9); // per node: Raft, router gRPC, router HTTP
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      peers.append(i > 0 ? "," : "").append("n").append(i + 1).append("=127.0.0.1:").append(ports[3 * i]);
    }
    List<Path> logs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = "n" + (i + 1);
      Path log = dir.resolve(id + ".log");
      logs.add(log);
      nodes.add(DevModeIT.cli("node", "--node-id", id, "--peers", peers.toString(), "--data-dir",
              dir.resolve(id).toString(), "--election-timeout-ms", "500", "--router",
              "--router-grpc-port", String.valueOf(ports[3 * i + 1]), "--router-http-port", String.valueOf(ports[3 * i + 2]))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }
    for (int i = 0; i < 3; i++) {
      String ready = awaitLine(nodes.get(i), logs.get(i), "orchiddb node n" + (i + 1) + " ready");
      assertThat(ready).contains("router: gRPC on 127.0.0.1:" + ports[3 * i + 1])
          .contains("HTTP on 127.0.0.1:" + ports[3 * i + 2]);
    }
    List<String> routers = List.of("127.0.0.1:" + ports[1], "127.0.0.1:" + ports[4], "127.0.0.1:" + ports[7]);

    try (OrchidClient all = OrchidClient.builder().endpoints(routers).defaultDeadline(Duration.ofSeconds(30)).build();
        OrchidClient viaN1 = OrchidClient.builder().endpoints(routers.get(0)).defaultDeadline(Duration.ofSeconds(30)).build()) {
      for (int k = 0; k < 30; k++) {
        all.put("np/" + k, "v" + k);
      }
      // n1's router reads n1's replica, in-process, once n1 has applied the writes.
      ReadOptions eventual = ReadOptions.of(Consistency.EVENTUAL);
      for (int k = 0; k < 30; k++) {
        GetResult g = viaN1.get(("np/" + k).getBytes(), eventual);
        for (long deadline = System.nanoTime() + PATIENCE.toNanos(); !g.found(); g = viaN1.get(("np/" + k).getBytes(), eventual)) {
          assertThat(System.nanoTime()).as("n1 applies np/%d", k).isLessThan(deadline);
        }
        assertThat(g.readInfo().servedBy()).isEqualTo("n1");
        assertThat(g.keyValue().orElseThrow().valueUtf8()).isEqualTo("v" + k);
      }
      assertThat(localReads(ports[2])).isGreaterThanOrEqualTo(30);

      // SIGKILL n1, node and router at once: the client goes on through n2's and n3's routers.
      // A read first: the client still holds a connection to n1's router, and a write sent on it
      // can only end as "outcome unknown" (the client cannot tell whether it arrived), while a
      // read fails over to the next router, which the client then prefers.
      nodes.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(all.get("np/0".getBytes(), ReadOptions.of(Consistency.STRONG)).keyValue().orElseThrow().valueUtf8())
          .isEqualTo("v0");
      for (int k = 30; k < 60; k++) {
        all.put("np/" + k, "v" + k);
      }
      for (int k = 0; k < 60; k++) {
        GetResult g = all.get(("np/" + k).getBytes(), ReadOptions.of(Consistency.STRONG));
        assertThat(g.keyValue().orElseThrow().valueUtf8()).as("np/%d", k).isEqualTo("v" + k);
        assertThat(g.readInfo().servedBy()).isIn("n2", "n3");
      }
    }
  }

  private double localReads(int httpPort) throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = LOCAL_READS.matcher(metrics);
    assertThat(m.find()).as("the router's metrics count local reads").isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** The first line of {@code log} holding {@code text}, once the process has printed it. */
  private static String awaitLine(Process process, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      for (String line : Files.readAllLines(log)) {
        if (line.contains(text)) {
          return line;
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' in:\n" + Files.readString(log));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }
}
