package io.orchiddb.client;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * A condition on the key a write touches; the write applies only if it holds. When it does not,
 * a single put or delete fails with {@link ConditionFailedException} (carrying the key's current
 * version) and a batch reports {@link BatchResult.Outcome#CONDITION_FAILED} for that operation.
 * Nothing is written in either case. Immutable.
 */
public final class Condition {
  /** Which test a condition makes. */
  public enum Kind {
    /** No condition: the write always applies. */
    ALWAYS,
    /** Holds when the key does not exist. */
    ABSENT,
    /** Holds when the key exists with exactly this version. */
    VERSION_EQUALS,
    /** Holds when the key exists with exactly this value. */
    VALUE_EQUALS
  }

  private static final Condition ALWAYS = new Condition(Kind.ALWAYS, 0, ByteString.EMPTY);
  private static final Condition ABSENT = new Condition(Kind.ABSENT, 0, ByteString.EMPTY);

  private final Kind kind;
  private final long version;
  private final ByteString value;

  private Condition(Kind kind, long version, ByteString value) {
    this.kind = kind;
    this.version = version;
    this.value = value;
  }

  /** No condition. */
  public static Condition always() {
    return ALWAYS;
  }

  /** The key must not exist: put-if-absent, create-only. */
  public static Condition absent() {
    return ABSENT;
  }

  /**
   * The key must exist with this version (compare-and-set on a version read earlier, e.g.
   * {@link KeyValue#version()} or {@link PutResult#version()}). Versions are positive.
   */
  public static Condition versionEquals(long version) {
    if (version <= 0) {
      throw new IllegalArgumentException(
          "version must be positive (an existing key's version), got " + version
              + "; use Condition.absent() for a key that must not exist");
    }
    return new Condition(Kind.VERSION_EQUALS, version, ByteString.EMPTY);
  }

  /** The key must exist with exactly these bytes as its value (copied). */
  public static Condition valueEquals(byte[] value) {
    return new Condition(Kind.VALUE_EQUALS, 0, ByteString.copyFrom(Objects.requireNonNull(value, "value")));
  }

  public Kind kind() {
    return kind;
  }

  /** The expected version for {@link Kind#VERSION_EQUALS}; 0 otherwise. */
  public long version() {
    return version;
  }

  /** A copy of the expected value for {@link Kind#VALUE_EQUALS}; empty otherwise. */
  public byte[] value() {
    return value.toByteArray();
  }

  ByteString valueBytes() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition other
        && kind == other.kind
        && version == other.version
        && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, version, value);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ALWAYS -> "Condition.always()";
      case ABSENT -> "Condition.absent()";
      case VERSION_EQUALS -> "Condition.versionEquals(" + version + ")";
      case VALUE_EQUALS -> "Condition.valueEquals(" + value.size() + " bytes)";
    };
  }
}
