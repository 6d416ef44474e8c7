package io.orchiddb.node.shard;

import com.google.common.base.Preconditions;
import com.google.common.base.Verify;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.function.LongConsumer;

/**
 * An ordered set of {@link PackedEntry} records keyed by their key bytes (unsigned order): the
 * records live in a {@link RecordArena}, and the table is a list of sorted leaves of at most
 * {@code leafCapacity} record addresses (one {@code long[]} per many keys, not an object per key).
 * Lookups binary-search the leaves by first key, then the leaf. Addresses are valid until the next
 * {@link #put}, {@link #remove} or {@link #append}, which may move records (compaction).
 *
 * <p>Not thread-safe: {@link ShardStore} serialises writers against readers.
 *
 * <p>Invariants: every leaf is non-empty; records are strictly increasing by key within a leaf
 * and across consecutive leaves; every record in the arena that is still live is referenced by
 * exactly one slot. A leaf that a removal leaves small merges with a neighbour when the two fit in
 * half a leaf, so deletes do not strand sparse leaves.
 */
final class PackedTable {
  static final int DEFAULT_LEAF_CAPACITY = 128;
  /** What {@link #find} returns for a key the table does not hold. */
  static final long NONE = -1;

  private final int leafCapacity;
  private final RecordArena arena;
  private final ArrayList<Leaf> leaves = new ArrayList<>();
  private int size;

  /** A table of leaves of at most {@code leafCapacity} keys over an arena of {@code slabBytes} slabs. */
  PackedTable(int leafCapacity, int slabBytes) {
    Preconditions.checkArgument(leafCapacity >= 2, "leaf capacity must be at least 2: %s", leafCapacity);
    this.leafCapacity = leafCapacity;
    this.arena = new RecordArena(slabBytes);
  }

  private final class Leaf {
    final long[] records;
    int count;

    Leaf(int capacity) {
      records = new long[capacity];
    }

    long first() {
      return records[0];
    }

    /** Index of the record with {@code key}, or {@code -(insertion point) - 1}. */
    int search(byte[] key) {
      int lo = 0;
      int hi = count - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = arena.compareKey(records[mid], key);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -lo - 1;
    }
  }

  int size() {
    return size;
  }

  /** The arena that holds the records, to read them by address. */
  RecordArena records() {
    return arena;
  }

  /** The address of the record for {@code key}, or {@link #NONE}. */
  long find(byte[] key) {
    if (leaves.isEmpty()) {
      return NONE;
    }
    Leaf leaf = leaves.get(leafFor(key));
    int i = leaf.search(key);
    return i >= 0 ? leaf.records[i] : NONE;
  }

  /**
   * Stores a record for {@code key} at {@code version}, replacing the one it had. Its create index
   * is the replaced record's, or {@code version} when the key is new.
   */
  void put(byte[] key, byte[] value, long version, long modifyTimeMs) {
    if (leaves.isEmpty()) {
      leaves.add(new Leaf(leafCapacity));
    }
    int li = leafFor(key);
    Leaf leaf = leaves.get(li);
    int i = leaf.search(key);
    if (i >= 0) {
      long old = leaf.records[i];
      leaf.records[i] = arena.add(key, value, version, arena.createIndex(old), modifyTimeMs);
      arena.release(old);
    } else {
      insert(li, -i - 1, arena.add(key, value, version, version, modifyTimeMs));
      size++;
    }
    compact();
  }

  private void insert(int li, int at, long record) {
    Leaf leaf = leaves.get(li);
    if (leaf.count == leafCapacity) {
      Leaf right = new Leaf(leafCapacity);
      if (at == leafCapacity && li == leaves.size() - 1) {
        // Appending past the last key (e.g. ascending inserts): start a new leaf and leave this one full.
        right.records[0] = record;
        right.count = 1;
        leaves.add(right);
        return;
      }
      int keep = leafCapacity / 2;
      int moved = leafCapacity - keep;
      System.arraycopy(leaf.records, keep, right.records, 0, moved);
      leaf.count = keep;
      right.count = moved;
      leaves.add(li + 1, right);
      if (at > keep) {
        leaf = right;
        at -= keep;
      }
    }
    System.arraycopy(leaf.records, at, leaf.records, at + 1, leaf.count - at);
    leaf.records[at] = record;
    leaf.count++;
  }

