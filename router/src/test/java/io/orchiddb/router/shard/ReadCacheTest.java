package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.proto.raft.ShardInfo;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The read cache's rules, on a clock the test moves: TTL, shard ties, write fences, the byte bound. */
class ReadCacheTest {
  private static final Duration TTL = Duration.ofMillis(100);
  private static final ShardInfo SHARD = ShardInfo.newBuilder().setId(2).setEpoch(5).build();
  private static final ByteString KEY = ByteString.copyFromUtf8("k");

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ReadCache cache = new ReadCache(TTL, 1 << 20, now::get);

  private static KeyValue kv(String value, long version) {
    return KeyValue.newBuilder().setKey(KEY).setValue(ByteString.copyFromUtf8(value)).setVersion(version).build();
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  /** A key's first answer: remembered by the doorkeeper, not cached. */
  private static void firstAnswer(ReadCache cache, ByteString key) {
    cache.offer(key, SHARD, "n0", 1, null);
    assertThat(cache.lookup(key, SHARD)).as("a key answered once").isNull();
  }

  @Test
  void aKeyIsCachedWhenItIsAnsweredAgainWhileTheDoorkeeperRemembersIt() {
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD)).isNull();
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
    // Once the key is cached, every newer answer replaces it directly.
    cache.offer(KEY, SHARD, "n3", 8, kv("b", 8));
    assertThat(cache.lookup(KEY, SHARD).servedBy()).isEqualTo("n3");

