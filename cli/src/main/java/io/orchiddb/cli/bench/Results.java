package io.orchiddb.cli.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a run measured. Latencies are in microseconds, from each request's intended start (its
 * send time in a closed loop, its scheduled time in an open loop) to its completion; only
 * successful requests issued after the warm-up are in them.
 *
 * @param latencyByOp per operation type that ran (put, get)
 * @param all every successful measured request
 * @param elapsedNanos from the end of the warm-up to the last measured completion
 * @param notFound measured gets of an absent key (successes, also in the histograms)
 * @param cachedGets measured gets a cache answered (OrchidDB's router read cache; also in the histograms)
 * @param errors measured failures by type; {@code errorSamples} has one message per type
 * @param warmupOps operations completed during the warm-up, successful or not (a request of several
 *     puts counts as that many)
 * @param abandoned requests still in flight when the run gave up waiting for them
 */
record Results(Map<LoadRun.Op, Histogram> latencyByOp, Histogram all, long elapsedNanos, long notFound, long cachedGets,
    Map<String, Long> errors, Map<String, String> errorSamples, long warmupOps, long abandoned) {
  Results {
    latencyByOp = Map.copyOf(latencyByOp);
    errors = Map.copyOf(errors);
    errorSamples = Map.copyOf(errorSamples);
  }

  long ops() {
    return all.getTotalCount();
  }

  long errorsTotal() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double elapsedSeconds() {
    return elapsedNanos / 1e9;
  }

  /** Successful measured requests per second; 0 when nothing was measured. */
  double opsPerSec() {
    return elapsedNanos <= 0 ? 0 : ops() / elapsedSeconds();
  }
}
