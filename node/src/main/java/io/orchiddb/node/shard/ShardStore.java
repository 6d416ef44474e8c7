package io.orchiddb.node.shard;

import com.google.common.base.Preconditions;
import com.google.common.base.Verify;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * The data of one shard: an ordered map from key to {@link Entry}, held as one packed record per
 * key ({@link PackedEntry}) outside the Java heap ({@link RecordArena}), addressed from sorted
 * leaves ({@link PackedTable}). Pure: no Raft, no proto, no clock. The Raft state machine feeds it
 * committed writes in log order and serves reads from it.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Writes arrive in strictly increasing log index order; every key a write touches gets that
 *       index as its version. Apply depends only on the arguments and the current state, so
 *       every replica that applies the same log holds the same map.
 *   <li>A transaction's conditions are all checked against the state before it; either all of
 *       its operations apply or none does.
 *   <li>One writer (the apply thread), many readers. A whole log entry applies under the write
 *       lock, so a reader never sees part of it.
 * </ul>
 */
public final class ShardStore {
  private final PackedTable table;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private long lastWriteIndex;

  public ShardStore() {
    this(PackedTable.DEFAULT_LEAF_CAPACITY, RecordArena.SLAB_BYTES_DEFAULT);
  }

  /**
   * A store whose table holds at most {@code leafCapacity} keys per leaf and whose records live in
   * slabs of {@code slabBytes} (both small in tests, to split and compact often).
   */
  ShardStore(int leafCapacity, int slabBytes) {
    this(new PackedTable(leafCapacity, slabBytes), 0);
  }

  private ShardStore(PackedTable table, long lastWriteIndex) {
    this.table = table;
    this.lastWriteIndex = lastWriteIndex;
  }

