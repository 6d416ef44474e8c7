package io.orchiddb.node.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis's single-file snapshot storage, with the answer to "which is the latest snapshot" kept in
 * memory, and old snapshots cleaned up by index alone.
 *
 * <p>{@link SimpleStateMachineStorage#getLatestSnapshot()} caches a snapshot it has seen, but as
 * long as a group has none it lists the snapshot directory on every call, and Ratis asks on every
 * turn of each follower's log appender (leader) and several times for each append a follower
 * receives (its consistency checks). Until a shard took its first snapshot, that directory
 * listing was about 7% of a node's CPU under load.
 *
 * <p>Here the directory is never read for it: the latest snapshot only changes through {@link
 * #updateLatestSnapshot}, which is how every snapshot this replica loads, takes or installs is
 * announced ({@code OrchidStateMachine.initialize}, {@code takeSnapshot} and {@code reinitialize}).
 *
 * <p>Snapshots are written without an MD5 file (their own CRC32C guards them on disk; Ratis
 * computes the digest while it sends one to a follower, which checks it). Ratis's clean-up counts
 * only snapshots that have one, so this one keeps the newest {@code retention} snapshots by index
 * and deletes the older ones with their digests, if any. Ratis cleans up after every call to
 * {@code takeSnapshot}, which while a snapshot is being written comes after every round of
 * applies; here the directory is listed for that only when a snapshot was announced since the
 * last clean-up.
 */
final class SnapshotStorage extends SimpleStateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStorage.class);
  private volatile SingleFileSnapshotInfo latest;
  private volatile Path dir;
  /** The latest snapshot when old ones were last cleaned up. Guarded by this. */
  private SingleFileSnapshotInfo cleanedAt;

  @Override
  public void init(RaftStorage storage) throws IOException {
    super.init(storage);
    dir = storage.getStorageDir().getStateMachineDir().toPath();
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
    int keep = policy == null ? 0 : policy.getNumSnapshotsRetained();
    if (dir != null && keep > 0) {
      List<Path> snapshots = snapshotsNewestFirst(dir);
      for (Path old : snapshots.subList(Math.min(keep, snapshots.size()), snapshots.size())) {
        if (now == null || !old.equals(now.getFile().getPath())) {
          LOG.info("Deleting old snapshot {}", old);
          Files.deleteIfExists(digestOf(old));
          Files.deleteIfExists(old);
        }
      }
      // Digests whose snapshot is gone (one installed from the leader comes with its digest).
      try (Stream<Path> files = Files.list(dir)) {
        for (Path digest : (Iterable<Path>) files::iterator) {
          String name = digest.getFileName().toString();
          if (SNAPSHOT_MD5_REGEX.matcher(name).matches()
              && !Files.exists(digest.resolveSibling(name.substring(0, name.length() - MD5FileUtil.MD5_SUFFIX.length())))) {
            Files.deleteIfExists(digest);
          }
        }
      }
    }
    cleanedAt = now;
  }

  /** The snapshot files in {@code dir} (named as Ratis names them), newest (highest index) first. */
  static List<Path> snapshotsNewestFirst(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> SNAPSHOT_REGEX.matcher(f.getFileName().toString()).matches())
          .sorted(Comparator.comparingLong((Path f) -> getTermIndexFromSnapshotFile(f.toFile()).getIndex()).reversed())
          .toList();
    }
  }

  /** Where Ratis keeps a file's MD5 ({@code <file>.md5}). */
  static Path digestOf(Path snapshot) {
    return MD5FileUtil.getDigestFileForFile(snapshot.toFile()).toPath();
  }
}
