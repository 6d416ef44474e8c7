package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The open-loop schedule is exact arithmetic: no drift, no overflow, exactly rate requests a second. */
class RateScheduleTest {
  @Test
  void spacesRequestsEvenly() {
    RateSchedule s = new RateSchedule(1_000, 3);
    assertThat(s.startOf(0)).isEqualTo(1_000);
    assertThat(s.startOf(1)).isEqualTo(1_000 + 333_333_333);
    assertThat(s.startOf(2)).isEqualTo(1_000 + 666_666_666);
    assertThat(s.startOf(3)).isEqualTo(1_000 + 1_000_000_000);
    assertThat(s.startOf(4)).isEqualTo(1_000 + 1_333_333_333);
  }

  @Test
  void exactlyRateRequestsPerSecondWithoutDrift() {
    for (long rate : new long[] {1, 7, 1000, 999_983, 10_000_000}) {
      RateSchedule s = new RateSchedule(0, rate);
      for (long second : new long[] {0, 1, 59, 86_399}) {
        // Request rate*second starts exactly on the second; the one before it inside the previous second.
        assertThat(s.startOf(rate * second)).isEqualTo(second * 1_000_000_000L);
        if (second > 0) {
          assertThat(s.startOf(rate * second - 1)).isLessThan(second * 1_000_000_000L);
        }
      }
    }
  }

  @Test
  void isStrictlyIncreasingUpToOnePerNanosecond() {
    RateSchedule s = new RateSchedule(-5, 1_000_000_000);
    long previous = Long.MIN_VALUE;
    for (long i = 0; i < 10_000; i++) {
      assertThat(s.startOf(i)).isGreaterThan(previous);
      previous = s.startOf(i);
    }
  }

  @Test
  void aYearAtTheHighestRateDoesNotOverflow() {
    long rate = BenchConfig.RATE_OPS_PER_SEC_MAX;
    long year = 365L * 86_400;
    assertThat(new RateSchedule(0, rate).startOf(rate * year + rate / 2)).isEqualTo(year * 1_000_000_000L + 500_000_000L);
  }

  @Test
  void refusesBadArguments() {
    assertThatThrownBy(() -> new RateSchedule(0, 0)).hasMessageContaining("rate must be positive");
    assertThatThrownBy(() -> new RateSchedule(0, 5).startOf(-1)).hasMessageContaining("non-negative");
  }
}