  /** Removes the record for {@code key}; returns whether there was one. */
  boolean remove(byte[] key) {
    if (leaves.isEmpty()) {
      return false;
    }
    int li = leafFor(key);
    Leaf leaf = leaves.get(li);
    int i = leaf.search(key);
    if (i < 0) {
      return false;
    }
    long record = leaf.records[i];
    System.arraycopy(leaf.records, i + 1, leaf.records, i, leaf.count - i - 1);
    leaf.count--;
    size--;
    if (leaf.count == 0) {
      leaves.remove(li);
    } else if (li + 1 < leaves.size() && leaf.count + leaves.get(li + 1).count <= leafCapacity / 2) {
      mergeWithNext(li);
    } else if (li > 0 && leaf.count + leaves.get(li - 1).count <= leafCapacity / 2) {
      mergeWithNext(li - 1);
    }
    arena.release(record);
    compact();
    return true;
  }

  private void mergeWithNext(int li) {
    Leaf left = leaves.get(li);
    Leaf right = leaves.remove(li + 1);
    System.arraycopy(right.records, 0, left.records, left.count, right.count);
    left.count += right.count;
  }

  /**
   * Visits records with keys in {@code [start, end)} in key order until {@code visitor} has seen
   * {@code limit} of them; returns whether the range holds more after the last one visited.
   *
   * @param end exclusive upper bound, or null for none
   */
  boolean scan(byte[] start, byte[] end, int limit, LongConsumer visitor) {
    if (leaves.isEmpty()) {
      return false;
    }
    int li = leafFor(start);
    int i = leaves.get(li).search(start);
    if (i < 0) {
      i = -i - 1;
    }
    int seen = 0;
    for (; li < leaves.size(); li++, i = 0) {
      Leaf leaf = leaves.get(li);
      for (; i < leaf.count; i++) {
        long rec = leaf.records[i];
        if (end != null && arena.compareKey(rec, end) >= 0) {
          return false;
        }
        if (seen == limit) {
          return true;
        }
        visitor.accept(rec);
        seen++;
      }
    }
    return false;
  }

  /** Visits every record in key order. */
  void forEach(LongConsumer visitor) {
    for (Leaf leaf : leaves) {
      for (int i = 0; i < leaf.count; i++) {
        visitor.accept(leaf.records[i]);
      }
    }
  }

  /**
   * The table as it is now, readable from another thread while this one goes on changing: every
   * record's address in key order and the arena's slabs, which stay as they are until the caller
   * {@link RecordArena#unpin}s. Costs 8 bytes of heap per key, copied here.
   */
  Frozen freeze() {
    long[] addresses = new long[size];
    int n = 0;
    for (Leaf leaf : leaves) {
      System.arraycopy(leaf.records, 0, addresses, n, leaf.count);
      n += leaf.count;
    }
    Verify.verify(n == size, "leaves hold %s records, size is %s", n, size);
    return new Frozen(addresses, arena.pin());
  }

  /** See {@link #freeze}. Reads only; any thread. */
  record Frozen(long[] addresses, ByteBuffer[] slabs) {
    int size() {
      return addresses.length;
    }

    byte[] key(int i) {
      long address = addresses[i];
      return PackedEntry.key(slabs[(int) (address >>> 32)], (int) address);
    }

    Entry entry(int i) {
      long address = addresses[i];
      return PackedEntry.entry(slabs[(int) (address >>> 32)], (int) address);
    }
  }

  /** Appends a record whose key is greater than every key held (bulk load, e.g. from a snapshot). */
  void append(byte[] key, byte[] value, long version, long createIndex, long modifyTimeMs) {
    if (!leaves.isEmpty()) {
      Leaf last = leaves.get(leaves.size() - 1);
      Preconditions.checkArgument(arena.compareKey(last.records[last.count - 1], key) < 0,
          "keys out of order");
    } else {
      leaves.add(new Leaf(leafCapacity));
    }
    int li = leaves.size() - 1;
    insert(li, leaves.get(li).count, arena.add(key, value, version, createIndex, modifyTimeMs));
    size++;
  }

  /**
   * Copies the live records of every sparse slab of the arena to its current one, points their
   * keys' slots at the copies, and drops the slab (see {@link RecordArena}).
   */
  private void compact() {
    for (int slab = arena.nextSparse(); slab >= 0; slab = arena.nextSparse()) {
      arena.forEachLive(slab, record -> {
        byte[] key = arena.key(record);
        Leaf leaf = leaves.get(leafFor(key));
        int i = leaf.search(key);
        Verify.verify(i >= 0 && leaf.records[i] == record, "a live record is not in the table");
        leaf.records[i] = arena.copy(record);
      });
      arena.drop(slab);
    }
  }

  /** The index of the last leaf whose first key is ≤ {@code key}, or 0 when there is none. */
  private int leafFor(byte[] key) {
    int lo = 0;
    int hi = leaves.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (arena.compareKey(leaves.get(mid).first(), key) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
