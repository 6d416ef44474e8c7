package io.orchiddb.node.raft;

import java.io.IOException;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;

/**
 * Ratis's single-file snapshot storage, with the answer to "which is the latest snapshot" kept in
 * memory once the directory has been read.
 *
 * <p>{@link SimpleStateMachineStorage#getLatestSnapshot()} caches a snapshot it has seen, but as
 * long as a group has none it lists the snapshot directory on every call, and Ratis asks on every
 * turn of each follower's log appender (leader) and several times for each append a follower
 * receives (its consistency checks). Until a shard took its first snapshot, that directory
 * listing was about 7% of a node's CPU under load.
 *
 * <p>Here the directory is read once, in {@link #init}; after that the latest snapshot only
 * changes through {@link #updateLatestSnapshot}, which is how every snapshot this replica takes or
 * installs is announced ({@code OrchidStateMachine.takeSnapshot} and {@code reinitialize}).
 *
 * <p>Ratis cleans up old snapshots after every call to {@code takeSnapshot}, which while a
 * snapshot is being written comes after every round of applies; here the directory is listed for
 * that only when a snapshot was announced since the last clean-up.
 */
final class SnapshotStorage extends SimpleStateMachineStorage {
  private volatile SingleFileSnapshotInfo latest;
  /** The latest snapshot when old ones were last cleaned up. Guarded by this. */
  private SingleFileSnapshotInfo cleanedAt;

  @Override
  public void init(RaftStorage storage) throws IOException {
    super.init(storage);
    loadLatestSnapshot(); // the one directory read; it reports through updateLatestSnapshot
  }

  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    return latest;
  }

  @Override
  public synchronized SingleFileSnapshotInfo updateLatestSnapshot(SingleFileSnapshotInfo info) {
    SingleFileSnapshotInfo now = super.updateLatestSnapshot(info);
    latest = now;
    return now;
  }

  @Override
  public synchronized void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    SingleFileSnapshotInfo now = latest;
    if (now != null && now == cleanedAt) {
      return; // nothing announced since: nothing new to keep, nothing old to delete
    }
    super.cleanupOldSnapshots(policy);
    cleanedAt = now;
  }
}
