package io.orchiddb.node.shard;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key: an immutable byte string ordered as unsigned bytes (so {@code 0xFF} sorts after
 * {@code 0x7F}, the order users see in scans).
 */
public final class Key implements Comparable<Key> {
  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** Copies {@code bytes}. */
  public static Key copyOf(byte[] bytes) {
    return new Key(bytes.clone());
  }

  /** Takes ownership of {@code bytes}: the caller must never modify the array afterwards. */
  public static Key wrap(byte[] bytes) {
    return new Key(bytes);
  }

  public static Key of(String utf8) {
    return new Key(utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The key's bytes. Callers must not modify the array. */
  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public int compareTo(Key other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "Key[" + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 64))
        + (bytes.length > 64 ? "…" : "") + "]";
  }
}
