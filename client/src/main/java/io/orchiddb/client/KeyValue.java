package io.orchiddb.client;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * A key with its value and metadata, as read. Immutable: {@link #key()} and {@link #value()}
 * return copies.
 */
public final class KeyValue {
  private final ByteString key;
  private final ByteString value;
  private final long version;
  private final long createVersion;
  private final long modifyTimeMs;

  KeyValue(ByteString key, ByteString value, long version, long createVersion, long modifyTimeMs) {
    this.key = Objects.requireNonNull(key, "key");
    this.value = Objects.requireNonNull(value, "value");
    this.version = version;
    this.createVersion = createVersion;
    this.modifyTimeMs = modifyTimeMs;
  }

  /** For tests and fakes of code that consumes this SDK; the arrays are copied. */
  public static KeyValue of(
      byte[] key, byte[] value, long version, long createVersion, long modifyTimeMs) {
    return new KeyValue(
        ByteString.copyFrom(key), ByteString.copyFrom(value), version, createVersion, modifyTimeMs);
  }

  public byte[] key() {
    return key.toByteArray();
  }

  /** The value; empty for a keys-only scan. */
  public byte[] value() {
    return value.toByteArray();
  }

  /** The key decoded as UTF-8. */
  public String keyUtf8() {
    return key.toStringUtf8();
  }

  /** The value decoded as UTF-8. */
  public String valueUtf8() {
    return value.toStringUtf8();
  }

  /** The log index of the key's last write; use it with {@link Condition#versionEquals(long)}. */
  public long version() {
    return version;
  }

  /** The log index of the write that created the key (since it was last absent). */
  public long createVersion() {
    return createVersion;
  }

  /** When the key was last written, by the shard leader's clock, in ms since the epoch. */
  public long modifyTimeMs() {
    return modifyTimeMs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue other
        && key.equals(other.key)
        && value.equals(other.value)
        && version == other.version
        && createVersion == other.createVersion
        && modifyTimeMs == other.modifyTimeMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, value, version, createVersion, modifyTimeMs);
  }

  @Override
  public String toString() {
    return "KeyValue{key=" + Codec.printable(key) + ", value=" + value.size() + " bytes, version="
        + version + ", createVersion=" + createVersion + ", modifyTimeMs=" + modifyTimeMs + "}";
  }
}
