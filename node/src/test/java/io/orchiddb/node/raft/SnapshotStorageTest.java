package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that {@link SnapshotStorage} answers "the latest snapshot" from memory: a snapshot file
 * that appears without being announced through {@code updateLatestSnapshot} is not seen (Ratis's
 * own storage would list the directory again on that call), an announced one is, and an older
 * announcement never replaces a newer one; and that it cleans up old snapshots by index, with or
 * without their digests.
 *
 * <p>How: a real formatted {@link RaftStorage} in a temporary directory; snapshot files are empty
 * files named as Ratis names them, which is all the directory scan looks at.
 */
class SnapshotStorageTest {
  @TempDir Path dir;
  private RaftStorage raftStorage;

  private RaftStorage formatted() throws IOException {
    raftStorage = formatted(dir);
    return raftStorage;
  }

  /** A real Ratis storage, formatted and initialized, in {@code dir} (also for {@link SnapshotWriteTest}). */
  static RaftStorage formatted(Path dir) throws IOException {
    RaftStorage storage = RaftStorage.newBuilder()
        .setDirectory(dir.toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
        .build();
    storage.initialize();
    return storage;
  }

  @AfterEach
  void close() throws IOException {
    if (raftStorage != null) {
      raftStorage.close();
    }
  }

  private static File touchSnapshot(SnapshotStorage storage, long term, long index) throws IOException {
    File file = storage.getSnapshotFile(term, index);
    Files.createDirectories(file.toPath().getParent());
    Files.write(file.toPath(), new byte[0]);
    return file;
  }

  private static SingleFileSnapshotInfo info(File file, long term, long index) {
    return new SingleFileSnapshotInfo(new FileInfo(file.toPath(), null), TermIndex.valueOf(term, index));
  }

  @Test
  void noSnapshotIsRememberedWithoutListingTheDirectoryAgain() throws IOException {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(formatted());
    assertThat(storage.getLatestSnapshot()).isNull();

    touchSnapshot(storage, 1, 40); // written behind the storage's back

    assertThat(storage.getLatestSnapshot()).isNull();
  }

  /** The state machine decides which snapshot on disk is valid and announces it; init reads none. */
  @Test
  void initReadsNoSnapshotOfItsOwn() throws IOException {
    RaftStorage formatted = formatted();
    SnapshotStorage probe = new SnapshotStorage();
    probe.init(formatted);
    touchSnapshot(probe, 1, 10);
    touchSnapshot(probe, 2, 30);

    SnapshotStorage storage = new SnapshotStorage();
    storage.init(formatted);

    assertThat(storage.getLatestSnapshot()).isNull();
  }

  @Test
  void announcedSnapshotsAreSeenAndTheNewestWins() throws IOException {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(formatted());

    File second = touchSnapshot(storage, 1, 20);
    storage.updateLatestSnapshot(info(second, 1, 20));
    assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(20);

    File first = touchSnapshot(storage, 1, 10);
    storage.updateLatestSnapshot(info(first, 1, 10));
    assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(20);

    File third = touchSnapshot(storage, 2, 35);
    storage.updateLatestSnapshot(info(third, 2, 35));
    assertThat(storage.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 35));
  }

  private static final org.apache.ratis.statemachine.SnapshotRetentionPolicy KEEP_TWO =
      new org.apache.ratis.statemachine.SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() {
          return 2;
        }
      };

  private static File snapshotWithDigest(SnapshotStorage storage, long term, long index) throws IOException {
    File file = touchSnapshot(storage, term, index);
    org.apache.ratis.util.MD5FileUtil.computeAndSaveMd5ForFile(file);
    return file;
  }

  private static File digest(File snapshot) {
    return SnapshotStorage.digestOf(snapshot.toPath()).toFile();
  }

  /** Old snapshots are cleaned up when a new one was announced, and the directory is not listed otherwise. */
  @Test
  void cleanupListsTheDirectoryOnlyAfterAnAnnouncement() throws IOException {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(formatted());
    File s10 = touchSnapshot(storage, 1, 10);
    File s20 = touchSnapshot(storage, 1, 20);
    File s30 = touchSnapshot(storage, 1, 30);
    storage.updateLatestSnapshot(info(s30, 1, 30));
    storage.cleanupOldSnapshots(KEEP_TWO);
    assertThat(s10).doesNotExist();
    assertThat(s20).exists();

    File s5 = touchSnapshot(storage, 1, 5); // behind its back, and nothing announced since
    storage.cleanupOldSnapshots(KEEP_TWO);
    assertThat(s5).exists();

    File s40 = touchSnapshot(storage, 1, 40);
    storage.updateLatestSnapshot(info(s40, 1, 40));
    storage.cleanupOldSnapshots(KEEP_TWO);
    assertThat(s5).doesNotExist();
    assertThat(s20).doesNotExist();
    assertThat(s30).exists();
    assertThat(s40).exists();
  }

  /**
   * Snapshots are written without digests, so clean-up goes by index alone (Ratis's counts only
   * snapshots with a digest, and would keep all of these): older snapshots go with their digests
   * (written by earlier versions, or by Ratis for an installed snapshot), and so do digests left
   * without a snapshot. The latest is kept even when a higher index lies unannounced beside it.
   */
  @Test
  void cleanupKeepsTheNewestByIndexWithOrWithoutDigests() throws IOException {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(formatted());
    File old = snapshotWithDigest(storage, 1, 10);
    File installed = snapshotWithDigest(storage, 1, 20);
    File written = touchSnapshot(storage, 2, 30);
    File orphan = digest(snapshotWithDigest(storage, 1, 15));
    Files.delete(storage.getSnapshotFile(1, 15).toPath());
    storage.updateLatestSnapshot(info(written, 2, 30));
    storage.cleanupOldSnapshots(KEEP_TWO);

    assertThat(old).doesNotExist();
    assertThat(digest(old)).doesNotExist();
    assertThat(orphan).doesNotExist();
    assertThat(installed).exists();
    assertThat(digest(installed)).exists();
    assertThat(written).exists();

    File ahead1 = touchSnapshot(storage, 2, 50);
    File ahead2 = touchSnapshot(storage, 2, 60);
    File latest = touchSnapshot(storage, 2, 40);
    storage.updateLatestSnapshot(info(latest, 2, 40));
    storage.cleanupOldSnapshots(KEEP_TWO);
    assertThat(latest).exists();
    assertThat(ahead1).exists();
    assertThat(ahead2).exists();
    assertThat(written).doesNotExist();
    assertThat(installed).doesNotExist();
  }
}
