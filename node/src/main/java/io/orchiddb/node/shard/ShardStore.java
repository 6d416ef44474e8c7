package io.orchiddb.node.shard;

import com.google.common.base.Preconditions;
import com.google.common.base.Verify;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * The data of one shard: an ordered map from key to {@link Entry}. Pure: no Raft, no proto, no
 * clock. The Raft state machine feeds it committed writes in log order and serves reads from it.
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
  private final NavigableMap<Key, Entry> map;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private long lastWriteIndex;

  public ShardStore() {
    this(new TreeMap<>(), 0);
  }

  private ShardStore(NavigableMap<Key, Entry> map, long lastWriteIndex) {
    this.map = map;
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
    boolean allHold = true;
    for (WriteOp op : txn) {
      Entry current = map.get(op.key());
      boolean holds = op.condition().holds(current);
      allHold &= holds;
      ops.add(new TxnOutcome.OpOutcome(current != null, current == null ? 0 : current.version(), !holds));
    }
    if (!allHold) {
      return new TxnOutcome(false, ops);
    }
    for (WriteOp op : txn) {
      if (op instanceof WriteOp.Put put) {
        Entry current = map.get(put.key());
        long createIndex = current == null ? index : current.createIndex();
        map.put(put.key(), new Entry(put.value(), index, createIndex, timestampMs));
      } else {
        map.remove(op.key());
      }
    }
    return new TxnOutcome(true, ops);
  }

  /** The entry for {@code key}, or null when absent. */
  public Entry get(Key key) {
    lock.readLock().lock();
    try {
      return map.get(key);
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
    lock.readLock().lock();
    try {
      NavigableMap<Key, Entry> range = end == null
          ? map.tailMap(start, true)
          : (start.compareTo(end) >= 0 ? new TreeMap<>() : map.subMap(start, true, end, false));
      List<Map.Entry<Key, Entry>> out = new ArrayList<>(Math.min(limit, 1024));
      for (Map.Entry<Key, Entry> e : range.entrySet()) {
        if (out.size() == limit) {
          return new ScanPage(out, true);
        }
        out.add(Map.entry(e.getKey(), e.getValue()));
      }
      return new ScanPage(out, false);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A page of a scan: the entries, and whether the range holds more after the last one. */
  public record ScanPage(List<Map.Entry<Key, Entry>> entries, boolean more) {}

  public int size() {
    lock.readLock().lock();
    try {
      return map.size();
    } finally {
      lock.readLock().unlock();
    }
  }

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
   * Visits every entry in key order under the read lock (writers wait; readers go on). This is
   * how a snapshot is written: the order makes snapshot files identical across replicas.
   */
  public void forEachInOrder(BiConsumer<Key, Entry> visitor) {
    lock.readLock().lock();
    try {
      map.forEach(visitor);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Builds a store from entries given in strictly increasing key order, e.g. from a snapshot. */
  public static final class Loader {
    private final TreeMap<Key, Entry> map = new TreeMap<>();
    private Key last;

    public Loader add(Key key, Entry entry) {
      Preconditions.checkArgument(last == null || last.compareTo(key) < 0,
          "keys out of order: %s after %s", key, last);
      map.put(key, entry);
      last = key;
      return this;
    }

    public ShardStore build(long lastWriteIndex) {
      return new ShardStore(map, lastWriteIndex);
    }
  }
}
