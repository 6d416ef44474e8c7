package io.orchiddb.node.raft;

import io.orchiddb.proto.raft.MetaWrite;
import io.orchiddb.proto.raft.MetaWriteResult;
import io.orchiddb.proto.raft.SetShardEpoch;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Advances a shard's epoch, for whoever changes a shard (its range or replicas): operators, tests,
 * and later the rebalancer. After it returns, the shard refuses every request routed with an older
 * epoch ({@link StaleEpochException}) and the meta group's map publishes the new one.
 *
 * <p>Order: the fence goes into the shard's group first, then the epoch into the meta group.
 * <ul>
 *   <li>By the time any router can read the new epoch from the map, the shard already holds it,
 *       so a router with the new map never meets a shard that would refuse it, and once the
 *       change is visible in the map nothing routed with the old map can still land on the shard.
 *       The other order leaves a window where the map shows the change while the shard still
 *       takes writes routed by the old map.
 *   <li>It fails safe: if this stops between the two writes, routers still on the old epoch are
 *       refused (loudly unavailable, they keep refreshing the map) until it is run again; the
 *       other order could leave the map ahead of a shard that silently accepts stale routing.
 * </ul>
 *
 * <p>Idempotent for the same starting {@link ShardInfo}: both writes raise the epoch to the same
 * value with max semantics, so running it again after a failure (or two callers racing from the
 * same map) ends at that epoch. A shard already past the new epoch (changed meanwhile by someone
 * with a newer map) refuses the fence, and the meta group is left alone.
 */
public final class EpochFence {
  private EpochFence() {}

  /**
   * Raises {@code shard}'s epoch to {@code shard.getEpoch() + 1}, in its group and then in the map.
   *
   * @param shard the shard as the caller's current map describes it
   * @return the new epoch
   * @throws StaleEpochException when the shard is already past the new epoch: the caller's map is
   *     out of date (nothing was changed)
   * @throws IOException when a write failed or its outcome is unknown (e.g. a timeout); running
   *     this again with the same {@code shard} is safe
   */
  public static long advance(GroupClient shardGroup, GroupClient metaGroup, ShardInfo shard)
      throws IOException, InterruptedException {
    long newEpoch = shard.getEpoch() + 1;
    // Routed with the new epoch itself: refused only if the shard is already past it; a repeat of
    // this same fence passes and changes nothing.
    ShardWrite fence = ShardWrite.newBuilder().setEpoch(newEpoch).setFenceEpoch(newEpoch).build();
    ShardWriteResult fenced = ShardWriteResult.parseFrom(await(shardGroup.write(fence.toByteArray())));
    if (fenced.getStaleEpoch() != 0) {
      throw StaleEpochException.of(RaftGroups.groupId(shard), fenced.getStaleEpoch(), newEpoch);
    }
    MetaWrite publish = MetaWrite.newBuilder().setSetShardEpoch(
        SetShardEpoch.newBuilder().setShardId(shard.getId()).setEpoch(newEpoch)).build();
    MetaWriteResult published = MetaWriteResult.parseFrom(await(metaGroup.write(publish.toByteArray())));
    // Not applied also when the map already had this epoch (a repeat); only an unknown shard fails.
    if (published.getMap().getShardsList().stream().noneMatch(s -> s.getId() == shard.getId())) {
      throw new IOException("set-shard-epoch: the meta group's map has no shard " + shard.getId()
          + " (the shard's group was fenced at epoch " + newEpoch + ")");
    }
    return newEpoch;
  }

  /** The reply's bytes; a refusal or failure as the {@link IOException} that caused it. */
  private static byte[] await(CompletableFuture<byte[]> reply) throws IOException, InterruptedException {
    try {
      return reply.get();
    } catch (ExecutionException e) {
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof StaleEpochException stale) {
          throw stale;
        }
      }
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }
}
