package io.orchiddb.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key bytes for an index: the prefix, then the index as {@link BenchConfig#KEY_INDEX_DIGITS}
 * zero-padded decimal digits ({@code bench/0000000042}), so keys sort in index order and are
 * readable in scans. Written digit by digit: the load generator shares the CPU with the servers.
 */
final class KeyFormat {
  private final byte[] prefix;

  KeyFormat(String prefix) {
    this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
  }

  byte[] key(long index) {
    if (index < 0 || index >= 10_000_000_000L) {
      throw new IllegalArgumentException("key index out of range: " + index);
    }
    byte[] key = Arrays.copyOf(prefix, prefix.length + BenchConfig.KEY_INDEX_DIGITS);
    long rest = index;
    for (int i = key.length - 1; i >= prefix.length; i--) {
      key[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
    return key;
  }
}
