package io.orchiddb.node.shard;

import com.google.common.base.Preconditions;
import com.google.common.base.Verify;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.LongConsumer;

/**
 * Where a shard's records ({@link PackedEntry}) live: outside the Java heap, in direct-buffer
 * slabs that records are appended to, addressed by a {@code long} (slab id in the high half,
 * offset in the low half).
 *
 * <p>Why off the heap: a record on the heap is an array with a 16-byte header that the collector
 * traces, and the collector keeps free heap in proportion to everything live, so at 1M keys of
 * 100 B the data cost ~1.5× its size in heap alone (BENCHMARKS.md, "Memory"). Here a record costs
 * its bytes and the table's 8-byte address; the heap holds only requests, Raft's caches and the
 * table's address arrays.
 *
 * <p>Records never change in place. An overwrite appends a new record and {@link #release}s the
 * old one, which leaves dead bytes in its slab. A slab that is not the one being appended to and
 * whose live bytes fall below {@link #LIVE_PERCENT_MIN} percent of what it holds is <em>sparse</em>:
 * {@link PackedTable#compact} copies its live records to the current slab and then calls
 * {@link #drop}, so the dead bytes of the arena stay a bounded fraction of it. Spare slabs are
 * reused, up to {@link #SPARE_SLABS_MAX}; past that a dropped slab's memory goes back when the
 * collector finds its buffer unreachable. A record larger than a slab gets a slab of its own.
 *
 * <p>Not thread-safe: {@link ShardStore} serialises writers against readers, and no address is
 * used outside its lock, so a slab is reused or dropped only when nothing can still read it. The
 * one exception is a {@link #pin}ned view (a snapshot being written on another thread): while a
 * pin is held, a dropped slab's buffer is not reused, so the records the view reads stay as they
 * were (records never change in place; {@link #release} sets only a dead bit that readers of the
 * record's fields do not see).
 * Allocation failure (the direct-memory limit, {@code -XX:MaxDirectMemorySize}) is an
 * {@link OutOfMemoryError} on the apply thread, which stops the node as a heap one would.
 */
final class RecordArena {
  /** Slab size: a sparse slab is copied in one go on the apply thread, so it stays small. */
  static final int SLAB_BYTES_DEFAULT = 256 * 1024;
  /**
   * Below this share of live bytes a slab is compacted. Each byte reclaimed costs copying
   * {@code p / (100 - p)} live bytes, and each record copied a table lookup on the apply thread:
   * at 50 (one record copied per record freed) an overwrite applies in ~1.3× the time it takes
   * without compaction (JMH {@code ShardApplyBench}: 1.60 against 1.27 µs per put at 100k keys).
   * Slabs other than the current one stay at least half live; under uniform overwrites the held
   * bytes stay near 4/3 of the live ones.
   */
  static final int LIVE_PERCENT_MIN = 50;
  static final int SPARE_SLABS_MAX = 4;

  private final int slabBytes;
  /** Slabs by id; null where a dropped slab's id is free again. */
  private final ArrayList<Slab> slabs = new ArrayList<>();
  private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>();
  private final ArrayDeque<Slab> sparse = new ArrayDeque<>();
  /** Buffers of slabs dropped while {@link #pins} was above zero: reusable once it is zero again. */
  private final ArrayList<ByteBuffer> droppedWhilePinned = new ArrayList<>();
  private int pins;
  private Slab current;
  private long slabBytesHeld;
  private long liveBytes;

  private static final class Slab {
    final int id;
    final ByteBuffer buf;
    /** The end of the last record written; records fill [0, end). */
    int end;
    int live;
    boolean queued;

    Slab(int id, ByteBuffer buf) {
      this.id = id;
      this.buf = buf;
    }

    /** Whether its live bytes are below {@link #LIVE_PERCENT_MIN} percent of what it holds. */
    boolean sparse() {
      return (long) live * 100 < (long) end * LIVE_PERCENT_MIN;
    }
  }

  /** An arena of {@code slabBytes} slabs (small in tests, to compact often). */
  RecordArena(int slabBytes) {
    Preconditions.checkArgument(slabBytes >= 64, "slab of %s bytes is too small", slabBytes);
    this.slabBytes = slabBytes;
  }

  /** Stores a record; returns its address. */
  long add(byte[] key, byte[] value, long version, long createIndex, long modifyTimeMs) {
    int size = PackedEntry.size(key, value, version, createIndex, modifyTimeMs);
    Slab slab = slabFor(size);
    int pos = slab.end;
    Verify.verify(PackedEntry.write(slab.buf, pos, key, value, version, createIndex, modifyTimeMs) == pos + size);
    return added(slab, pos, size);
  }

  /** Copies the record at {@code address} to a new place (compaction); returns its new address. */
  long copy(long address) {
    Slab from = slab(address);
    int at = offset(address);
    int size = PackedEntry.length(from.buf, at);
    Slab to = slabFor(size);
    int pos = to.end;
    to.buf.put(pos, from.buf, at, size);
    return added(to, pos, size);
  }

