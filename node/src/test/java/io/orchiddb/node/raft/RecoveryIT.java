package io.orchiddb.node.raft;

import static io.orchiddb.node.raft.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardReadResult;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that acknowledged writes survive failures on a real 3-node cluster with durable logs:
 * a shard leader stopping (a new leader takes over and nothing acknowledged is lost), every node
 * restarting from disk, snapshot + log purge + restart, and a follower that was down while the
 * log it missed was purged (it catches up by snapshot install).
 */
class RecoveryIT {
  /** Small snapshots and segments so a few hundred writes snapshot and purge several times. */
  private static final Map<String, String> COMPACTING = Map.of(
      "shard-count", "1",
      "snapshot-threshold", "100",
      "request-bytes-max", "65536",
      "log-segment-bytes", String.valueOf(65536 + 512 * 1024));

  @TempDir
  Path dir;

  @Test
  void leaderStopsThenNewLeaderTakesOverAndNoAcknowledgedWriteIsLost() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "3"))) {
      Map<String, Long> before = c.putMany("before-", 100, utf8("v"));
      ShardInfo shard = c.shardMap().shards().get(0);
      String oldLeader = TestCluster.awaitValue("a leader for shard 0", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
      c.stop(oldLeader);

      // Writes go on (the client retries until a new leader is elected).
      Map<String, Long> after = c.putMany("after-", 100, utf8("w"));
      String newLeader = TestCluster.awaitValue("a new leader for shard 0", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
      assertThat(newLeader).isNotEqualTo(oldLeader);
      for (var e : before.entrySet()) {
        assertThat(c.get(e.getKey())).as(e.getKey()).isNotNull();
      }
      for (var e : after.entrySet()) {
        KeyEntry entry = c.get(e.getKey());
        assertThat(entry).as(e.getKey()).isNotNull();
        assertThat(entry.getVersion()).isEqualTo(e.getValue());
      }

      // The old leader comes back and catches up: it serves the newest write from its own state.
      c.start(oldLeader);
      String last = "after-99";
      ShardInfo lastShard = c.shardMap().shardFor(utf8(last));
      if (lastShard.getReplicasList().contains(oldLeader)) {
        ShardReadResult r = c.staleGet(last, after.get(last), oldLeader);
        assertThat(r.getGet().getEntry().getValue().toStringUtf8()).isEqualTo("w");
        assertThat(r.getAppliedIndex()).isGreaterThanOrEqualTo(after.get(last));
      }
    }
  }

  @Test
  void everyNodeRestartsFromDiskWithAllData() throws Exception {
    Map<String, Long> written;
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "4"))) {
      written = c.putMany("k", 300, utf8("durable"));
    }
    // Same directories, same ports: a new cluster object restarts the same nodes.
    try (TestCluster c = TestCluster.reopen(dir)) {
      for (var e : written.entrySet()) {
        KeyEntry entry = c.get(e.getKey());
        assertThat(entry).as(e.getKey()).isNotNull();
        assertThat(entry.getValue().toStringUtf8()).isEqualTo("durable");
        assertThat(entry.getVersion()).isEqualTo(e.getValue());
      }
      // And the cluster takes new writes with higher versions.
      long next = c.put("k0", "again");
      assertThat(next).isGreaterThan(written.get("k0"));
    }
  }

  @Test
  void entriesLargerThanASegmentReplicateAndSurviveARestart() throws Exception {
    // 64 KiB segments (the smallest allowed) under the default 4 MiB request limit: each 1 MiB
    // value is an entry 16 times a segment, which Ratis writes into the current segment whole.
    Map<String, String> tiny = Map.of("shard-count", "1", "log-segment-bytes", "65536");
    byte[] big = new byte[1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'b');
    Map<String, Long> written = new java.util.HashMap<>();
    ShardInfo shard;
    long last;
    try (TestCluster c = new TestCluster(dir, 3, tiny)) {
      shard = c.shardMap().shards().get(0);
      String leader = TestCluster.awaitValue("a leader for shard 0", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
      String follower = c.nodeIds().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      for (int i = 0; i < 3; i++) {
        written.put("big" + i, c.put("big" + i, big));
        written.put("small" + i, c.put("small" + i, "s"));
      }
      // A follower that was down reads the entries it missed from the leader's segment files.
      c.stop(follower);
      for (int i = 3; i < 6; i++) {
        written.put("big" + i, c.put("big" + i, big));
      }
      last = written.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      c.start(follower);
      TestCluster.await(follower + " catches up", TestCluster.TIMEOUT,
          () -> c.status(follower, shard).appliedIndex() >= last);
    }
    try (TestCluster c = TestCluster.reopen(dir)) {
      for (var e : written.entrySet()) {
        KeyEntry entry = c.get(e.getKey());
        assertThat(entry).as(e.getKey()).isNotNull();
        assertThat(entry.getVersion()).isEqualTo(e.getValue());
        assertThat(entry.getValue().size()).isEqualTo(e.getKey().startsWith("big") ? big.length : 1);
      }
      for (String node : c.nodeIds()) {
        TestCluster.await(node + " replays its log past the large entries", TestCluster.TIMEOUT,
            () -> c.status(node, shard).appliedIndex() >= last);
      }
    }
  }

  @Test
  void snapshotAndPurgeThenRestartKeepsAllData() throws Exception {
    Map<String, Long> written;
    ShardInfo shard;
    try (TestCluster c = new TestCluster(dir, 3, COMPACTING)) {
      shard = c.shardMap().shards().get(0);
      written = c.putMany("k", 800, new byte[4096]);
      for (String node : c.nodeIds()) {
        TestCluster.await(node + " snapshots and purges its log", TestCluster.TIMEOUT, () -> {
          OrchidNode.GroupStatus s = c.status(node, shard);
          return s.snapshotIndex() > 0 && s.logStartIndex() > 0;
        });
      }
    }
    try (TestCluster c = TestCluster.reopen(dir)) {
      for (String node : c.nodeIds()) {
        // Restarted from the snapshot, not from the beginning of the log (it was purged).
        assertThat(c.status(node, shard).logStartIndex()).isPositive();
      }
      for (var e : written.entrySet()) {
        KeyEntry entry = c.get(e.getKey());
        assertThat(entry).as(e.getKey()).isNotNull();
        assertThat(entry.getVersion()).isEqualTo(e.getValue());
        assertThat(entry.getValue().size()).isEqualTo(4096);
      }
    }
  }

  @Test
  void corruptNewestSnapshotIsSetAsideAndTheReplicaStillRecovers() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, COMPACTING)) {
      ShardInfo shard = c.shardMap().shards().get(0);
      Map<String, Long> written = c.putMany("k", 600, new byte[4096]);
      long last = written.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      String victim = "n3";
      TestCluster.await(victim + " has a snapshot", TestCluster.TIMEOUT,
          () -> c.status(victim, shard).snapshotIndex() > 0);
      c.stop(victim);

      Path sm = dir.resolve(victim).resolve("raft")
          .resolve(RaftGroups.groupId(shard).getUuid().toString()).resolve("sm");
      Path newest;
      try (var files = java.nio.file.Files.list(sm)) {
        newest = files.filter(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
            .max(java.util.Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().replaceAll(".*_", ""))))
            .orElseThrow();
      }
      byte[] bytes = java.nio.file.Files.readAllBytes(newest);
      bytes[bytes.length / 2] ^= 0x5A;
      java.nio.file.Files.write(newest, bytes);

      c.start(victim);
      assertThat(newest.resolveSibling(newest.getFileName() + ".corrupt")).exists();
      assertThat(newest).doesNotExist();
      TestCluster.await(victim + " catches up", TestCluster.TIMEOUT,
          () -> c.status(victim, shard).appliedIndex() >= last);
      for (var e : written.entrySet()) {
        ShardReadResult r = c.staleGet(e.getKey(), last, victim);
        assertThat(r.getGet().hasEntry()).as(e.getKey() + " on " + victim).isTrue();
        assertThat(r.getGet().getEntry().getVersion()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void replicaWhoseSnapshotsAreAllCorruptAndLogPurgedRefusesToStart() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, COMPACTING)) {
      ShardInfo shard = c.shardMap().shards().get(0);
      c.putMany("k", 900, new byte[4096]);
      String victim = "n3";
      TestCluster.await(victim + " snapshots and purges", TestCluster.TIMEOUT,
          () -> c.status(victim, shard).logStartIndex() > 0);
      c.stop(victim);
      Path sm = dir.resolve(victim).resolve("raft")
          .resolve(RaftGroups.groupId(shard).getUuid().toString()).resolve("sm");
      try (var files = java.nio.file.Files.list(sm)) {
        for (Path f : files.filter(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList()) {
          java.nio.file.Files.write(f, new byte[] {1, 2, 3});
        }
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.start(victim))
          .hasStackTraceContaining("the newest snapshot is corrupt and the log no longer holds");
      // The other two replicas go on serving.
      assertThat(c.put("after", "ok")).isPositive();
    }
  }

  @Test
  void followerThatMissedPurgedEntriesCatchesUpBySnapshot() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, COMPACTING)) {
      ShardInfo shard = c.shardMap().shards().get(0);
      c.putMany("early-", 50, utf8("e"));
      String leader = TestCluster.awaitValue("a leader", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
      String lagger = c.nodeIds().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      long laggerApplied = c.status(lagger, shard).appliedIndex();
      c.stop(lagger);

      Map<String, Long> missed = c.putMany("missed-", 800, new byte[4096]);
      long lastVersion = missed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      TestCluster.await("the leader purges past what the lagger has", TestCluster.TIMEOUT,
          () -> c.status(c.leaderOf(shard) == null ? leader : c.leaderOf(shard), shard).logStartIndex() > laggerApplied + 1);

      c.start(lagger);
      TestCluster.await(lagger + " catches up", TestCluster.TIMEOUT,
          () -> c.status(lagger, shard).appliedIndex() >= lastVersion);
      // One more write, so the lagger's log holds an entry after the snapshot it installed: when
      // that snapshot covered the leader's whole log, the lagger's log is empty (start index -1).
      long after = c.putMany("after-", 1, utf8("a")).values().iterator().next();
      TestCluster.await(lagger + " applies a write after the snapshot", TestCluster.TIMEOUT,
          () -> c.status(lagger, shard).appliedIndex() >= after);
      OrchidNode.GroupStatus s = c.status(lagger, shard);
      // It got there by a snapshot from the leader: its own log starts after the gap.
      assertThat(s.snapshotIndex()).isGreaterThan(laggerApplied);
      assertThat(s.logStartIndex()).isGreaterThan(laggerApplied + 1);
      for (var e : missed.entrySet()) {
        ShardReadResult r = c.staleGet(e.getKey(), lastVersion, lagger);
        assertThat(r.getGet().hasEntry()).as(e.getKey() + " on " + lagger).isTrue();
        assertThat(r.getGet().getEntry().getVersion()).isEqualTo(e.getValue());
      }
      assertThat(c.staleGet("early-0", lastVersion, lagger).getGet().hasEntry()).isTrue();
    }
  }
}
