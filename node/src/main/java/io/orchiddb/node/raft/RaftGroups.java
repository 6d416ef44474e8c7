package io.orchiddb.node.raft;

import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.ShardInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/** Ratis {@link RaftGroup}s for the groups a {@link ClusterMap} describes. */
public final class RaftGroups {
  private RaftGroups() {}

  public static RaftGroup meta(ClusterMap map) {
    return group(map, map.getMetaGroupId(), map.getMetaReplicasList());
  }

  public static RaftGroup shard(ClusterMap map, ShardInfo shard) {
    return group(map, shard.getGroupId(), shard.getReplicasList());
  }

  public static RaftGroupId groupId(ShardInfo shard) {
    return RaftGroupId.valueOf(ClusterLayout.uuid(shard.getGroupId()));
  }

  /** The first replica gets the highest priority: Ratis moves leadership towards it. */
  private static RaftGroup group(ClusterMap map, com.google.protobuf.ByteString id, List<String> replicas) {
    List<RaftPeer> peers = new ArrayList<>();
    List<Member> members = ClusterLayout.members(map, replicas);
    for (int i = 0; i < members.size(); i++) {
      peers.add(RaftPeer.newBuilder().setId(members.get(i).getId())
          .setAddress(members.get(i).getAddress()).setPriority(i == 0 ? 1 : 0).build());
    }
    return RaftGroup.valueOf(RaftGroupId.valueOf(ClusterLayout.uuid(id)), peers);
  }
}
