package io.orchiddb.cli.bench;

import com.google.common.base.Preconditions;
import java.util.random.RandomGenerator;

/**
 * Which key an operation touches: an index in {@code [0, keys)}. Implementations are immutable
 * and draw all randomness from the generator they are given, so a run is reproducible from its
 * seed.
 */
sealed interface KeyDistribution permits KeyDistribution.Uniform, ZipfianGenerator {
  /** The key space size. */
  long keys();

  /** The next key index, in {@code [0, keys())}. */
  long next(RandomGenerator random);

  static KeyDistribution uniform(long keys) {
    return new Uniform(keys);
  }

  /** Every key equally likely. */
  record Uniform(long keys) implements KeyDistribution {
    public Uniform {
      Preconditions.checkArgument(keys >= 1, "keys must be positive, got %s", keys);
    }

    @Override
    public long next(RandomGenerator random) {
      return random.nextLong(keys);
    }
  }
}