    // Answers for many other keys push the first sighting of a key out of the doorkeeper.
    ByteString cold = ByteString.copyFromUtf8("cold");
    cache.offer(cold, SHARD, "n1", 7, null);
    for (int i = 0; i < 50 * ReadCache.DOORKEEPER_SLOTS; i++) {
      cache.offer(ByteString.copyFromUtf8("other-" + i), SHARD, "n1", 7, null);
    }
    cache.offer(cold, SHARD, "n1", 7, null);
    assertThat(cache.lookup(cold, SHARD)).as("a key answered again long after its first answer").isNull();
  }

  @Test
  void anAnswerIsServedUntilItsTtlEnds() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    ReadCache.Entry hit = cache.lookup(KEY, SHARD);
    assertThat(hit).isNotNull();
    assertThat(hit.servedBy()).isEqualTo("n2");
    assertThat(hit.appliedIndex()).isEqualTo(7);
    assertThat(hit.kv().getValue().toStringUtf8()).isEqualTo("a");
    advance(99);
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
    advance(1);
    assertThat(cache.lookup(KEY, SHARD)).isNull();
  }

  @Test
  void anAbsentKeyIsAnAnswerToo() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n1", 3, null);
    ReadCache.Entry hit = cache.lookup(KEY, SHARD);
    assertThat(hit).isNotNull();
    assertThat(hit.kv()).isNull();
  }

  @Test
  void answersFromAnotherShardOrEpochAreNotServed() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD.toBuilder().setEpoch(6).build())).isNull();
    assertThat(cache.lookup(KEY, SHARD.toBuilder().setId(3).build())).isNull();
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
  }

  @Test
  void aNewerAnswerReplacesAnOlderOneAndNeverTheReverse() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    cache.offer(KEY, SHARD, "n3", 9, kv("b", 8));
    assertThat(cache.lookup(KEY, SHARD).kv().getValue().toStringUtf8()).isEqualTo("b");
    cache.offer(KEY, SHARD, "n1", 8, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD).servedBy()).isEqualTo("n3");
  }

  @Test
  void aWriteHidesOlderAnswersAndOnlyAReadThatIncludesItIsCachedAgain() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    cache.written(KEY, SHARD.getId(), 9);
    assertThat(cache.lookup(KEY, SHARD)).as("answer older than the write").isNull();
    // A read that started before the write and ends after it brings the old value back: refused.
    cache.offer(KEY, SHARD, "n3", 8, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD)).isNull();
    cache.offer(KEY, SHARD, "n3", 9, kv("b", 9));
    assertThat(cache.lookup(KEY, SHARD).kv().getVersion()).isEqualTo(9);
  }

  @Test
  void aWriteAnAnswerAlreadyIncludesLeavesIt() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 12, kv("b", 9));
    cache.written(KEY, SHARD.getId(), 9);
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
    cache.written(KEY, SHARD.getId(), 13);
    assertThat(cache.lookup(KEY, SHARD)).isNull();
    cache.written(KEY, SHARD.getId(), 11); // an older write's late news does not lower the fence
    cache.offer(KEY, SHARD, "n2", 12, kv("b", 9));
    assertThat(cache.lookup(KEY, SHARD)).isNull();
  }

  @Test
  void aFenceNeverExpires() {
    cache.written(KEY, SHARD.getId(), 9);
    advance(3_600_000); // an hour: far past the TTL and any request timeout
    cache.offer(KEY, SHARD, "n3", 8, kv("a", 6));
    cache.offer(KEY, SHARD, "n3", 8, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD)).as("an answer older than the write, however late").isNull();
    cache.offer(KEY, SHARD, "n3", 9, kv("b", 9));
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
  }

  @Test
  void aWriteHidesAnAnswerCachedBeforeIt() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
    cache.written(KEY, SHARD.getId(), 8);
    assertThat(cache.lookup(KEY, SHARD)).isNull();
    assertThat(cache.size()).as("the older answer is dropped, not just hidden").isZero();
  }

  @Test
  void fencesAreKeptPerShardAndTakeNoCacheEntries() {
    for (int i = 0; i < 10_000; i++) {
      cache.written(ByteString.copyFromUtf8("w-" + i), SHARD.getId(), 1_000_000 + i);
    }
    assertThat(cache.size()).isZero();
    assertThat(cache.bytes()).isZero();
    // Another shard's log is a different sequence of indexes: the writes above do not hide its answers.
    ShardInfo other = ShardInfo.newBuilder().setId(3).setEpoch(1).build();
    cache.offer(KEY, other, "n1", 5, kv("a", 5));
    cache.offer(KEY, other, "n1", 5, kv("a", 5));
    assertThat(cache.lookup(KEY, other)).isNotNull();
  }

  @Test
  void writesToOtherKeysRarelyHideAnAnswer() {
    // 300 writes of other keys, each after the answers' index: only keys both of whose slots they
    // hit are hidden, about 1 in 70 (FENCE_SLOTS).
    int keys = 2_000;
    for (int i = 0; i < keys; i++) {
      ByteString key = ByteString.copyFromUtf8("r-" + i);
      firstAnswer(cache, key);
      cache.offer(key, SHARD, "n1", 10, null);
    }
    for (int i = 0; i < 300; i++) {
      cache.written(ByteString.copyFromUtf8("w-" + i), SHARD.getId(), 11 + i);
    }
    int hidden = 0;
    for (int i = 0; i < keys; i++) {
      if (cache.lookup(ByteString.copyFromUtf8("r-" + i), SHARD) == null) {
        hidden++;
      }
    }
    assertThat(hidden).isLessThan(keys / 20);
  }

  @Test
  void aWriteOfUnknownOutcomeForgetsTheKey() {
    firstAnswer(cache, KEY);
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6));
    cache.forget(KEY);
    assertThat(cache.lookup(KEY, SHARD)).isNull();
    cache.offer(KEY, SHARD, "n2", 7, kv("a", 6)); // the doorkeeper still remembers the key
    assertThat(cache.lookup(KEY, SHARD)).isNotNull();
  }

  @Test
  void theCacheHoldsNoMoreThanItsBytes() {
    long bytesMax = 64 * 1024;
    ReadCache small = new ReadCache(TTL, bytesMax, now::get);
    int valueBytes = 1024;
    ByteString value = ByteString.copyFrom(new byte[valueBytes]);
    for (int i = 0; i < 1000; i++) {
      ByteString key = ByteString.copyFromUtf8("key-" + i);
      firstAnswer(small, key);
      small.offer(key, SHARD, "n1", i + 1, KeyValue.newBuilder().setKey(key).setValue(value).build());
    }
    long perEntry = valueBytes + "key-000".length() + ReadCache.ENTRY_OVERHEAD_BYTES;
    assertThat(small.size()).isPositive().isLessThanOrEqualTo(bytesMax / perEntry + 1);
  }
}
