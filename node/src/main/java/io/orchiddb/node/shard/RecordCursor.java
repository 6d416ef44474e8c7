package io.orchiddb.node.shard;

import java.nio.ByteBuffer;

/**
 * Walks a {@link ShardStore.Frozen} view's records in key order without copying them: each
 * {@link #next} decodes one record's header in place, and the key and value are copied only into
 * the caller's array ({@link #copyKey}, {@link #copyValue}). This is how a snapshot is written, one
 * record at a time straight from the slabs into the file's buffer; {@link
 * ShardStore.Frozen#forEachInOrder} is the convenient, copying way.
 *
 * <p>Not thread-safe; valid only while its view is open.
 */
public final class RecordCursor {
  private final PackedTable.Frozen view;
  private int i = -1;
  private ByteBuffer slab;
  private int keyAt;
  private int keyLength;
  private int valueAt;
  private int valueLength;
  private long version;
  private long createIndex;
  private long modifyTimeMs;

  RecordCursor(PackedTable.Frozen view) {
    this.view = view;
  }

  /** Moves to the next record; false once every record has been visited. */
  public boolean next() {
    if (i + 1 >= view.size()) {
      i = view.size();
      return false;
    }
    i++;
    long address = view.addresses()[i];
    slab = view.slabs()[(int) (address >>> 32)];
    PackedEntry.decode(slab, (int) address, this);
    return true;
  }

  /** Called by {@link PackedEntry#decode} with the fields of the record at the cursor. */
  void set(int keyAt, int keyLength, int valueAt, int valueLength, long version, long createIndex,
      long modifyTimeMs) {
    this.keyAt = keyAt;
    this.keyLength = keyLength;
    this.valueAt = valueAt;
    this.valueLength = valueLength;
    this.version = version;
    this.createIndex = createIndex;
    this.modifyTimeMs = modifyTimeMs;
  }

  public int keyLength() {
    return keyLength;
  }

  /** Copies the key into {@code dst} at {@code offset} ({@link #keyLength} bytes). */
  public void copyKey(byte[] dst, int offset) {
    slab.get(keyAt, dst, offset, keyLength);
  }

  public int valueLength() {
    return valueLength;
  }

  /** Copies the value into {@code dst} at {@code offset} ({@link #valueLength} bytes). */
  public void copyValue(byte[] dst, int offset) {
    slab.get(valueAt, dst, offset, valueLength);
  }

  public long version() {
    return version;
  }

  public long createIndex() {
    return createIndex;
  }

  public long modifyTimeMs() {
    return modifyTimeMs;
  }
}
