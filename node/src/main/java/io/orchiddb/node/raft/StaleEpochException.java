package io.orchiddb.node.raft;

import java.io.IOException;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * A request routed with a shard-map epoch older than the shard's: the sender's map is out of date
 * (the shard's range or replicas changed since). Nothing was written. The sender should refresh
 * its map from the meta group and route again. The message names the rule first:
 * {@code stale-epoch: shard group <uuid> is at epoch 5; the request was routed with epoch 4}.
 *
 * <p>Public with a public {@code (String)} constructor so the Ratis client can rebuild it as the
 * cause of the {@code StateMachineException} it receives (only the message crosses the wire).
 */
public final class StaleEpochException extends IOException {
  public StaleEpochException(String message) {
    super(message);
  }

  static StaleEpochException of(RaftGroupId group, long shardEpoch, long routedEpoch) {
    return new StaleEpochException("stale-epoch: shard group " + (group == null ? "?" : group.getUuid())
        + " is at epoch " + shardEpoch + "; the request was routed with epoch " + routedEpoch);
  }
}
