package io.orchiddb.node.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.ShardInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves that the initial layout of a fresh cluster is a correct, deterministic function of the
 * configuration: the shard ranges tile the unsigned 64-bit hash space exactly; group ids are
 * distinct, stable for the same input and different for another cluster name; shard i lives on
 * nodes i..i+R-1 (mod N) with node i first, so preferred leaders go round-robin; replication is
 * capped at the node count; and the meta group sits on the first 3 nodes (5 from 5 nodes on).
 *
 * <p>How: compute {@link ClusterLayout#initial} for a table of (nodes, shards, replication) and
 * check each property against an independent computation (BigInteger arithmetic for range
 * boundaries) or hard-coded expectations for small cases.
 */
class ClusterLayoutTest {
  private static final BigInteger SPACE = BigInteger.ONE.shiftLeft(64);

  static List<Member> nodes(int n) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Member.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + (9000 + i)).build());
    }
    return out;
  }

  private static BigInteger unsigned(long v) {
    return new BigInteger(Long.toUnsignedString(v));
  }

  /** The range's end as a number in (0, 2^64], reading hash_end = 0 as 2^64. */
  private static BigInteger end(ShardInfo s) {
    return s.getHashEnd() == 0 ? SPACE : unsigned(s.getHashEnd());
  }

  private static void assertRangesTileTheSpace(ClusterMap map, int shardCount) {
    List<ShardInfo> shards = map.getShardsList();
    assertThat(shards).hasSize(shardCount);
    assertThat(shards.get(0).getHashStart()).isZero();
    assertThat(shards.get(shardCount - 1).getHashEnd()).isZero();
    BigInteger covered = BigInteger.ZERO;
    for (int i = 0; i < shardCount; i++) {
      ShardInfo s = shards.get(i);
      assertThat(s.getId()).isEqualTo(i);
      assertThat(unsigned(s.getHashStart())).as("start of shard %s", i).isEqualTo(covered);
      if (i + 1 < shardCount) {
        assertThat(s.getHashEnd()).as("end of shard %s", i).isEqualTo(shards.get(i + 1).getHashStart());
      }
      // Every range is floor(2^64 / S) or one more wide: the split is even.
      BigInteger width = end(s).subtract(unsigned(s.getHashStart()));
      BigInteger even = SPACE.divide(BigInteger.valueOf(shardCount));
      assertThat(width).as("width of shard %s", i).isBetween(even, even.add(BigInteger.ONE));
      covered = end(s);
    }
    assertThat(covered).isEqualTo(SPACE);
  }

  private static List<String> replicas(ClusterMap map, int shard) {
    return map.getShards(shard).getReplicasList();
  }

  @ParameterizedTest(name = "{0} nodes, {1} shards, replication {2}")
  @CsvSource({
      "3, 8, 3",
      "1, 8, 3",
      "5, 8, 3",
      "2, 8, 3",
      "3, 1, 3",
      "3, 7, 3",
      "4, 1024, 3",
      "7, 13, 5",
  })
  void rangesCoverTheHashSpaceExactly(int nodeCount, int shardCount, int replication) {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(nodeCount), shardCount, replication);
    assertRangesTileTheSpace(map, shardCount);
    // And ShardMap, which checks the same invariant, accepts the layout.
    assertThat(new ShardMap(map).shards()).hasSize(shardCount);
  }

  @Test
  void eightShardsSplitAtMultiplesOfTwoToThe61() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 8, 3);
    long[] starts = map.getShardsList().stream().mapToLong(ShardInfo::getHashStart).toArray();
    assertThat(starts).containsExactly(0L, 0x2000000000000000L, 0x4000000000000000L,
        0x6000000000000000L, 0x8000000000000000L, 0xA000000000000000L, 0xC000000000000000L,
        0xE000000000000000L);
  }

  @Test
  void oneShardOwnsEverything() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 1, 3);
    assertThat(map.getShardsCount()).isEqualTo(1);
    assertThat(map.getShards(0).getHashStart()).isZero();
    assertThat(map.getShards(0).getHashEnd()).isZero();
  }

  @Test
  void sevenShardsSplitAtFloorOfIOverSevenOfTheSpace() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 7, 3);
    for (int i = 0; i < 7; i++) {
      BigInteger expected = SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(7));
      assertThat(unsigned(map.getShards(i).getHashStart())).isEqualTo(expected);
    }
    // 2^64 / 7 is not whole: the first boundary is 0x2492492492492492.
    assertThat(map.getShards(1).getHashStart()).isEqualTo(0x2492492492492492L);
  }

  @Test
  void threeNodesEightShardsReplicatedThreeWays() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 8, 3);
    assertThat(replicas(map, 0)).containsExactly("n0", "n1", "n2");
    assertThat(replicas(map, 1)).containsExactly("n1", "n2", "n0");
    assertThat(replicas(map, 2)).containsExactly("n2", "n0", "n1");
    assertThat(replicas(map, 3)).containsExactly("n0", "n1", "n2");
    assertThat(replicas(map, 7)).containsExactly("n1", "n2", "n0");
    assertThat(map.getNodesList()).isEqualTo(nodes(3));
    assertThat(map.getMetaReplicasList()).containsExactly("n0", "n1", "n2");
    assertThat(map.getShardsList()).allSatisfy(s -> assertThat(s.getEpoch()).isEqualTo(1));
  }

  @Test
  void oneNodeHoldsEveryShardAlone() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(1), 8, 3);
    assertThat(map.getShardsList()).allSatisfy(s -> assertThat(s.getReplicasList()).containsExactly("n0"));
    assertThat(map.getMetaReplicasList()).containsExactly("n0");
  }

  @Test
  void fiveNodesEightShardsSpreadReplicasAndMetaOnAllFive() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(5), 8, 3);
    assertThat(replicas(map, 0)).containsExactly("n0", "n1", "n2");
    assertThat(replicas(map, 3)).containsExactly("n3", "n4", "n0");
    assertThat(replicas(map, 4)).containsExactly("n4", "n0", "n1");
    assertThat(replicas(map, 5)).containsExactly("n0", "n1", "n2");
    assertThat(map.getMetaReplicasList()).containsExactly("n0", "n1", "n2", "n3", "n4");
    // Shards 0-7 lead on n0-n4 then n0-n2; each copy set is a window of 3 consecutive nodes.
    Map<String, Integer> copies = new TreeMap<>();
    map.getShardsList().forEach(s -> s.getReplicasList().forEach(r -> copies.merge(r, 1, Integer::sum)));
    assertThat(copies).containsExactly(Map.entry("n0", 4), Map.entry("n1", 5), Map.entry("n2", 6),
        Map.entry("n3", 5), Map.entry("n4", 4));
  }

  @Test
  void replicationIsCappedAtTheNodeCount() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(2), 8, 3);
    for (int i = 0; i < 8; i++) {
      assertThat(replicas(map, i)).containsExactly("n" + (i % 2), "n" + ((i + 1) % 2));
    }
    assertThat(map.getMetaReplicasList()).containsExactly("n0", "n1");
  }

  @ParameterizedTest(name = "{0} nodes, {1} shards, replication {2}")
  @CsvSource({"3, 8, 3", "5, 8, 3", "4, 7, 2", "7, 20, 5", "2, 8, 3"})
  void preferredLeadersGoRoundRobinAndReplicasAreDistinct(int nodeCount, int shardCount, int replication) {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(nodeCount), shardCount, replication);
    int copies = Math.min(replication, nodeCount);
    Map<String, Integer> leaders = new TreeMap<>();
    for (int i = 0; i < shardCount; i++) {
      List<String> r = replicas(map, i);
      assertThat(r).hasSize(copies).doesNotHaveDuplicates();
      assertThat(r.get(0)).isEqualTo("n" + (i % nodeCount));
      leaders.merge(r.get(0), 1, Integer::sum);
    }
    // Round-robin: preferred-leader counts differ by at most one.
    int min = leaders.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    int max = leaders.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(1);
    assertThat(leaders).hasSize(Math.min(nodeCount, shardCount));
  }

  @ParameterizedTest(name = "{0} nodes -> {1} meta replicas")
  @CsvSource({"1, 1", "2, 2", "3, 3", "4, 3", "5, 5", "6, 5", "7, 5"})
  void metaReplicasAreTheFirstThreeOrFiveNodes(int nodeCount, int metaCount) {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(nodeCount), 8, 3);
    List<String> expected = nodes(nodeCount).subList(0, metaCount).stream().map(Member::getId).toList();
    assertThat(map.getMetaReplicasList()).isEqualTo(expected);
  }

  @Test
  void groupIdsAreDistinctSixteenBytesAndMatchTheNamedUuids() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 64, 3);
    Set<ByteString> ids = new HashSet<>();
    ids.add(map.getMetaGroupId());
    for (ShardInfo s : map.getShardsList()) {
      assertThat(s.getGroupId().size()).isEqualTo(16);
      assertThat(ClusterLayout.uuid(s.getGroupId()))
          .isEqualTo(ClusterLayout.shardGroupUuid("orchiddb", s.getId()));
      ids.add(s.getGroupId());
    }
    assertThat(ids).hasSize(65);
    assertThat(ClusterLayout.uuid(map.getMetaGroupId())).isEqualTo(ClusterLayout.metaGroupUuid("orchiddb"));
  }

  @Test
  void groupIdsAreStableGoldenValues() {
    // Name-based (v3, MD5) UUIDs of "orchiddb/<cluster>/meta" and ".../shard/<i>", cross-checked
    // with `printf 'orchiddb/orchiddb/meta' | md5sum` (446652cf938c46ce...). A change here would
    // orphan every existing cluster's Raft groups.
    assertThat(ClusterLayout.metaGroupUuid("orchiddb"))
        .isEqualTo(UUID.fromString("446652cf-938c-36ce-a89a-e6a6764d1b62"));
    assertThat(ClusterLayout.shardGroupUuid("orchiddb", 0))
        .isEqualTo(UUID.fromString("cfb72349-8ffc-384e-9c0a-7eba2cb87db8"));
    assertThat(ClusterLayout.shardGroupUuid("orchiddb", 3))
        .isEqualTo(UUID.fromString("4ee9eac9-e34f-3a37-8892-d106afdd0f37"));
  }

  @Test
  void sameInputGivesTheSameLayout() {
    ClusterMap a = ClusterLayout.initial("orchiddb", nodes(5), 16, 3);
    ClusterMap b = ClusterLayout.initial("orchiddb", nodes(5), 16, 3);
    assertThat(a).isEqualTo(b);
    assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
  }

  @Test
  void anotherClusterNameGivesOtherGroupIds() {
    ClusterMap a = ClusterLayout.initial("alpha", nodes(3), 8, 3);
    ClusterMap b = ClusterLayout.initial("beta", nodes(3), 8, 3);
    assertThat(a.getMetaGroupId()).isNotEqualTo(b.getMetaGroupId());
    Set<ByteString> idsA = new HashSet<>();
    a.getShardsList().forEach(s -> idsA.add(s.getGroupId()));
    assertThat(b.getShardsList()).noneSatisfy(s -> assertThat(idsA).contains(s.getGroupId()));
    assertThat(idsA).doesNotContain(b.getMetaGroupId());
  }

  @Test
  void uuidBytesRoundTrip() {
    UUID u = UUID.fromString("01234567-89ab-cdef-fedc-ba9876543210");
    ByteString bytes = ClusterLayout.uuidBytes(u);
    assertThat(bytes.toByteArray()).containsExactly(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10);
    assertThat(ClusterLayout.uuid(bytes)).isEqualTo(u);
    assertThatThrownBy(() -> ClusterLayout.uuid(ByteString.copyFrom(new byte[15])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void membersLooksUpNodesInTheGivenOrder() {
    ClusterMap map = ClusterLayout.initial("orchiddb", nodes(3), 8, 3);
    assertThat(ClusterLayout.members(map, List.of("n2", "n0")))
        .extracting(Member::getAddress).containsExactly("127.0.0.1:9002", "127.0.0.1:9000");
    assertThatThrownBy(() -> ClusterLayout.members(map, List.of("n9")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> ClusterLayout.initial("orchiddb", List.of(), 8, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClusterLayout.initial("orchiddb", nodes(3), 0, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClusterLayout.initial("orchiddb", nodes(3), 8, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
