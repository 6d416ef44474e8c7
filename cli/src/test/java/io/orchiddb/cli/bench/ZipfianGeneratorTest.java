package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The key distributions: in range, reproducible from a seed, and shaped as promised. Sample
 * frequencies are compared with the exact Zipf probabilities over a fixed-seed sample, so the
 * checks are deterministic; tolerances allow for the generator's continuous approximation of the
 * tail.
 */
class ZipfianGeneratorTest {
  private static final long SEED = 20261125L;

  @Test
  void sameSeedSameSequence() {
    ZipfianGenerator zipf = new ZipfianGenerator(100_000, 0.99);
    SplittableRandom a = new SplittableRandom(SEED);
    SplittableRandom b = new SplittableRandom(SEED);
    for (int i = 0; i < 10_000; i++) {
      assertThat(zipf.next(a)).isEqualTo(zipf.next(b));
    }
  }

  @Test
  void everyDrawIsInRange() {
    for (long keys : new long[] {1, 2, 3, 10, 1000}) {
      ZipfianGenerator zipf = new ZipfianGenerator(keys, 0.99);
      SplittableRandom random = new SplittableRandom(SEED);
      for (int i = 0; i < 20_000; i++) {
        assertThat(zipf.next(random)).as("keys=%s", keys).isBetween(0L, keys - 1);
      }
    }
  }

  @Test
  void frequenciesFollowZipfsLaw() {
    int keys = 1000;
    int samples = 1_000_000;
    ZipfianGenerator zipf = new ZipfianGenerator(keys, 0.99);
    long[] counts = new long[keys];
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < samples; i++) {
      counts[(int) zipf.next(random)]++;
    }
    // The two hottest keys are drawn exactly: within 2% of their probability (~0.13 and ~0.066).
    assertThat(counts[0] / (double) samples).isCloseTo(zipf.probability(0), within(zipf.probability(0) * 0.02));
    assertThat(counts[1] / (double) samples).isCloseTo(zipf.probability(1), within(zipf.probability(1) * 0.05));
    // Decades of ranks hold their share of the mass within 15% (the tail is a continuous fit).
    for (int[] range : new int[][] {{2, 10}, {10, 100}, {100, 1000}}) {
      double expected = 0;
      long seen = 0;
      for (int i = range[0]; i < range[1]; i++) {
        expected += zipf.probability(i);
        seen += counts[i];
      }
      assertThat(seen / (double) samples).as("ranks %s..%s", range[0], range[1] - 1)
          .isCloseTo(expected, within(expected * 0.15));
    }
    // Skewed: the hottest 1% of keys take over a third of the draws; the coldest half under a sixth.
    long hot = 0;
    long cold = 0;
    for (int i = 0; i < keys; i++) {
      if (i < keys / 100) {
        hot += counts[i];
      }
      if (i >= keys / 2) {
        cold += counts[i];
      }
    }
    assertThat(hot).isGreaterThan(samples / 3);
    assertThat(cold).isLessThan(samples / 6);
  }

  @Test
  void uniformIsFlat() {
    KeyDistribution uniform = KeyDistribution.uniform(10);
    long[] counts = new long[10];
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < 100_000; i++) {
      counts[(int) uniform.next(random)]++;
    }
    for (long c : counts) {
      assertThat(c).isBetween(9_500L, 10_500L);
    }
  }

  @Test
  void zetaIsTheNormalisingSum() {
    assertThat(ZipfianGenerator.zeta(1, 0.99)).isEqualTo(1.0);
    assertThat(ZipfianGenerator.zeta(2, 0.5)).isCloseTo(1 + 1 / Math.sqrt(2), within(1e-12));
    ZipfianGenerator zipf = new ZipfianGenerator(50, 0.7);
    double sum = 0;
    for (int i = 0; i < 50; i++) {
      sum += zipf.probability(i);
    }
    assertThat(sum).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void refusesBadParameters() {
    assertThatThrownBy(() -> new ZipfianGenerator(0, 0.99)).hasMessageContaining("keys must be positive");
    assertThatThrownBy(() -> new ZipfianGenerator(10, 1.0)).hasMessageContaining("theta must be in (0, 1)");
    assertThatThrownBy(() -> new ZipfianGenerator(10, 0)).hasMessageContaining("theta must be in (0, 1)");
    assertThatThrownBy(() -> KeyDistribution.uniform(0)).hasMessageContaining("keys must be positive");
  }
}
