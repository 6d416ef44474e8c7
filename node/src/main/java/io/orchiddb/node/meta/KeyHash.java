package io.orchiddb.node.meta;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * The hash that places a key on a shard: the first 64 bits of Murmur3 x64-128 (seed 0) of the key
 * bytes, read as an unsigned number. Changing it would move every key to another shard; the
 * golden vectors in {@code KeyHashTest} make sure it never changes by accident.
 */
public final class KeyHash {
  private static final HashFunction MURMUR3 = Hashing.murmur3_128();

  private KeyHash() {}

  public static long of(byte[] key) {
    return MURMUR3.hashBytes(key).asLong();
  }
}
