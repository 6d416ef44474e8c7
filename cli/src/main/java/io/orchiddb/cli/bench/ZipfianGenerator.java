package io.orchiddb.cli.bench;

import com.google.common.base.Preconditions;
import java.util.random.RandomGenerator;

/**
 * Zipfian key indexes: index {@code i} (0-based) is drawn with probability proportional to
 * {@code 1 / (i + 1)^theta}, so index 0 is the hottest key. This is YCSB's {@code
 * ZipfianGenerator}, after Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
 * (SIGMOD 1994): one uniform draw and at most one {@code pow} per sample, after an O(n)
 * precomputation of the normalising constant {@code zeta(n, theta)}. YCSB's default skew is 0.99.
 * The method is exact for the two hottest keys and approximate (a continuous fit) for the rest.
 *
 * <p>Hot keys are not scrambled over the key space (YCSB's {@code ScrambledZipfianGenerator}
 * does that): keys reach shards through a hash, so neighbouring indexes already land on
 * unrelated shards. Immutable.
 */
final class ZipfianGenerator implements KeyDistribution {
  /** YCSB's default skew. */
  static final double THETA_DEFAULT = 0.99;

  private final long keys;
  private final double theta;
  private final double zetan;
  private final double alpha;
  private final double eta;
  private final double secondThreshold;

  ZipfianGenerator(long keys, double theta) {
    Preconditions.checkArgument(keys >= 1, "keys must be positive, got %s", keys);
    Preconditions.checkArgument(theta > 0 && theta < 1, "theta must be in (0, 1), got %s", theta);
    this.keys = keys;
    this.theta = theta;
    this.zetan = zeta(keys, theta);
    double zeta2 = zeta(Math.min(2, keys), theta);
    this.alpha = 1.0 / (1.0 - theta);
    this.eta = keys <= 2 ? 0 : (1 - Math.pow(2.0 / keys, 1 - theta)) / (1 - zeta2 / zetan);
    this.secondThreshold = 1.0 + Math.pow(0.5, theta);
  }

  /** {@code sum(1 / i^theta)} for i in 1..n. */
  static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }

  @Override
  public long keys() {
    return keys;
  }

  double theta() {
    return theta;
  }

  /** The exact probability of index {@code i} under the Zipf law this approximates. */
  double probability(long i) {
    return 1 / Math.pow(i + 1, theta) / zetan;
  }

  @Override
  public long next(RandomGenerator random) {
    double uz = random.nextDouble() * zetan;
    if (uz < 1.0 || keys == 1) {
      return 0;
    }
    if (uz < secondThreshold || keys == 2) {
      return 1;
    }
    double u = uz / zetan;
    long i = (long) (keys * Math.pow(eta * u - eta + 1, alpha));
    // As in YCSB, no lower clamp; rounding as u approaches 1 can reach keys itself.
    return Math.min(i, keys - 1);
  }

  @Override
  public String toString() {
    return "zipfian(keys=" + keys + ", theta=" + theta + ")";
  }
}
