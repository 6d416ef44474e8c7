package io.orchiddb.cli.bench;

import com.google.common.base.Preconditions;

/**
 * When the i-th request of an open-loop run is due: {@code start + i / rate} seconds, exactly (no
 * drift from adding up rounded intervals). Latency is measured from this intended start, not from
 * when the request was actually sent, so a stalled server cannot hide its stall by slowing the
 * load generator down ("coordinated omission", as wrk2 and HdrHistogram's author describe it).
 *
 * @param startNanos the run's start on the load generator's nanosecond clock
 * @param opsPerSec the target rate, positive
 */
record RateSchedule(long startNanos, long opsPerSec) {
  private static final long NANOS_PER_SEC = 1_000_000_000L;

  RateSchedule {
    Preconditions.checkArgument(opsPerSec > 0, "rate must be positive, got %s", opsPerSec);
  }

  /** The intended start of request {@code i} (0-based). */
  long startOf(long i) {
    Preconditions.checkArgument(i >= 0, "request number must be non-negative, got %s", i);
    // Split so that i * 1e9 never overflows: whole seconds, then the remainder (< opsPerSec).
    return startNanos + (i / opsPerSec) * NANOS_PER_SEC + (i % opsPerSec) * NANOS_PER_SEC / opsPerSec;
  }
}
