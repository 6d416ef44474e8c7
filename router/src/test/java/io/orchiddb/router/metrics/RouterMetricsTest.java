package io.orchiddb.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.router.shard.RouterException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {
  @Test
  void everyErrorReasonOfThePublicApiIsAnOutcomeOfItsOwnNamedInLowerCase() {
    try (RouterMetrics m = RouterMetrics.prometheus()) {
      for (RouterException.Reason reason : RouterException.Reason.values()) {
        m.request(RouterMetrics.Op.PUT, RouterMetrics.Level.NONE, reason, 1000);
      }
      String text = m.scrape();
      assertThat(Arrays.stream(RouterException.Reason.values()).map(r -> r.name().toLowerCase(Locale.ROOT)))
          .allSatisfy(tag -> assertThat(text)
              .contains("orchiddb_router_requests_seconds_count{consistency=\"none\",op=\"put\",outcome=\"" + tag + "\"} 1"));
      assertThat(text).doesNotContain("outcome=\"ok\"");
    }
  }

  @Test
  void aCallIsCountedUnderItsOperationConsistencyAndOutcomeWithItsLatencyInTheRightBucket() {
    try (RouterMetrics m = RouterMetrics.prometheus()) {
      m.request(RouterMetrics.Op.GET_MANY, RouterMetrics.Level.SESSION, null,
          TimeUnit.MILLISECONDS.toNanos(3));
      m.request(RouterMetrics.Op.GET_MANY, RouterMetrics.Level.SESSION, null,
          TimeUnit.MILLISECONDS.toNanos(30));
      m.request(RouterMetrics.Op.DELETE, RouterMetrics.Level.NONE, RouterException.Reason.NO_QUORUM,
          TimeUnit.SECONDS.toNanos(1));
      m.entryTxns(2).record(17);
      String text = m.scrape();

      String ok = "consistency=\"session\",op=\"get_many\",outcome=\"ok\"";
      assertThat(text).contains("orchiddb_router_requests_seconds_count{" + ok + "} 2");
      assertThat(text).contains("orchiddb_router_requests_seconds_bucket{" + ok + ",le=\"0.002\"} 0");
      assertThat(text).contains("orchiddb_router_requests_seconds_bucket{" + ok + ",le=\"0.005\"} 1");
      assertThat(text).contains("orchiddb_router_requests_seconds_bucket{" + ok + ",le=\"0.05\"} 2");
      assertThat(text).contains("orchiddb_router_requests_seconds_count{consistency=\"none\",op=\"delete\",outcome=\"no_quorum\"} 1");
      assertThat(text).contains("orchiddb_router_write_entry_txns_sum{shard=\"2\"} 17");
      assertThat(text).contains("orchiddb_router_write_entry_txns_bucket{shard=\"2\",le=\"16.0\"} 0");
      assertThat(text).contains("orchiddb_router_write_entry_txns_bucket{shard=\"2\",le=\"32.0\"} 1");
      assertThat(text).contains("jvm_threads_live_threads");
    }
  }

  @Test
  void theReadCacheGaugesAreThereOnlyWithACache() {
    try (RouterMetrics with = RouterMetrics.prometheus(); RouterMetrics without = RouterMetrics.prometheus()) {
      with.readCache(() -> 5, () -> 1234).increment();
      without.readCache(null, null);
      assertThat(with.scrape()).contains("orchiddb_router_read_cache_entries 5")
          .contains("orchiddb_router_read_cache_size_bytes 1234").contains("orchiddb_router_read_cache_answers_total 1");
      assertThat(without.scrape()).doesNotContain("orchiddb_router_read_cache_entries")
          .contains("orchiddb_router_read_cache_answers_total 0");
    }
  }

  @Test
  void disabledMetricsRecordAndServeNothing() {
    try (RouterMetrics m = RouterMetrics.disabled()) {
      m.request(RouterMetrics.Op.PUT, RouterMetrics.Level.NONE, null, 1000);
      m.entryTxns(0).record(3);
      assertThat(m.scrape()).isEmpty();
    }
  }
}