  /**
   * Applies the transactions of the log entry at {@code index}, in order.
   *
   * @param index the entry's log index; greater than that of every earlier write
   * @param timestampMs the leader's timestamp for the entry
   * @return one outcome per transaction
   */
  public List<TxnOutcome> apply(long index, long timestampMs, List<List<WriteOp>> txns) {
    lock.writeLock().lock();
    try {
      Verify.verify(index > lastWriteIndex, "index %s after %s", index, lastWriteIndex);
      lastWriteIndex = index;
      List<TxnOutcome> outcomes = new ArrayList<>(txns.size());
      for (List<WriteOp> txn : txns) {
        outcomes.add(applyTxn(index, timestampMs, txn));
      }
      return outcomes;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private TxnOutcome applyTxn(long index, long timestampMs, List<WriteOp> txn) {
    List<TxnOutcome.OpOutcome> ops = new ArrayList<>(txn.size());
    RecordArena records = table.records();
    boolean allHold = true;
    for (WriteOp op : txn) {
      long current = table.find(op.key().bytes());
      boolean found = current != PackedTable.NONE;
      // Only a condition needs the entry itself (and a value condition its value): skip the copy otherwise.
      boolean holds = op.condition() instanceof Condition.Always
          || op.condition().holds(found ? records.entry(current) : null);
      allHold &= holds;
      ops.add(new TxnOutcome.OpOutcome(found, found ? records.version(current) : 0, !holds));
    }
    if (!allHold) {
      return new TxnOutcome(false, ops);
    }
    for (WriteOp op : txn) {
      byte[] key = op.key().bytes();
      if (op instanceof WriteOp.Put put) {
        table.put(key, put.value(), index, timestampMs);
      } else {
        table.remove(key);
      }
    }
    return new TxnOutcome(true, ops);
  }

  /** The entry for {@code key} (with its own copy of the value), or null when absent. */
  public Entry get(Key key) {
    lock.readLock().lock();
    try {
      // Decoded under the lock: the next write may move or reuse the record's bytes.
      long rec = table.find(key.bytes());
      return rec == PackedTable.NONE ? null : table.records().entry(rec);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Entries with keys in {@code [start, end)}, in key order.
   *
   * @param end exclusive upper bound, or null for none
   * @param limit the most entries to return, positive
   */
  public ScanPage scan(Key start, Key end, int limit) {
    Preconditions.checkArgument(limit > 0, "limit must be positive: %s", limit);
    List<Map.Entry<Key, Entry>> out = new ArrayList<>(Math.min(limit, 1024));
    lock.readLock().lock();
    try {
      if (end != null && start.compareTo(end) >= 0) {
        return new ScanPage(List.of(), false);
      }
      RecordArena records = table.records();
      boolean more = table.scan(start.bytes(), end == null ? null : end.bytes(), limit,
          rec -> out.add(Map.entry(Key.wrap(records.key(rec)), records.entry(rec))));
      return new ScanPage(out, more);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A page of a scan: the entries, and whether the range holds more after the last one. */
  public record ScanPage(List<Map.Entry<Key, Entry>> entries, boolean more) {}

  public int size() {
    lock.readLock().lock();
    try {
      return table.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Memory the records take outside the heap: slab bytes held and, of them, bytes of records still
   * referenced (the rest is dead space compaction has not reclaimed yet).
   */
  public StoreBytes bytes() {
    lock.readLock().lock();
    try {
      RecordArena records = table.records();
      return new StoreBytes(records.slabBytes(), records.liveBytes());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** See {@link #bytes()}. */
  public record StoreBytes(long held, long live) {}

  /** Index of the last write applied (or restored from a snapshot). */
  public long lastWriteIndex() {
    lock.readLock().lock();
    try {
      return lastWriteIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The store as of now, to read from another thread while writes go on (how a snapshot is
   * written without holding up the apply thread): entries in key order, frozen. Taking it costs 8
   * bytes of heap per key and a pass over the table; while it is open, the record slabs that writes
   * free are kept rather than reused, so memory grows with what is written meanwhile. Close it
   * when done (any thread; once).
   */
  public Frozen freeze() {
    lock.readLock().lock();
    try {
      return new Frozen(table.freeze(), lastWriteIndex);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** See {@link #freeze}. */
  public final class Frozen implements AutoCloseable {
    private final PackedTable.Frozen view;
    private final long lastWriteIndex;
    private boolean closed;

    private Frozen(PackedTable.Frozen view, long lastWriteIndex) {
      this.view = view;
      this.lastWriteIndex = lastWriteIndex;
    }

    public int size() {
      return view.size();
    }

    /** {@link ShardStore#lastWriteIndex} when frozen. */
    public long lastWriteIndex() {
      return lastWriteIndex;
    }

    /** A cursor over the records in key order, reading them in place (see {@link RecordCursor}). */
    public RecordCursor cursor() {
      Preconditions.checkState(!closed, "frozen view used after close");
      return new RecordCursor(view);
    }

    /** Visits every entry in key order (the order makes snapshot files identical across replicas). */
    public void forEachInOrder(BiConsumer<Key, Entry> visitor) {
      Preconditions.checkState(!closed, "frozen view used after close");
      for (int i = 0; i < view.size(); i++) {
        visitor.accept(Key.wrap(view.key(i)), view.entry(i));
      }
    }

    @Override
    public void close() {
      // The arena is the writer's: change it under the write lock, as a write would.
      lock.writeLock().lock();
      try {
        if (!closed) {
          closed = true;
          table.records().unpin();
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Builds a store from entries given in strictly increasing key order, e.g. from a snapshot. */
  public static final class Loader {
    private final PackedTable table;

    public Loader() {
      this(PackedTable.DEFAULT_LEAF_CAPACITY, RecordArena.SLAB_BYTES_DEFAULT);
    }

    Loader(int leafCapacity, int slabBytes) {
      table = new PackedTable(leafCapacity, slabBytes);
    }

    public Loader add(Key key, Entry entry) {
      table.append(key.bytes(), entry.value(), entry.version(), entry.createIndex(), entry.modifyTimeMs());
      return this;
    }

    public ShardStore build(long lastWriteIndex) {
      return new ShardStore(table, lastWriteIndex);
    }
  }
}
