package io.orchiddb.router.shard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.proto.raft.ShardInfo;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The router's cache of recent EVENTUAL reads: a hot key read again within {@code ttl} is answered
 * here, without a trip to a replica. Only EVENTUAL reads use it (STRONG and SESSION always go to
 * a replica), and what it answers is what a replica answered, with that replica's name and
 * applied index: an eventual read "may be stale, never invented" (README), and the cache adds at
 * most {@code ttl} of staleness to what a replica's lag already allows.
 *
 * <p>Only keys read again soon are cached: a key's first answer is remembered in a small
 * doorkeeper table (a hash per slot), and the key is cached when another answer for it comes while
 * the table still holds it. Caching every answer cost the router ~20% more CPU per get when reads
 * were spread evenly over many keys and almost none was read twice within the TTL (BENCHMARKS.md);
 * with the doorkeeper such reads cost a table probe. Bounded by bytes (keys and values plus a fixed
 * overhead per entry); Caffeine's admission policy (W-TinyLFU) keeps the keys read most, so a
 * sweep over many keys does not flush the hot ones.
 *
 * <p>Writes through this router fence their keys: once a write of a key is applied at log index
 * {@code i}, the cache holds no answer for that key older than {@code i}, and only a read from a
 * replica that had applied {@code i} may be cached again. So a client reading its own writes
 * through one router does not see them undone by the cache, and a read that started before the
 * write but finished after it cannot put the old value back. A write whose outcome is unknown
 * drops the key. Writes through other routers are not seen; the TTL bounds how long they stay
 * unseen. Every answer is tied to the shard (id and epoch) that served it; after the shard map
 * changes, answers from an older shard are not used.
 *
 * <p>Thread-safe.
 */
final class ReadCache {
  /** Bytes an entry costs beyond its key and value (the entry, the node id, Caffeine's node). */
  static final int ENTRY_OVERHEAD_BYTES = 160;

  /**
   * What the cache holds for a key: a replica's answer, or a fence left by a write.
   *
   * @param kv the key's value as the replica read it; null when it found no key (or for a fence)
   * @param fence for a fence, the log index of the write; 0 for an answer
   * @param expiresAt when this stops being used, on the router's clock (nanoseconds)
   */
  record Entry(int shardId, long epoch, String servedBy, long appliedIndex, KeyValue kv, long fence,
      long expiresAt) {
    boolean isFence() {
      return fence > 0;
    }

    /** The log index this entry says the cache knows of: the write's for a fence, the read's for an answer. */
    long knownIndex() {
      return isFence() ? fence : appliedIndex;
    }

    boolean sameShard(ShardInfo shard) {
      return shardId == shard.getId() && epoch == shard.getEpoch();
    }
  }

  /** Doorkeeper slots (a power of two); each key has two, so that two hot keys rarely share both. */
  static final int DOORKEEPER_SLOTS = 8192;

  private final Cache<ByteString, Entry> cache;
  /**
   * Keys answered recently and not cached: a tag of the key's hash per slot, 0 for none. Plain
   * reads and writes from many threads: a lost or torn update only misplaces one admission.
   */
  private final long[] doorkeeper = new long[DOORKEEPER_SLOTS];
  private final long ttlNanos;
  private final long fenceNanos;
  private final LongSupplier nanoClock;

