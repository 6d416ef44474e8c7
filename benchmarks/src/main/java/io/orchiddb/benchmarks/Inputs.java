package io.orchiddb.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Deterministic benchmark inputs: keys shaped like {@code orchiddb bench}'s, random values. */
final class Inputs {
  /** Every benchmark draws from this seed, so reruns see the same data. */
  static final long SEED = 20261125L;

  private Inputs() {}

  /** {@code bench/} and a 10-digit index: 16 bytes, as orchiddb bench writes them. */
  static byte[] key(long index) {
    return String.format("bench/%010d", index).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] value(SplittableRandom random, int bytes) {
    byte[] v = new byte[bytes];
    random.nextBytes(v);
    return v;
  }
}
