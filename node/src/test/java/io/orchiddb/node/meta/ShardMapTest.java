package io.orchiddb.node.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.ShardInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves that {@link ShardMap} sends every hash to the one shard whose {@code [start, end)} range
 * holds it, treating hashes as unsigned, and that it refuses a map whose ranges leave a gap,
 * overlap, or do not start at 0 / end at 2^64.
 *
 * <p>How: boundary cases (a range's first hash, the hash just before it, 0 and 2^64-1) on layouts
 * from {@link ClusterLayout}; hand-built broken maps; and random keys and hashes checked against a
 * linear search over the ranges. The random part uses a seed that is printed in every assertion
 * message and can be fixed with {@code -Dorchid.seed=<seed>}.
 */
class ShardMapTest {
  private static final long SEED = Long.getLong("orchid.seed", System.nanoTime());

  private static ShardMap layout(int shardCount) {
    return new ShardMap(ClusterLayout.initial("orchiddb", ClusterLayoutTest.nodes(3), shardCount, 3));
  }

  private static ShardInfo shard(int id, long start, long end) {
    return ShardInfo.newBuilder().setId(id).setHashStart(start).setHashEnd(end).build();
  }

  private static ClusterMap mapOf(ShardInfo... shards) {
    return ClusterMap.newBuilder().addAllShards(List.of(shards)).build();
  }

  /** The oracle: the shard whose range holds {@code hash}, by linear search. */
  private static int owner(List<ShardInfo> shards, long hash) {
    int found = -1;
    for (ShardInfo s : shards) {
      boolean afterStart = Long.compareUnsigned(hash, s.getHashStart()) >= 0;
      boolean beforeEnd = s.getHashEnd() == 0 || Long.compareUnsigned(hash, s.getHashEnd()) < 0;
      if (afterStart && beforeEnd) {
        assertThat(found).as("hash %s is in two ranges", Long.toUnsignedString(hash)).isEqualTo(-1);
        found = s.getId();
      }
    }
    return found;
  }

  @ParameterizedTest(name = "{0} shards")
  @ValueSource(ints = {1, 2, 7, 8, 1024})
  void rangeBoundariesGoToTheRightShard(int shardCount) {
    ShardMap map = layout(shardCount);
    List<ShardInfo> shards = map.clusterMap().getShardsList();
    assertThat(map.shardForHash(0).getId()).isZero();
    assertThat(map.shardForHash(-1L).getId()).as("2^64 - 1").isEqualTo(shardCount - 1);
    assertThat(map.shardForHash(Long.MIN_VALUE).getId()).as("2^63")
        .isEqualTo(owner(shards, Long.MIN_VALUE));
    assertThat(map.shardForHash(Long.MAX_VALUE).getId()).as("2^63 - 1")
        .isEqualTo(owner(shards, Long.MAX_VALUE));
    for (ShardInfo s : shards) {
      assertThat(map.shardForHash(s.getHashStart()).getId()).as("start of %s", s.getId())
          .isEqualTo(s.getId());
      assertThat(map.shardForHash(s.getHashEnd() - 1).getId()).as("last hash of %s", s.getId())
          .isEqualTo(s.getId());
      if (s.getId() > 0) {
        assertThat(map.shardForHash(s.getHashStart() - 1).getId()).as("just before %s", s.getId())
            .isEqualTo(s.getId() - 1);
      }
    }
  }

  @Test
  void hashesAreUnsigned() {
    ShardMap map = layout(2);
    // Signed, 2^63 would be the smallest long and land on shard 0.
    assertThat(map.shardForHash(0x8000000000000000L).getId()).isEqualTo(1);
    assertThat(map.shardForHash(0x7FFFFFFFFFFFFFFFL).getId()).isZero();
    assertThat(map.shardForHash(0xFFFFFFFFFFFFFFFFL).getId()).isEqualTo(1);
  }

  @Test
  void shardOrderInTheMapDoesNotMatter() {
    ClusterMap original = layout(8).clusterMap();
    List<ShardInfo> shuffled = new ArrayList<>(original.getShardsList());
    Collections.reverse(shuffled);
    ShardMap map = new ShardMap(original.toBuilder().clearShards().addAllShards(shuffled).build());
    assertThat(map.shards()).extracting(ShardInfo::getId).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(map.shardForHash(0x2000000000000000L).getId()).isEqualTo(1);
  }

  @Test
  void aGapIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(
        shard(0, 0, 0x4000000000000000L), shard(1, 0x8000000000000000L, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anOverlapIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(
        shard(0, 0, 0x8000000000000001L), shard(1, 0x8000000000000000L, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aWholeSpaceShardBesideOthersIsRefused() {
    // hash_end 0 means 2^64: shard 0 covers everything, overlapping shards 1 and 2.
    assertThatThrownBy(() -> new ShardMap(mapOf(
        shard(0, 0, 0), shard(1, 0, 0x8000000000000000L), shard(2, 0x8000000000000000L, 0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 0, 0), shard(1, 0, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDuplicateRangeIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 0, 0x8000000000000000L),
        shard(1, 0x8000000000000000L, 0), shard(2, 0x8000000000000000L, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyRangeIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 0, 0x4000000000000000L),
        shard(1, 0x4000000000000000L, 0x4000000000000000L), shard(2, 0x4000000000000000L, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMapThatDoesNotStartAtZeroIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 1, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMapThatStopsShortOfTheTopIsRefused() {
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 0, 0x8000000000000000L))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ShardMap(mapOf(shard(0, 0, -1L))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMapWithNoShardsIsRefused() {
    assertThatThrownBy(() -> new ShardMap(ClusterMap.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unevenHandBuiltRangesWork() {
    ShardMap map = new ShardMap(mapOf(shard(0, 0, 1), shard(1, 1, 0xFFFFFFFFFFFFFFFFL),
        shard(2, 0xFFFFFFFFFFFFFFFFL, 0)));
    assertThat(map.shardForHash(0).getId()).isZero();
    assertThat(map.shardForHash(1).getId()).isEqualTo(1);
    assertThat(map.shardForHash(0xFFFFFFFFFFFFFFFEL).getId()).isEqualTo(1);
    assertThat(map.shardForHash(0xFFFFFFFFFFFFFFFFL).getId()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0} shards")
  @ValueSource(ints = {1, 3, 7, 8, 1024})
  void randomKeysLandInTheShardWhoseRangeHoldsTheirHash(int shardCount) {
    SplittableRandom random = new SplittableRandom(SEED);
    ShardMap map = layout(shardCount);
    List<ShardInfo> shards = map.clusterMap().getShardsList();
    for (int i = 0; i < 5_000; i++) {
      byte[] key = new byte[1 + random.nextInt(32)];
      random.nextBytes(key);
      long hash = KeyHash.of(key);
      assertThat(map.shardFor(key).getId()).as("seed %s, key #%s", SEED, i)
          .isEqualTo(owner(shards, hash));
      long anyHash = random.nextLong();
      assertThat(map.shardForHash(anyHash).getId()).as("seed %s, hash %s", SEED,
          Long.toUnsignedString(anyHash)).isEqualTo(owner(shards, anyHash));
    }
  }
}