  /**
   * @param ttl how long an answer is used; must be positive
   * @param fenceTtl how long a write's fence lasts: at least the longest a read may take, so that
   *     no read that started before the write can still finish after the fence is gone
   * @param bytesMax most bytes held (keys, values and {@link #ENTRY_OVERHEAD_BYTES} per entry)
   * @param nanoClock the router's monotonic clock
   */
  ReadCache(Duration ttl, Duration fenceTtl, long bytesMax, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
    this.fenceNanos = Math.max(fenceTtl.toNanos(), ttlNanos);
    this.nanoClock = nanoClock;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(bytesMax)
        .weigher((ByteString key, Entry e) -> key.size() + ENTRY_OVERHEAD_BYTES
            + (e.kv() == null ? 0 : e.kv().getValue().size()))
        .expireAfter(new Expiry<ByteString, Entry>() {
          @Override
          public long expireAfterCreate(ByteString key, Entry e, long now) {
            return Math.max(0, e.expiresAt() - now);
          }

          @Override
          public long expireAfterUpdate(ByteString key, Entry e, long now, long current) {
            return expireAfterCreate(key, e, now);
          }

          @Override
          public long expireAfterRead(ByteString key, Entry e, long now, long current) {
            return current;
          }
        })
        .ticker(nanoClock::getAsLong)
        // Eviction and expiry bookkeeping on the calling thread: no hand-off to a pool per write.
        .executor(Runnable::run)
        .build();
  }

  /** The cached answer for {@code key} from {@code shard}, or null. */
  Entry lookup(ByteString key, ShardInfo shard) {
    Entry e = cache.getIfPresent(key);
    if (e == null || e.isFence() || !e.sameShard(shard) || expired(e)) {
      return null;
    }
    return e;
  }

  /**
   * Offers a replica's answer. It is kept unless the cache already knows something newer for the
   * key on that shard: an answer at a higher applied index, or a write the answer does not include.
   *
   * @param kv the value read, or null when the replica found no key
   */
  void offer(ByteString key, ShardInfo shard, String servedBy, long appliedIndex, KeyValue kv) {
    if (cache.getIfPresent(key) == null && !seenBefore(key)) {
      return; // the key's first answer for a while: not cached yet
    }
    Entry fresh = new Entry(shard.getId(), shard.getEpoch(), servedBy, appliedIndex, kv, 0,
        nanoClock.getAsLong() + ttlNanos);
    cache.asMap().compute(key, (k, old) -> {
      if (old == null || old.shardId() != shard.getId() || expired(old)) {
        return fresh;
      }
      return appliedIndex >= old.knownIndex() ? fresh : old;
    });
  }

  /**
   * A write of {@code key} was applied at {@code index} in shard {@code shardId}: older answers go.
   * Indexes compare within a shard whatever its epoch (one Raft log); a fence is never served.
   */
  void written(ByteString key, int shardId, long index) {
    Entry fence = new Entry(shardId, -1, "", 0, null, index, nanoClock.getAsLong() + fenceNanos);
    cache.asMap().compute(key, (k, old) -> {
      if (old == null || old.shardId() != shardId || expired(old)) {
        return fence;
      }
      return old.knownIndex() >= index ? old : fence;
    });
  }

  /** A write of {@code key} may or may not have been applied: forget the key. */
  void forget(ByteString key) {
    cache.invalidate(key);
  }

  /**
   * Whether {@code key} was offered recently (its tag is in either of its slots); if not, records
   * it in both. Slots are overwritten by other keys, so "recently" lasts about {@link
   * #DOORKEEPER_SLOTS} / 2 uncached answers.
   */
  private boolean seenBefore(ByteString key) {
    int h = key.hashCode();
    long tag = (h & 0xFFFFFFFFL) | (1L << 32); // never 0, the empty slot
    int mask = DOORKEEPER_SLOTS - 1;
    int first = (h ^ (h >>> 16)) & mask;
    int second = (h * 0x9E3779B9 >>> 19) & mask;
    if (doorkeeper[first] == tag || doorkeeper[second] == tag) {
      return true;
    }
    doorkeeper[first] = tag;
    doorkeeper[second] = tag;
    return false;
  }

  private boolean expired(Entry e) {
    return e.expiresAt() - nanoClock.getAsLong() <= 0;
  }

  /** Entries held, fences included (an estimate; for tests and the metrics). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Bytes held, as the byte bound counts them (keys, values and the overhead per entry). */
  long bytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }
}
