package io.orchiddb.node.shard;

import java.util.Arrays;

/**
 * What the store keeps for a key.
 *
 * @param value the value bytes; never modified after the entry is built
 * @param version log index of the last write of the key
 * @param createIndex log index of the write that created the key since it was last absent
 * @param modifyTimeMs leader-stamped time of the last write, milliseconds since the epoch
 */
public record Entry(byte[] value, long version, long createIndex, long modifyTimeMs) {
  public Entry {
    if (version <= 0 || createIndex <= 0 || createIndex > version) {
      throw new IllegalArgumentException(
          "bad entry indexes: version " + version + ", createIndex " + createIndex);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && version == e.version && createIndex == e.createIndex
        && modifyTimeMs == e.modifyTimeMs && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Entry[" + value.length + " bytes, version=" + version + ", createIndex=" + createIndex
        + ", modifyTimeMs=" + modifyTimeMs + "]";
  }
}
