package io.orchiddb.cli.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What a run cost the cluster in Raft entries and read requests, from the router's metrics
 * ({@code --metrics URL}, the router's {@code /metrics}): scraped before and after the run, the
 * difference says how well the router coalesced the run's writes into entries and its gets into
 * requests, the ratio that decides write throughput here (BENCHMARKS.md). Counts every client of
 * that router, not only this run's, so it is exact only when the run is the router's only load.
 *
 * @param entries Raft entries the router proposed, over every shard
 * @param txns the transactions those entries carried
 * @param readRequests read requests the router sent to nodes, over every node and level
 * @param gets the gets those requests carried
 */
record ServerCounters(double entries, double txns, double readRequests, double gets) {
  static final String ENTRIES = "orchiddb_router_write_entry_txns_count";
  static final String TXNS = "orchiddb_router_write_entry_txns_sum";
  static final String READ_REQUESTS = "orchiddb_router_read_batch_gets_count";
  static final String GETS = "orchiddb_router_read_batch_gets_sum";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Sums each family over its series in Prometheus text (a family absent counts 0). */
  static ServerCounters parse(String text) {
    double entries = 0;
    double txns = 0;
    double readRequests = 0;
    double gets = 0;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String name = line.substring(0, brace >= 0 ? brace : space);
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1).trim());
      } catch (NumberFormatException e) {
        continue;
      }
      switch (name) {
        case ENTRIES -> entries += value;
        case TXNS -> txns += value;
        case READ_REQUESTS -> readRequests += value;
        case GETS -> gets += value;
        default -> { }
      }
    }
    return new ServerCounters(entries, txns, readRequests, gets);
  }

  /** Reads the router's metrics; IOException when it cannot (the message says why). */
  static ServerCounters scrape(HttpClient http, URI url) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(url + " answered " + r.statusCode());
      }
      return parse(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + url, e);
    }
  }

  /** This minus {@code before}: what happened in between. */
  ServerCounters since(ServerCounters before) {
    return new ServerCounters(entries - before.entries, txns - before.txns,
        readRequests - before.readRequests, gets - before.gets);
  }
}