  private long added(Slab slab, int pos, int size) {
    slab.end = pos + size;
    slab.live += size;
    liveBytes += size;
    return ((long) slab.id << 32) | pos;
  }

  /** The record at {@code address} is no longer referenced. */
  void release(long address) {
    Slab slab = slab(address);
    int size = PackedEntry.length(slab.buf, offset(address));
    PackedEntry.markDead(slab.buf, offset(address));
    slab.live -= size;
    liveBytes -= size;
    Verify.verify(slab.live >= 0, "slab %s released more than it holds", slab.id);
    if (slab != current) {
      queueIfSparse(slab);
    }
  }

  /** The next sparse slab's id, or -1 when there is none. */
  int nextSparse() {
    Slab slab = sparse.poll();
    return slab == null ? -1 : slab.id;
  }

  /** Visits the address of every record in a slab not yet {@link #release}d, in the order written. */
  void forEachLive(int slabId, LongConsumer visitor) {
    Slab slab = slabs.get(slabId);
    for (int pos = 0; pos < slab.end; pos += PackedEntry.length(slab.buf, pos)) {
      if (!PackedEntry.isDead(slab.buf, pos)) {
        visitor.accept(((long) slabId << 32) | pos);
      }
    }
  }

  /** Gives up a slab none of whose records is referenced any more. */
  void drop(int slabId) {
    Slab slab = slabs.set(slabId, null);
    Verify.verify(slab != null && slab != current, "slab %s cannot be dropped", slabId);
    liveBytes -= slab.live;
    slabBytesHeld -= slab.buf.capacity();
    freeIds.push(slabId);
    if (pins > 0) {
      droppedWhilePinned.add(slab.buf);
    } else {
      spare(slab.buf);
    }
  }

  private void spare(ByteBuffer buf) {
    if (buf.capacity() == slabBytes && spares.size() < SPARE_SLABS_MAX) {
      spares.push(buf);
    }
  }

  /**
   * The buffer of every slab, by slab id (null where there is none), for reading the records at
   * today's addresses after this arena has moved on; valid while {@link #pin}ned. A slab being
   * appended to keeps its records below today's end as they are.
   */
  ByteBuffer[] pin() {
    pins++;
    ByteBuffer[] bufs = new ByteBuffer[slabs.size()];
    for (int i = 0; i < bufs.length; i++) {
      Slab slab = slabs.get(i);
      bufs[i] = slab == null ? null : slab.buf;
    }
    return bufs;
  }

  /** Ends a {@link #pin}: slabs dropped meanwhile may be reused. */
  void unpin() {
    Verify.verify(pins > 0, "unpin without a pin");
    if (--pins == 0) {
      droppedWhilePinned.forEach(this::spare);
      droppedWhilePinned.clear();
    }
  }

  int compareKey(long address, byte[] key) {
    return PackedEntry.compareKey(slab(address).buf, offset(address), key);
  }

  byte[] key(long address) {
    return PackedEntry.key(slab(address).buf, offset(address));
  }

  long version(long address) {
    return PackedEntry.version(slab(address).buf, offset(address));
  }

  long createIndex(long address) {
    return PackedEntry.createIndex(slab(address).buf, offset(address));
  }

  /** The entry at {@code address}, with its own copy of the value. */
  Entry entry(long address) {
    return PackedEntry.entry(slab(address).buf, offset(address));
  }

  /** Bytes of slabs held (spares not counted). */
  long slabBytes() {
    return slabBytesHeld;
  }

  /** Bytes of records still referenced. */
  long liveBytes() {
    return liveBytes;
  }

  /**
   * Slabs other than the current one whose live bytes are below {@link #LIVE_PERCENT_MIN}: none
   * once {@link PackedTable} has compacted (what its tests check).
   */
  int sparseSlabs() {
    int n = 0;
    for (Slab slab : slabs) {
      if (slab != null && slab != current && slab.sparse()) {
        n++;
      }
    }
    return n;
  }

  private Slab slabFor(int size) {
    if (current != null && current.end + size <= current.buf.capacity()) {
      return current;
    }
    if (size > slabBytes) {
      return newSlab(size); // a slab of its own; never current
    }
    Slab full = current;
    current = newSlab(slabBytes);
    if (full != null) {
      queueIfSparse(full);
    }
    return current;
  }

  private Slab newSlab(int capacity) {
    ByteBuffer buf = capacity == slabBytes && !spares.isEmpty() ? spares.pop() : ByteBuffer.allocateDirect(capacity);
    int id = freeIds.isEmpty() ? slabs.size() : freeIds.pop();
    Slab slab = new Slab(id, buf);
    if (id == slabs.size()) {
      slabs.add(slab);
    } else {
      slabs.set(id, slab);
    }
    slabBytesHeld += capacity;
    return slab;
  }

  private void queueIfSparse(Slab slab) {
    if (!slab.queued && slab.sparse()) {
      slab.queued = true;
      sparse.add(slab);
    }
  }

  private Slab slab(long address) {
    return slabs.get((int) (address >>> 32));
  }

  private static int offset(long address) {
    return (int) address;
  }
}
