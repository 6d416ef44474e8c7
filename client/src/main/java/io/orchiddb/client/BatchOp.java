package io.orchiddb.client;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * One operation of a {@link OrchidClient#batch batch}: a put or a delete, each with an optional
 * {@link Condition}. Operations on keys of the same shard commit atomically (all or none);
 * operations on different shards commit independently. Immutable; arrays are copied.
 */
public final class BatchOp {
  /** What an operation does. */
  public enum Type {
    PUT,
    DELETE
  }

  private final Type type;
  private final ByteString key;
  private final ByteString value;
  private final Condition condition;

  private BatchOp(Type type, ByteString key, ByteString value, Condition condition) {
    this.type = type;
    this.key = key;
    this.value = value;
    this.condition = Objects.requireNonNull(condition, "condition");
  }

  public static BatchOp put(byte[] key, byte[] value) {
    return put(key, value, Condition.always());
  }

  public static BatchOp put(byte[] key, byte[] value, Condition condition) {
    return new BatchOp(Type.PUT, copy(key, "key"), copy(value, "value"), condition);
  }

  public static BatchOp delete(byte[] key) {
    return delete(key, Condition.always());
  }

  public static BatchOp delete(byte[] key, Condition condition) {
    return new BatchOp(Type.DELETE, copy(key, "key"), ByteString.EMPTY, condition);
  }

  private static ByteString copy(byte[] bytes, String what) {
    return ByteString.copyFrom(Objects.requireNonNull(bytes, what));
  }

  public Type type() {
    return type;
  }

  public byte[] key() {
    return key.toByteArray();
  }

  /** The value to put; empty for a delete. */
  public byte[] value() {
    return value.toByteArray();
  }

  public Condition condition() {
    return condition;
  }

  ByteString keyBytes() {
    return key;
  }

  ByteString valueBytes() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchOp other
        && type == other.type
        && key.equals(other.key)
        && value.equals(other.value)
        && condition.equals(other.condition);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, key, value, condition);
  }

  @Override
  public String toString() {
    return "BatchOp{" + type + " key=" + Codec.printable(key)
        + (type == Type.PUT ? ", value=" + value.size() + " bytes" : "")
        + ", " + condition + "}";
  }
}
