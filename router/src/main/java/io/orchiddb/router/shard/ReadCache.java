package io.orchiddb.router.shard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.proto.raft.ShardInfo;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
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
 * {@code i}, no answer for that key older than {@code i} is served from the cache or admitted to
 * it, so a client reading its own writes through one router does not see them undone by the cache,
 * and a read that started before the write but finished after it cannot put the old value back.
 * Fences are not cache entries (at one per key written in the last request timeout they were
 * most of a busy router's heap, and their turnover most of its collections; BENCHMARKS.md): each
 * shard written through this router has a table of {@link #FENCE_SLOTS} log indexes, and a write
 * raises the two slots its key hashes to. A key's fence is the lower of its two slots: never below
 * its own last write, sometimes above it because another key shares both slots, which only keeps
 * an answer out of the cache. Indexes only grow, so fences never expire. A write whose outcome is
 * unknown drops the key. Writes through other routers are not seen; the TTL bounds how long they
 * stay unseen. Every answer is tied to the shard (id and epoch) that served it; after the shard
 * map changes, answers from an older shard are not used.
 *
 * <p>Thread-safe.
 */
final class ReadCache {
  /** Bytes an entry costs beyond its key and value (the entry, the node id, Caffeine's node). */
  static final int ENTRY_OVERHEAD_BYTES = 160;

  /**
   * A replica's answer for a key.
   *
   * @param kv the key's value as the replica read it; null when it found no key
   * @param expiresAt when this stops being used, on the router's clock (nanoseconds)
   */
  record Entry(int shardId, long epoch, String servedBy, long appliedIndex, KeyValue kv, long expiresAt) {
    boolean sameShard(ShardInfo shard) {
      return shardId == shard.getId() && epoch == shard.getEpoch();
    }
  }

  /**
   * Fence slots per shard (a power of two; 32 KiB of log indexes). A key owns two, so writes to
   * other keys hide a cached answer only when both of its slots were written after the answer's
   * index: with n writes to the shard within a TTL, (1 - e^(-2n/4096))² of answers, about 1 in 70
   * at n = 300 and 1 in 7 at n = 1,000.
   */
  static final int FENCE_SLOTS = 4096;

  /** Doorkeeper slots (a power of two); each key has two, so that two hot keys rarely share both. */
  static final int DOORKEEPER_SLOTS = 8192;

  private final Cache<ByteString, Entry> cache;
  /**
   * Keys answered recently and not cached: a tag of the key's hash per slot, 0 for none. Plain
   * reads and writes from many threads: a lost or torn update only misplaces one admission.
   */
  private final long[] doorkeeper = new long[DOORKEEPER_SLOTS];
  /** Per shard id: the highest log index of a write applied through this router, per fence slot. */
  private final ConcurrentHashMap<Integer, AtomicLongArray> fences = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final LongSupplier nanoClock;

  /**
   * @param ttl how long an answer is used; must be positive
   * @param bytesMax most bytes held (keys, values and {@link #ENTRY_OVERHEAD_BYTES} per entry)
   * @param nanoClock the router's monotonic clock
   */
  ReadCache(Duration ttl, long bytesMax, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
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
    // The fence is read after the entry: a write that completed before this lookup began hides it.
    if (e == null || !e.sameShard(shard) || expired(e) || e.appliedIndex() < fence(shard.getId(), key)) {
      return null;
    }
    return e;
  }

  /**
   * Offers a replica's answer. It is kept unless the cache knows something newer for the key on
   * that shard: a write the answer does not include, or an answer at a higher applied index.
   *
   * @param kv the value read, or null when the replica found no key
   */
  void offer(ByteString key, ShardInfo shard, String servedBy, long appliedIndex, KeyValue kv) {
    if (cache.getIfPresent(key) == null && !seenBefore(key)) {
      return; // the key's first answer for a while: not cached yet
    }
    if (appliedIndex < fence(shard.getId(), key)) {
      return; // it may predate a write of the key through this router
    }
    Entry fresh = new Entry(shard.getId(), shard.getEpoch(), servedBy, appliedIndex, kv,
        nanoClock.getAsLong() + ttlNanos);
    cache.asMap().compute(key, (k, old) -> {
      if (old == null || old.shardId() != shard.getId() || expired(old)) {
        return fresh;
      }
      return appliedIndex >= old.appliedIndex() ? fresh : old;
    });
  }

  /**
   * A write of {@code key} was applied at {@code index} in shard {@code shardId}: older answers go.
   * Indexes compare within a shard whatever its epoch (one Raft log).
   */
  void written(ByteString key, int shardId, long index) {
    AtomicLongArray slots = fences.computeIfAbsent(shardId, id -> new AtomicLongArray(FENCE_SLOTS));
    int h = key.hashCode();
    slots.accumulateAndGet(firstSlot(h, FENCE_SLOTS), index, Math::max);
    slots.accumulateAndGet(secondSlot(h, FENCE_SLOTS), index, Math::max);
    // Raised first, so from here on lookups refuse older answers; dropping them only frees memory.
    cache.asMap().computeIfPresent(key, (k, old) ->
        old.shardId() == shardId && old.appliedIndex() >= index ? old : null);
  }

  /** A write of {@code key} may or may not have been applied: forget the key. */
  void forget(ByteString key) {
    cache.invalidate(key);
  }

  /** The lowest log index an answer for {@code key} from shard {@code shardId} must include. */
  private long fence(int shardId, ByteString key) {
    AtomicLongArray slots = fences.get(shardId);
    if (slots == null) {
      return 0;
    }
    int h = key.hashCode();
    return Math.min(slots.get(firstSlot(h, FENCE_SLOTS)), slots.get(secondSlot(h, FENCE_SLOTS)));
  }

  /** A key's two slots in a table of {@code slots} (a power of two), from its hash. */
  private static int firstSlot(int h, int slots) {
    return (h ^ (h >>> 16)) & (slots - 1);
  }

  private static int secondSlot(int h, int slots) {
    return (h * 0x9E3779B9 >>> 19) & (slots - 1);
  }

  /**
   * Whether {@code key} was offered recently (its tag is in either of its slots); if not, records
   * it in both. Slots are overwritten by other keys, so "recently" lasts about {@link
   * #DOORKEEPER_SLOTS} / 2 uncached answers.
   */
  private boolean seenBefore(ByteString key) {
    int h = key.hashCode();
    long tag = (h & 0xFFFFFFFFL) | (1L << 32); // never 0, the empty slot
    int first = firstSlot(h, DOORKEEPER_SLOTS);
    int second = secondSlot(h, DOORKEEPER_SLOTS);
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

  /** Answers held (an estimate; for tests and the metrics). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Bytes held, as the byte bound counts them (keys, values and the overhead per entry). */
  long bytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }
}
