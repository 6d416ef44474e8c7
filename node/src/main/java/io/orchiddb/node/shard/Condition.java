package io.orchiddb.node.shard;

import java.util.Arrays;

/** A condition on the key an operation writes, checked against the state before its transaction. */
public sealed interface Condition {
  /** Whether the condition holds for a key whose current entry is {@code current} (null = absent). */
  boolean holds(Entry current);

  /** No condition: always holds. */
  record Always() implements Condition {
    @Override
    public boolean holds(Entry current) {
      return true;
    }
  }

  /** Holds when the key does not exist. */
  record Absent() implements Condition {
    @Override
    public boolean holds(Entry current) {
      return current == null;
    }
  }

  /** Holds when the key exists with exactly this version. */
  record VersionEquals(long version) implements Condition {
    @Override
    public boolean holds(Entry current) {
      return current != null && current.version() == version;
    }
  }

  /** Holds when the key exists with exactly this value. */
  record ValueEquals(byte[] value) implements Condition {
    @Override
    public boolean holds(Entry current) {
      return current != null && Arrays.equals(current.value(), value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValueEquals v && Arrays.equals(value, v.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "ValueEquals[" + value.length + " bytes]";
    }
  }

  Condition ALWAYS = new Always();
  Condition ABSENT = new Absent();
}
