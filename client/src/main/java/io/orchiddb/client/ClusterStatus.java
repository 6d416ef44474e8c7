package io.orchiddb.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster as one router sees it just now: nodes, shards, their leaders, epochs and indexes.
 *
 * @param mapEpoch the cluster map's epoch: changes whenever the map changes
 * @param nodes every node of the map
 * @param shards every shard of the map
 */
public record ClusterStatus(long mapEpoch, List<Node> nodes, List<Shard> shards) {
  public ClusterStatus {
    nodes = List.copyOf(nodes);
    shards = List.copyOf(shards);
  }

  /**
   * @param id the node id
   * @param address host:port of its Raft endpoint
   * @param reachable whether the router could reach it just now
   */
  public record Node(String id, String address, boolean reachable) {
    public Node {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * @param id the shard id
   * @param hashStart start of its range of the unsigned 64-bit key-hash space (inclusive; read
   *     with {@link Long#toUnsignedString(long)})
   * @param hashEnd end of that range (exclusive); 0 stands for 2^64
   * @param replicas node ids of its replicas; the first is the preferred leader
   * @param leader node id of the current leader, if one is known
   * @param epoch changes whenever the shard's range or replicas change
   * @param commitIndex the leader's commit index; 0 when unknown
   * @param replicaAppliedIndex each reachable replica's applied index, by node id
   * @param groupId the Raft group id (a UUID string)
   */
  public record Shard(
      int id,
      long hashStart,
      long hashEnd,
      List<String> replicas,
      Optional<String> leader,
      long epoch,
      long commitIndex,
      Map<String, Long> replicaAppliedIndex,
      String groupId) {
    public Shard {
      replicas = List.copyOf(replicas);
      Objects.requireNonNull(leader, "leader");
      replicaAppliedIndex = Map.copyOf(replicaAppliedIndex);
      Objects.requireNonNull(groupId, "groupId");
    }
  }
}
