package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardReadResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizable reads confirm leadership with a majority after they arrive ({@link ReadIndex}).
 * Ratis 3.3.0's own ReadIndex does not: it answers at once, without a heartbeat round, while the
 * leader's commit index is one a majority acknowledged before ({@code
 * ReadIndexHeartbeats.addAppendEntriesListener}), so a leader cut off from its followers kept
 * serving reads until it stepped down, after the others could have elected a new leader and
 * committed writes it cannot see (issue 7, session 16).
 *
 * <p>Partitions are made with Ratis's test injection points, in this JVM: a node on one side
 * refuses appendEntries and vote requests from the other side ({@code RaftServerImpl}), and so
 * does the term check of our ReadIndex ({@link ReadIndex#TERM_ANSWER}).
 */
class ReadIndexLeadershipIT {
  /** {@code RaftServerImpl.APPEND_ENTRIES} and {@code REQUEST_VOTE}: the class is package-private in Ratis. */
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @AfterEach
  void heal() {
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    CodeInjectionForTesting.remove(REQUEST_VOTE);
    CodeInjectionForTesting.remove(ReadIndex.TERM_ANSWER);
  }

  @Test
  void aLeaderCutOffFromItsFollowersDoesNotServeLinearizableReads() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1"))) {
      Written w = written(c, "before");
      String leader = w.leader();
      RaftGroupId group = w.group();
      NodeReads reads = w.reads();

      // The partition, one way: no follower takes anything from the leader from now on.
      CodeInjectionForTesting.Code fromLeader = (local, remote, args) -> {
        if (String.valueOf(remote).equals(leader) && !String.valueOf(local).equals(leader)) {
          throw new IllegalStateException("partitioned from " + leader);
        }
        return false;
      };
      CodeInjectionForTesting.put(APPEND_ENTRIES, fromLeader);
      CodeInjectionForTesting.put(ReadIndex.TERM_ANSWER, fromLeader);
      long start = System.nanoTime();
      String answered = answer(reads.read(linearizable(leader, group)));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(answered).as("a linearizable read at the cut-off leader, after %d ms", ms).isNull();
    }
  }

  /**
   * The whole anomaly: the old leader on the minority side, a new leader and a write on the
   * majority side, and then a linearizable read at the old leader must not return the old value.
   */
  @Test
  void aDeposedLeaderNeverServesTheValueBeforeAWriteTheMajorityAcknowledged() throws Exception {
    // n1 leads and is slow to notice it was cut off (it steps down after 2 × 3 s without answers);
    // the others elect a new leader within about 2 × 300 ms. So there is a window of several
    // seconds in which n1 still believes it leads while the majority commits writes.
    String old = "n1";
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1", "election-timeout-ms", "300"),
        Map.of(old, Map.of("election-timeout-ms", "3000")))) {
      c.put("ri/key", "before");
      ShardInfo shard = c.shardMap().shardFor(TestCluster.utf8("ri/key"));
      RaftGroupId group = RaftGroups.groupId(shard);
      RaftGroup full = RaftGroups.shard(c.layout(), shard);
      try (RaftClient admin = RaftClient.newBuilder().setRaftGroup(full).setProperties(c.node(old).raftProperties())
          .build()) {
        TestCluster.await(old + " to lead the shard", WAIT, () -> {
          if (old.equals(c.leaderOf(shard))) {
            return true;
          }
          try {
            admin.admin().transferLeadership(RaftPeerId.valueOf(old), 5_000);
          } catch (java.io.IOException e) {
            // Not yet (e.g. no leader at this moment): try again.
          }
          return old.equals(c.leaderOf(shard));
        });
      }
      NodeReads reads = c.node(old).reads();
      assertThat(value(reads.read(linearizable(old, group)).get(30, TimeUnit.SECONDS))).isEqualTo("before");

      CodeInjectionForTesting.Code across = (local, remote, args) -> {
        if (String.valueOf(local).equals(old) != String.valueOf(remote).equals(old)) {
          throw new IllegalStateException("partitioned: " + local + " from " + remote);
        }
        return false;
      };
      CodeInjectionForTesting.put(APPEND_ENTRIES, across);
      CodeInjectionForTesting.put(REQUEST_VOTE, across);
      CodeInjectionForTesting.put(ReadIndex.TERM_ANSWER, across);

      // The majority side elects a leader and acknowledges a write (a client that knows only it),
      // while the old leader still believes it leads.
      TestCluster.await("a leader on the majority side", WAIT, () -> c.nodeIds().stream()
          .filter(n -> !n.equals(old)).anyMatch(n -> c.status(n, shard).leader()));
      assertThat(c.status(old, shard).leader()).as("%s still believes it leads", old).isTrue();
      RaftGroup majority = RaftGroup.valueOf(full.getGroupId(),
          full.getPeers().stream().filter(p -> !p.getId().toString().equals(old)).toList());
      try (GroupClient client = new GroupClient(majority, c.node(old).raftProperties(), Duration.ofSeconds(5))) {
        client.write(TestCluster.putCommand("ri/key", TestCluster.utf8("after")).toByteArray())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }

      // Whatever the old leader now thinks it is, its linearizable reads may fail but never be stale.
      for (int i = 0; i < 20; i++) {
        String answered = answer(reads.read(linearizable(old, group)));
        assertThat(answered).as("read %d at the old leader %s", i, old).isNotEqualTo("before");
      }
      // Healed, it serves the new value.
      heal();
      TestCluster.await("the old leader to serve the new value", WAIT,
          () -> "after".equals(answer(reads.read(linearizable(old, group)))));
    }
  }

  @Test
  void concurrentReadsShareLeadershipRoundsAndFollowersAskTheLeader() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1", "metrics-port", "0"))) {
      Written w = written(c, "v1");
      String leader = w.leader();
      RaftGroupId group = w.group();
      NodeReads reads = w.reads();

      long roundsBefore = reads.readIndexRounds();
      List<CompletableFuture<byte[]>> many = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        many.add(reads.read(linearizable(leader, group)));
      }
      for (CompletableFuture<byte[]> f : many) {
        assertThat(value(f.get(30, TimeUnit.SECONDS))).isEqualTo("v1");
      }
      long rounds = reads.readIndexRounds() - roundsBefore;
      assertThat(rounds).as("leadership rounds for 500 concurrent reads").isBetween(1L, 250L);

      // A follower serves a linearizable read itself, at the index the leader confirmed: it sees
      // the write acknowledged just before, and the leader ran a round for it.
      String follower = c.nodeIds().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      c.put("ri/key", "v2");
      long leaderRounds = reads.readIndexRounds();
      RaftClientReply reply = reply(c.node(follower).reads().read(linearizable(follower, group)).get(30, TimeUnit.SECONDS));
      assertThat(reply.getServerId().toString()).isEqualTo(follower);
      assertThat(valueOf(reply)).isEqualTo("v2");
      assertThat(reads.readIndexRounds()).isGreaterThan(leaderRounds);

      // The leader's metrics count the rounds and the reads in them (502 so far, and some may be the meta group's).
      Map<String, Double> metrics = ClusterIT.scrape(c.node(leader));
      assertThat(metrics.get("orchiddb_node_read_index_rounds_total")).isEqualTo((double) reads.readIndexRounds());
      assertThat(metrics.get("orchiddb_node_read_index_rounds_widened_total"))
          .isEqualTo((double) reads.readIndexRoundsWidened());
      assertThat(metrics.get("orchiddb_node_read_index_reads_total")).isGreaterThanOrEqualTo(502.0)
          .isEqualTo((double) reads.readIndexReads());
    }
  }

  /**
   * A round asks one of the two followers, the one that answered first last time; when that one
   * stops answering, the round asks the other as well, and later rounds ask the other first.
   */
  @Test
  void aRoundAsksOneFollowerAndTheOtherWhenThatOneDoesNotAnswer() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1"))) {
      Written w = written(c, "v1");
      String leader = w.leader();
      RaftGroupId group = w.group();
      NodeReads reads = w.reads();
      Map<String, LongAdder> answers = new ConcurrentHashMap<>();
      Set<String> silent = ConcurrentHashMap.newKeySet();
      CodeInjectionForTesting.put(ReadIndex.TERM_ANSWER, (local, remote, args) -> {
        if (String.valueOf(remote).equals(leader)) {
          if (silent.contains(String.valueOf(local))) {
            throw new IllegalStateException("partitioned from " + leader);
          }
          answers.computeIfAbsent(String.valueOf(local), k -> new LongAdder()).increment();
        }
        return false;
      });

      long rounds = reads.readIndexRounds();
      long widened = reads.readIndexRoundsWidened();
      long streams = reads.termStreams().opened();
      for (int i = 0; i < 50; i++) {
        assertThat(value(reads.read(linearizable(leader, group)).get(30, TimeUnit.SECONDS))).isEqualTo("v1");
      }
      rounds = reads.readIndexRounds() - rounds;
      widened = reads.readIndexRoundsWidened() - widened;
      long total = answers.values().stream().mapToLong(LongAdder::sum).sum();
      // Asking both followers would be 2 answers a round; a round widened by a slow answer asks at most 2 more.
      assertThat(rounds).isGreaterThanOrEqualTo(50);
      assertThat(total).as("term answers to %d rounds (%d widened): %s", rounds, widened, answers)
          .isLessThanOrEqualTo(rounds + 2 * widened);
      assertThat(widened).as("rounds widened").isLessThan(rounds / 2);
      String asked = answers.entrySet().stream().max(Map.Entry.comparingByValue(
          java.util.Comparator.comparingLong(LongAdder::sum))).orElseThrow().getKey();

      // The follower asked first goes silent: reads still succeed, asking the other, which is asked first from then on.
      silent.add(asked);
      String other = c.nodeIds().stream().filter(n -> !n.equals(leader) && !n.equals(asked)).findFirst().orElseThrow();
      long otherBefore = answers.computeIfAbsent(other, k -> new LongAdder()).sum();
      long widenedBefore = reads.readIndexRoundsWidened();
      assertThat(value(reads.read(linearizable(leader, group)).get(30, TimeUnit.SECONDS))).isEqualTo("v1");
      long widenedAfterFirst = reads.readIndexRoundsWidened();
      assertThat(widenedAfterFirst - widenedBefore).as("the first round after %s went silent was widened", asked)
          .isEqualTo(1);
      long roundsBefore = reads.readIndexRounds();
      for (int i = 0; i < 20; i++) {
        assertThat(value(reads.read(linearizable(leader, group)).get(30, TimeUnit.SECONDS))).isEqualTo("v1");
      }
      long later = reads.readIndexRounds() - roundsBefore;
      assertThat(reads.readIndexRoundsWidened() - widenedAfterFirst)
          .as("rounds widened among %d after %s went silent", later, asked).isLessThanOrEqualTo(later / 4);
      assertThat(answers.get(other).sum() - otherBefore).isGreaterThanOrEqualTo(later + 1);
      // Every question went as a message on a stream kept open to each follower, a failed answer
      // (the silent one's) included: no unary calls, and a few streams for 70 rounds and more (one
      // per follower and per thread kind asking: this test's, an answer's event loop, the timer's).
      assertThat(reads.termStreams().opened() - streams).as("term streams opened").isLessThanOrEqualTo(6);
      assertThat(reads.termStreams().unaryCalls()).isZero();
    }
  }

  /** The shard of the test's key, its leader, and the leader's reads. */
  private record Written(RaftGroupId group, String leader, NodeReads reads) {}

  /** Writes {@code value} to the test's key and reads it back, linearizable, at the shard's leader. */
  private static Written written(TestCluster c, String value) throws Exception {
    c.put("ri/key", value);
    ShardInfo shard = c.shardMap().shardFor(TestCluster.utf8("ri/key"));
    RaftGroupId group = RaftGroups.groupId(shard);
    String leader = TestCluster.awaitValue("a leader", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
    NodeReads reads = c.node(leader).reads();
    assertThat(value(reads.read(linearizable(leader, group)).get(30, TimeUnit.SECONDS))).isEqualTo(value);
    return new Written(group, leader, reads);
  }

  private static byte[] linearizable(String node, RaftGroupId group) {
    return ClientProtoUtils.toRaftClientRequestProto(RaftClientRequest.newBuilder().setClientId(ClientId.randomId())
        .setServerId(RaftPeerId.valueOf(node)).setGroupId(group).setCallId(1)
        .setType(RaftClientRequest.readRequestType())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(TestCluster.getQuery("ri/key"))))
        .setTimeoutMs(10_000).build()).toByteArray();
  }

  /** The value a read answered with; null when it failed or was refused. */
  private static String answer(CompletableFuture<byte[]> read) {
    try {
      return value(read.get(30, TimeUnit.SECONDS));
    } catch (Exception refused) {
      return null;
    }
  }

  /** The value a successful read reply carries; null when the reply is a refusal. */
  private static String value(byte[] reply) throws Exception {
    return valueOf(reply(reply));
  }

  private static RaftClientReply reply(byte[] bytes) throws Exception {
    return ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(bytes));
  }

  private static String valueOf(RaftClientReply r) throws Exception {
    if (!r.isSuccess()) {
      return null;
    }
    return ShardReadResult.parseFrom(r.getMessage().getContent().toByteArray()).getGet().getEntry().getValue().toStringUtf8();
  }
}
