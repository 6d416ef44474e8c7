package io.orchiddb.jepsen.runner;

import io.orchiddb.testcontainers.OrchidCluster;
import io.orchiddb.testcontainers.OrchidContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evidence that a run with embedded routers took the path it is there to test: each node's
 * counters of writes its router submitted in-process to a shard the node led, and of those sent
 * again where the lead went ({@code orchiddb_router_local_writes_total} and {@code
 * ..._resent_total} on the node's {@code /metrics}), read once the faults are healed and written to
 * {@code local-writes.txt}. A node's counters start at zero when it restarts, so they cover its
 * time since its last kill; no in-process write on any node means the run did not test that path,
 * which is a harness error. A node killed late in the run may still be starting when the final read
 * is done (through another node), so each node's {@code /metrics} is polled until it answers, for
 * up to {@code patience}.
 */
final class LocalWriteCounters {
  private static final Pattern SUBMITTED = Pattern.compile("(?m)^orchiddb_router_local_writes_total (\\S+)$");
  private static final Pattern RESENT = Pattern.compile("(?m)^orchiddb_router_local_writes_resent_total (\\S+)$");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL_PAUSE = Duration.ofMillis(500);

  private LocalWriteCounters() {}

  /**
   * Reads every node's counters into {@code file}; adds to {@code errors} what went wrong.
   *
   * @param nanoClock monotonic nanoseconds, for {@code patience}
   */
  static void check(OrchidCluster cluster, Path file, Duration patience, LongSupplier nanoClock, List<String> errors) {
    long deadline = nanoClock.getAsLong() + patience.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    List<String> lines = new ArrayList<>();
    lines.add("# node  submitted in-process  sent again (since the node's last start)");
    double submittedTotal = 0;
    boolean allRead = true;
    for (OrchidContainer node : cluster.nodes()) {
      String id = node.nodeId().orElseThrow();
      try {
        String metrics = metrics(http, node, deadline, nanoClock);
        double submitted = counter(metrics, SUBMITTED, id);
        double resent = counter(metrics, RESENT, id);
        submittedTotal += submitted;
        lines.add(String.format(Locale.ROOT, "%-6s %.0f %.0f", id, submitted, resent));
      } catch (IOException | RuntimeException e) {
        allRead = false;
        lines.add(String.format(Locale.ROOT, "%-6s ? ?  (%s)", id, e));
        errors.add("local writes of " + id + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        errors.add("local writes of " + id + ": interrupted");
        return;
      }
    }
    System.out.println(String.join("\n", lines));
    if (submittedTotal == 0 && allRead) {
      errors.add("no router submitted a write in-process (orchiddb_router_local_writes_total is 0 on every node):"
          + " the run did not test the embedded routers' write path");
    }
    try {
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  /** The node's {@code /metrics}, asked again while it cannot be reached (starting) until {@code deadline}. */
  private static String metrics(HttpClient http, OrchidContainer node, long deadline, LongSupplier nanoClock)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(node.httpEndpoint() + "/metrics"))
        .timeout(REQUEST_TIMEOUT).build();
    while (true) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
          throw new IOException("/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
      } catch (IOException e) {
        if (nanoClock.getAsLong() + POLL_PAUSE.toNanos() >= deadline) {
          throw new IOException("/metrics did not answer before the deadline, last: " + e, e);
        }
        // Polling a node that may still be starting; the deadline bounds it.
        LockSupport.parkNanos(POLL_PAUSE.toNanos());
      }
    }
  }

  private static double counter(String metrics, Pattern pattern, String node) {
    Matcher m = pattern.matcher(metrics);
    if (!m.find()) {
      throw new IllegalStateException("node " + node + "'s /metrics has no " + pattern.pattern());
    }
    return Double.parseDouble(m.group(1));
  }
}
