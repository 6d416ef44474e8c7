package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardReadResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A linearizable read at a leader that can no longer reach any follower must not be answered:
 * the leader cannot know it is still the leader. Ratis's ReadIndex answers at once, without a
 * heartbeat round, while the leader's commit index is one a majority has acknowledged before
 * ({@code ReadIndexHeartbeats.addAppendEntriesListener}, Ratis 3.3.0). How: a 3-node cluster in
 * this JVM; one linearizable read at the leader; then both followers refuse every appendEntries
 * from the leader (Ratis's test injection point in {@code RaftServerImpl.appendEntriesAsync}),
 * as a partition would; a second linearizable read at the leader must not succeed while it is cut off.
 *
 * <p>Why it matters: a leader cut off from its followers steps down only after Ratis's max election
 * timeout (2 s by default), while the followers may elect a new leader from the min (1 s) and
 * commit writes; in between, a STRONG read served by the old leader this way can miss a write
 * that was already acknowledged.
 */
class ReadIndexLeadershipIT {
  /** {@code RaftServerImpl.APPEND_ENTRIES}: the class is package-private in Ratis. */
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";

  @TempDir
  Path dir;

  @AfterEach
  void heal() {
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
  }

  @Test
  @Disabled("Fails today: Ratis 3.3.0 answers the read at once (3 ms), without a heartbeat round. Kept to pin the"
      + " fix; issue 7's session-16 note has the analysis. Enable with the fix.")
  void aLeaderCutOffFromItsFollowersDoesNotServeLinearizableReads() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1"))) {
      c.put("ri/key", "before");
      ShardInfo shard = c.shardMap().shardFor(TestCluster.utf8("ri/key"));
      RaftGroupId group = RaftGroups.groupId(shard);
      String leader = TestCluster.awaitValue("a leader", TestCluster.TIMEOUT, () -> c.leaderOf(shard));
      NodeReads reads = c.node(leader).reads();
      assertThat(value(reads.read(linearizable(leader, group)).get(30, TimeUnit.SECONDS))).isEqualTo("before");

      // The partition: no follower takes the leader's appendEntries (nor answers them) from now on.
      CodeInjectionForTesting.put(APPEND_ENTRIES, (local, remote, args) -> {
        if (String.valueOf(remote).equals(leader) && !String.valueOf(local).equals(leader)) {
          throw new IllegalStateException("partitioned from " + leader);
        }
        return false;
      });
      long start = System.nanoTime();
      CompletableFuture<byte[]> cutOff = reads.read(linearizable(leader, group));
      boolean answered;
      try {
        answered = value(cutOff.get(30, TimeUnit.SECONDS)) != null;
      } catch (Exception refused) {
        answered = false;
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(answered).as("a linearizable read at the cut-off leader was answered after %d ms", ms).isFalse();
    }
  }

  private static byte[] linearizable(String node, RaftGroupId group) {
    return ClientProtoUtils.toRaftClientRequestProto(RaftClientRequest.newBuilder().setClientId(ClientId.randomId())
        .setServerId(RaftPeerId.valueOf(node)).setGroupId(group).setCallId(1)
        .setType(RaftClientRequest.readRequestType())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(TestCluster.getQuery("ri/key"))))
        .setTimeoutMs(10_000).build()).toByteArray();
  }

  /** The value a successful read reply carries; null when the reply is a refusal. */
  private static String value(byte[] reply) throws Exception {
    var r = ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(reply));
    if (!r.isSuccess()) {
      return null;
    }
    return ShardReadResult.parseFrom(r.getMessage().getContent().toByteArray()).getGet().getEntry().getValue().toStringUtf8();
  }
}
