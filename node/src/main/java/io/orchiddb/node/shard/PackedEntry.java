package io.orchiddb.node.shard;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of one stored key and its {@link Entry}: a record of bytes in a {@link RecordArena}
 * slab, read and written at an absolute position in a {@link ByteBuffer}. The record is the only
 * thing the store keeps per key besides an 8-byte address in its table.
 *
 * <p>Layout: {@code [key length × 2 + dead: varint][value length: varint][key][version: varint]
 * [version - createIndex: varint][modifyTimeMs: varint][value]}. Varints are unsigned LEB128 (a
 * negative time takes 10 bytes, and still round-trips). A 16-byte key with a 100-byte value costs
 * ~12 bytes beyond the raw 116. The dead bit is the lowest bit of the first byte, so
 * {@link #markDead} sets it in place without changing the record's length: compaction skips dead
 * records without looking their keys up.
 */
final class PackedEntry {
  /** Reads 8 bytes of a key array as one big-endian long, the order {@link ByteBuffer#getLong} reads a slab in. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private PackedEntry() {}

  /** The bytes a record of these fields takes. */
  static int size(byte[] key, byte[] value, long version, long createIndex, long modifyTimeMs) {
    return varintSize((long) key.length << 1) + varintSize(value.length) + key.length + varintSize(version)
        + varintSize(version - createIndex) + varintSize(modifyTimeMs) + value.length;
  }

  /** Writes a record at {@code pos}; {@code buf} must have {@link #size} bytes there. Returns the end. */
  static int write(ByteBuffer buf, int pos, byte[] key, byte[] value, long version, long createIndex,
      long modifyTimeMs) {
    pos = putVarint(buf, pos, (long) key.length << 1);
    pos = putVarint(buf, pos, value.length);
    buf.put(pos, key);
    pos += key.length;
    pos = putVarint(buf, pos, version);
    pos = putVarint(buf, pos, version - createIndex);
    pos = putVarint(buf, pos, modifyTimeMs);
    buf.put(pos, value);
    return pos + value.length;
  }

  /** Marks the record at {@code pos} as no longer referenced. */
  static void markDead(ByteBuffer buf, int pos) {
    buf.put(pos, (byte) (buf.get(pos) | 1));
  }

  static boolean isDead(ByteBuffer buf, int pos) {
    return (buf.get(pos) & 1) != 0;
  }

  /** The size of the record at {@code pos}. */
  static int length(ByteBuffer buf, int pos) {
    int start = pos;
    int keyLength = keyLength(buf, pos);
    pos = skipVarint(buf, pos);
    int valueLength = (int) readVarint(buf, pos);
    pos = skipVarint(buf, pos) + keyLength;
    pos = skipVarint(buf, skipVarint(buf, skipVarint(buf, pos)));
    return pos + valueLength - start;
  }

  /** Compares the key of the record at {@code pos} with {@code key} as unsigned bytes. */
  static int compareKey(ByteBuffer buf, int pos, byte[] key) {
    int keyLength = keyLength(buf, pos);
    int at = skipVarint(buf, skipVarint(buf, pos));
    int n = Math.min(keyLength, key.length);
    int i = 0;
    // Eight bytes at a time: big-endian longs compared unsigned order like their bytes do.
    for (; i + Long.BYTES <= n; i += Long.BYTES) {
      long a = buf.getLong(at + i);
      long b = (long) LONGS.get(key, i);
      if (a != b) {
        return Long.compareUnsigned(a, b);
      }
    }
    for (; i < n; i++) {
      int c = (buf.get(at + i) & 0xFF) - (key[i] & 0xFF);
      if (c != 0) {
        return c;
      }
    }
    return keyLength - key.length;
  }

  static byte[] key(ByteBuffer buf, int pos) {
    byte[] key = new byte[keyLength(buf, pos)];
    buf.get(skipVarint(buf, skipVarint(buf, pos)), key);
    return key;
  }

  static long version(ByteBuffer buf, int pos) {
    return readVarint(buf, metaStart(buf, pos));
  }

  static long createIndex(ByteBuffer buf, int pos) {
    int at = metaStart(buf, pos);
    return readVarint(buf, at) - readVarint(buf, skipVarint(buf, at));
  }

  /** The entry, with a copy of the value. */
  static Entry entry(ByteBuffer buf, int pos) {
    int valueLength = (int) readVarint(buf, skipVarint(buf, pos));
    int at = metaStart(buf, pos);
    long version = readVarint(buf, at);
    at = skipVarint(buf, at);
    long createDelta = readVarint(buf, at);
    at = skipVarint(buf, at);
    long modifyTimeMs = readVarint(buf, at);
    at = skipVarint(buf, at);
    byte[] value = new byte[valueLength];
    buf.get(at, value);
    return new Entry(value, version, version - createDelta, modifyTimeMs);
  }

  /** Hands the fields of the record at {@code pos} to {@code cursor}, without copying its bytes. */
  static void decode(ByteBuffer buf, int pos, RecordCursor cursor) {
    int keyLength = keyLength(buf, pos);
    int at = skipVarint(buf, pos);
    int valueLength = (int) readVarint(buf, at);
    int keyAt = skipVarint(buf, at);
    at = keyAt + keyLength;
    long version = readVarint(buf, at);
    at = skipVarint(buf, at);
    long createDelta = readVarint(buf, at);
    at = skipVarint(buf, at);
    long modifyTimeMs = readVarint(buf, at);
    at = skipVarint(buf, at);
    cursor.set(keyAt, keyLength, at, valueLength, version, version - createDelta, modifyTimeMs);
  }

  /** Where the version starts: after the two lengths and the key. */
  private static int metaStart(ByteBuffer buf, int pos) {
    return skipVarint(buf, skipVarint(buf, pos)) + keyLength(buf, pos);
  }

  private static int keyLength(ByteBuffer buf, int pos) {
    return (int) (readVarint(buf, pos) >>> 1);
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static int putVarint(ByteBuffer buf, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      buf.put(pos++, (byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    buf.put(pos++, (byte) v);
    return pos;
  }

  private static long readVarint(ByteBuffer buf, int pos) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = buf.get(pos++);
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
  }

  private static int skipVarint(ByteBuffer buf, int pos) {
    while (buf.get(pos++) < 0) {
      // continuation bit set: keep going
    }
    return pos;
  }
}
