package io.orchiddb.node.meta;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Proves that the key → hash mapping, and with it every key's shard, never changes silently.
 *
 * <p>How: golden vectors. The expected values were computed once with {@link KeyHash#of} and are
 * hard-coded here; any change to the function (another hash, seed, byte order or half of the
 * 128-bit result) breaks them. Three of them ("hell" and the two "quick brown fox" strings) are
 * Guava's own published Murmur3 x64-128 seed-0 vectors ({@code Murmur3Hash128Test.testKnownValues}
 * in google/guava: the first little-endian long of the digest), and the empty input hashes to all
 * zeros, so those four are checked against a source independent of this code base.
 */
class KeyHashTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void goldenVectors() {
    byte[] x1024 = new byte[1024];
    Arrays.fill(x1024, (byte) 'x');

    assertThat(KeyHash.of(utf8("a"))).isEqualTo(0x85555565f6597889L);
    assertThat(KeyHash.of(utf8("key1"))).isEqualTo(0x15d67461d2044fb3L);
    assertThat(KeyHash.of(utf8("hello world"))).isEqualTo(0x533f6046eb7f610eL);
    assertThat(KeyHash.of(utf8("user:42"))).isEqualTo(0xcd01081bf0aa3a68L);
    assertThat(KeyHash.of(new byte[] {0, 1, 2, (byte) 0xff})).isEqualTo(0xc5f3f1c6e318d0acL);
    // 15 and 16 bytes: the tail-only path and exactly one full 16-byte block.
    assertThat(KeyHash.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}))
        .isEqualTo(0x47231598fd4925e9L);
    assertThat(KeyHash.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}))
        .isEqualTo(0x444924b591903f30L);
    assertThat(KeyHash.of(utf8("orchidée 🌸"))).isEqualTo(0xa492141a655045abL);
    assertThat(KeyHash.of(x1024)).isEqualTo(0xa46adbc23ff13d09L);
  }

  @Test
  void emptyKeyHashesToZero() {
    // Murmur3 of no bytes with seed 0 is the all-zero digest.
    assertThat(KeyHash.of(new byte[0])).isZero();
  }

  @Test
  void matchesGuavaPublishedMurmur3Vectors() {
    // From google/guava Murmur3Hash128Test.testKnownValues, seed 0 (first long of the digest).
    assertThat(KeyHash.of(utf8("hell"))).isEqualTo(0x629942693e10f867L);
    assertThat(KeyHash.of(utf8("The quick brown fox jumps over the lazy dog")))
        .isEqualTo(0xe34bbc7bbc071b6cL);
    assertThat(KeyHash.of(utf8("The quick brown fox jumps over the lazy cog")))
        .isEqualTo(0x658ca970ff85269aL);
  }

  @Test
  void doesNotModifyOrRetainTheKey() {
    byte[] key = utf8("key1");
    long first = KeyHash.of(key);
    assertThat(key).isEqualTo(utf8("key1"));
    assertThat(KeyHash.of(key.clone())).isEqualTo(first);
  }
}
