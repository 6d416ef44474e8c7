package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerCountersTest {
  private static final String BEFORE = String.join("\n",
      "# HELP orchiddb_router_write_entry_txns Transactions carried by each Raft entry",
      "# TYPE orchiddb_router_write_entry_txns histogram",
      "orchiddb_router_write_entry_txns_bucket{shard=\"0\",le=\"1.0\"} 3",
      "orchiddb_router_write_entry_txns_count{shard=\"0\"} 10",
      "orchiddb_router_write_entry_txns_sum{shard=\"0\"} 40.0",
      "orchiddb_router_write_entry_txns_count{shard=\"1\"} 5",
      "orchiddb_router_write_entry_txns_sum{shard=\"1\"} 20.0",
      "orchiddb_router_read_batch_gets_count{level=\"stale\",node=\"n1\"} 7",
      "orchiddb_router_read_batch_gets_sum{level=\"stale\",node=\"n1\"} 70.0",
      "orchiddb_router_write_entry_txns_max{shard=\"0\"} 9.0",
      "jvm_threads_live_threads 42.0",
      "");

  @Test
  void sumsEachFamilyOverItsSeriesAndIgnoresTheRest() {
    assertThat(ServerCounters.parse(BEFORE)).isEqualTo(new ServerCounters(15, 60, 7, 70));
    assertThat(ServerCounters.parse("")).isEqualTo(new ServerCounters(0, 0, 0, 0));
  }

  @Test
  void theDifferenceOfTwoScrapesIsWhatTheRunCostAndReportsItsRatios() {
    ServerCounters after = ServerCounters.parse(BEFORE
        .replace("_count{shard=\"0\"} 10", "_count{shard=\"0\"} 30")
        .replace("_sum{shard=\"0\"} 40.0", "_sum{shard=\"0\"} 200.0")
        .replace("gets_count{level=\"stale\",node=\"n1\"} 7", "gets_count{level=\"stale\",node=\"n1\"} 7"));
    ServerCounters run = after.since(ServerCounters.parse(BEFORE));
    assertThat(run).isEqualTo(new ServerCounters(20, 160, 0, 0));
    Map<String, Object> json = Report.serverJson(run);
    assertThat(json).containsEntry("raft_entries", 20L).containsEntry("txns", 160L).containsEntry("txns_per_entry", 8.0)
        .containsEntry("read_requests", 0L).containsEntry("gets_per_request", null);
    assertThat(Report.serverText(run)).contains("20 Raft entries carrying 160 transactions (8.0 per entry)")
        .contains("0 read requests carrying 0 gets (- per request)");
  }
}
