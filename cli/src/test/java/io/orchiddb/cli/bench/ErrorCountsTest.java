package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.client.OutcomeUnknownException;
import io.orchiddb.client.UnavailableException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Failures are counted by type (class and server reason), unwrapped from future wrappers, and bounded. */
class ErrorCountsTest {
  @Test
  void countsByTypeAndReasonWithAFirstSample() {
    ErrorCounts e = new ErrorCounts();
    e.add(new CompletionException(new UnavailableException("no quorum for shard 3", "NO_QUORUM", Map.of(), null)));
    e.add(new UnavailableException("no quorum for shard 5", "NO_QUORUM", Map.of(), null));
    e.add(new OutcomeUnknownException("timed out", "OUTCOME_UNKNOWN", Map.of(), null));
    e.add(new TimeoutException("late"));
    assertThat(e.counts()).containsExactly(
        Map.entry("OutcomeUnknownException/OUTCOME_UNKNOWN", 1L),
        Map.entry("TimeoutException", 1L),
        Map.entry("UnavailableException/NO_QUORUM", 2L));
    assertThat(e.samples()).containsEntry("UnavailableException/NO_QUORUM", "no quorum for shard 3");
    assertThat(e.total()).isEqualTo(4);
  }

  @Test
  void manyTypesAreFoldedIntoOne() {
    ErrorCounts e = new ErrorCounts();
    for (int i = 0; i < ErrorCounts.TYPES_MAX + 10; i++) {
      e.add(new UnavailableException("x", "REASON_" + i, Map.of(), null));
    }
    assertThat(e.counts()).hasSize(ErrorCounts.TYPES_MAX + 1).containsEntry(ErrorCounts.OTHER, 10L);
    assertThat(e.total()).isEqualTo(ErrorCounts.TYPES_MAX + 10);
  }
}
