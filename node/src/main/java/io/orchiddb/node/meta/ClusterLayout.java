package io.orchiddb.node.meta;

import com.google.common.base.Preconditions;
import com.google.protobuf.ByteString;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.ShardInfo;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The initial layout of a fresh cluster, computed the same way on every node from the same
 * configuration, so nodes can create their groups without talking to each other first.
 *
 * <p>S shards split the unsigned 64-bit hash space into equal ranges. Shard i is replicated on
 * nodes i, i+1, ..., i+R-1 (mod N) with node i first, so preferred leaders are spread round-robin.
 * The meta group lives on the first 3 nodes (5 when the cluster has 5 or more).
 */
public final class ClusterLayout {
  private static final BigInteger SPACE = BigInteger.ONE.shiftLeft(64);

  private ClusterLayout() {}

  public static ClusterMap initial(String clusterName, List<Member> nodes, int shardCount, int replication) {
    Preconditions.checkArgument(!nodes.isEmpty(), "no nodes");
    Preconditions.checkArgument(shardCount >= 1, "shard count %s", shardCount);
    Preconditions.checkArgument(replication >= 1, "replication %s", replication);
    int n = nodes.size();
    int copies = Math.min(replication, n);
    ClusterMap.Builder map = ClusterMap.newBuilder().addAllNodes(nodes);
    for (int i = 0; i < shardCount; i++) {
      ShardInfo.Builder shard = ShardInfo.newBuilder()
          .setId(i)
          .setHashStart(rangeStart(i, shardCount))
          .setHashEnd(i + 1 == shardCount ? 0 : rangeStart(i + 1, shardCount))
          .setGroupId(uuidBytes(shardGroupUuid(clusterName, i)))
          .setEpoch(1);
      for (int j = 0; j < copies; j++) {
        shard.addReplicas(nodes.get((i + j) % n).getId());
      }
      map.addShards(shard);
    }
    map.setMetaGroupId(uuidBytes(metaGroupUuid(clusterName)));
    int metaCopies = n >= 5 ? 5 : Math.min(3, n);
    for (int j = 0; j < metaCopies; j++) {
      map.addMetaReplicas(nodes.get(j).getId());
    }
    return map.build();
  }

  /** floor(i * 2^64 / count), as an unsigned 64-bit value. */
  static long rangeStart(int i, int count) {
    return SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(count)).longValue();
  }

  public static UUID metaGroupUuid(String clusterName) {
    return UUID.nameUUIDFromBytes(("orchiddb/" + clusterName + "/meta").getBytes(StandardCharsets.UTF_8));
  }

  public static UUID shardGroupUuid(String clusterName, int shardId) {
    return UUID.nameUUIDFromBytes(
        ("orchiddb/" + clusterName + "/shard/" + shardId).getBytes(StandardCharsets.UTF_8));
  }

  public static ByteString uuidBytes(UUID uuid) {
    return ByteString.copyFrom(ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
  }

  public static UUID uuid(ByteString bytes) {
    Preconditions.checkArgument(bytes.size() == 16, "a group id is 16 bytes, got %s", bytes.size());
    ByteBuffer b = bytes.asReadOnlyByteBuffer();
    return new UUID(b.getLong(), b.getLong());
  }

  /** The members named in {@code ids}, in that order. */
  public static List<Member> members(ClusterMap map, List<String> ids) {
    List<Member> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      out.add(map.getNodesList().stream().filter(m -> m.getId().equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown node " + id)));
    }
    return out;
  }
}
