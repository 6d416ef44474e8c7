package io.orchiddb.router.shard;

import io.orchiddb.api.v1.NodeStatus;
import io.orchiddb.api.v1.ReplicaIndex;
import io.orchiddb.api.v1.ShardStatus;
import io.orchiddb.api.v1.StatusResponse;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.RaftGroups;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.ShardInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Builds the cluster status: the map, and for every shard each replica's role and indexes as
 * reported by the replica itself just now. Replicas that do not answer in time are left out
 * (and their nodes marked unreachable); the status is still returned.
 */
public final class StatusCollector {
  private final ClusterMapCache maps;
  private final LongSupplier nanoClock;

  public StatusCollector(ClusterMapCache maps) {
    this.maps = maps;
    this.nanoClock = maps.nanoClock();
  }

  public CompletableFuture<StatusResponse> status(Duration timeout) {
    return maps.mapBy(nanoClock.getAsLong() + timeout.toNanos()).thenCompose(map -> collect(map, timeout));
  }

  private CompletableFuture<StatusResponse> collect(ShardMap map, Duration timeout) {
    Set<String> reachable = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<ShardStatus>> shards = new ArrayList<>();
    for (ShardInfo shard : map.shards()) {
      GroupChannel channel = maps.channel(map, shard);
      List<CompletableFuture<GroupChannel.ReplicaInfo>> infos = new ArrayList<>();
      for (String node : shard.getReplicasList()) {
        infos.add(channel.info(node).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle((info, failure) -> failure == null ? info : null));
      }
      shards.add(CompletableFuture.allOf(infos.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
        ShardStatus.Builder s = ShardStatus.newBuilder().setId(shard.getId())
            .setHashStart(shard.getHashStart()).setHashEnd(shard.getHashEnd())
            .addAllReplicas(shard.getReplicasList()).setEpoch(shard.getEpoch())
            .setGroupId(RaftGroups.groupId(shard).getUuid().toString());
        for (var f : infos) {
          GroupChannel.ReplicaInfo info = f.join();
          if (info == null) {
            continue;
          }
          reachable.add(info.node());
          s.addReplicaApplied(ReplicaIndex.newBuilder().setNode(info.node()).setAppliedIndex(info.appliedIndex()));
          if (info.leader()) {
            s.setLeader(info.node()).setCommitIndex(info.commitIndex());
          }
        }
        return s.build();
      }));
    }
    return CompletableFuture.allOf(shards.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      StatusResponse.Builder b = StatusResponse.newBuilder().setMapEpoch(map.clusterMap().getEpoch());
      for (Member m : map.clusterMap().getNodesList()) {
        b.addNodes(NodeStatus.newBuilder().setId(m.getId()).setAddress(m.getAddress())
            .setReachable(reachable.contains(m.getId())));
      }
      shards.forEach(f -> b.addShards(f.join()));
      return b.build();
    });
  }
}
