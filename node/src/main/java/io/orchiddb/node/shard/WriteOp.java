package io.orchiddb.node.shard;

/** One operation of a transaction. */
public sealed interface WriteOp {
  Key key();

  Condition condition();

  /** Sets {@code key} to {@code value}; the array must not be modified afterwards. */
  record Put(Key key, byte[] value, Condition condition) implements WriteOp {}

  /** Removes {@code key}; a no-op (that still succeeds) when the key is absent. */
  record Delete(Key key, Condition condition) implements WriteOp {}
}
