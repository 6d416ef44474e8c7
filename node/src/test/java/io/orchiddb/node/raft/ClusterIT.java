package io.orchiddb.node.raft;

import static io.orchiddb.node.raft.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Condition;
import io.orchiddb.proto.raft.DeleteOp;
import io.orchiddb.proto.raft.GetClusterMap;
import io.orchiddb.proto.raft.KeyAbsent;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.MetaRead;
import io.orchiddb.proto.raft.MetaReadResult;
import io.orchiddb.proto.raft.NodeReadBatch;
import io.orchiddb.proto.raft.NodeReadBatchReply;
import io.orchiddb.proto.raft.NodeReadIndexReply;
import io.orchiddb.proto.raft.NodeReadIndexRequest;
import io.orchiddb.proto.raft.NodeReadOutcome;
import io.orchiddb.proto.raft.NodeTermReply;
import io.orchiddb.proto.raft.NodeTermRequest;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.ScanQuery;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the storage node on a real 3-node cluster (three Ratis servers on loopback, durable logs
 * on disk): the cluster bootstraps its shards and meta group, every shard takes writes and serves
 * reads, conditions and batches behave, and the leader refuses what breaks a limit.
 */
class ClusterIT {
  @TempDir
  Path dir;

  /** A node's /metrics as series ("name{labels}" exactly as written) → value. */
  static Map<String, Double> scrape(OrchidNode node) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      Map<String, Double> series = new HashMap<>();
      for (String line : r.body().split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          int space = line.lastIndexOf(' ');
          series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
      }
      return series;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("scraping " + node.config().nodeId(), e);
    }
  }

  @Test
  void eachNodeServesMetricsOfItsGroupsAndItsJvm() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "2", "metrics-port", "0"))) {
      Map<Integer, Integer> keysPerShard = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        c.put("metrics/" + i, "v" + i);
        keysPerShard.merge(c.shardMap().shardFor(utf8("metrics/" + i)).getId(), 1, Integer::sum);
      }
      for (ShardInfo shard : c.shardMap().shards()) {
        String group = "{group=\"shard-" + shard.getId() + "\"}";
        int keys = keysPerShard.getOrDefault(shard.getId(), 0);
        TestCluster.await("one leader of shard " + shard.getId() + " in the metrics, holding its keys",
            TestCluster.TIMEOUT, () -> {
              int leaders = 0;
              for (String id : c.nodeIds()) {
                Map<String, Double> m = scrape(c.node(id));
                if (m.get("orchiddb_node_raft_leader" + group) == 1.0) {
                  leaders++;
                  // The leader applied every write it acknowledged, each its own entry and transaction.
                  assertThat(m.get("orchiddb_node_shard_keys" + group)).isEqualTo((double) keys);
                  // Each key's record holds at least its key and value ("metrics/i" and "vi").
                  double live = m.get("orchiddb_node_shard_store_live_bytes" + group);
                  assertThat(live).isGreaterThanOrEqualTo(keys * 11.0);
                  assertThat(m.get("orchiddb_node_shard_store_bytes" + group)).isGreaterThanOrEqualTo(live);
                  assertThat(m.get("orchiddb_node_shard_applied_txns_total" + group)).isGreaterThanOrEqualTo(keys);
                  assertThat(m.get("orchiddb_node_raft_applied_entries_total" + group)).isGreaterThanOrEqualTo(keys);
                  assertThat(m.get("orchiddb_node_raft_applied_index" + group))
                      .isLessThanOrEqualTo(m.get("orchiddb_node_raft_commit_index" + group)).isPositive();
                  assertThat(m.get("orchiddb_node_raft_term" + group)).isPositive();
                }
              }
              return leaders == 1;
            });
      }
      // A follower down: the leader's lag gauge counts the entries it misses.
      ShardInfo shard = c.shardMap().shards().get(0);
      String leader = c.leaderOf(shard);
      String follower = shard.getReplicasList().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      String group = "{group=\"shard-" + shard.getId() + "\"}";
      assertThat(scrape(c.node(follower)).get("orchiddb_node_raft_follower_lag" + group)).as("NaN on a follower").isNaN();
      c.stop(follower);
      int written = 0;
      for (int i = 0; written < 5; i++) {
        if (c.shardMap().shardFor(utf8("lag/" + i)).getId() == shard.getId()) {
          c.put("lag/" + i, "v");
          written++;
        }
      }
      assertThat(scrape(c.node(leader)).get("orchiddb_node_raft_follower_lag" + group)).isGreaterThanOrEqualTo(5);
      c.start(follower);
      TestCluster.await("the follower caught up in the leader's lag gauge", TestCluster.TIMEOUT, () -> {
        String now = c.leaderOf(shard);
        return now != null && scrape(c.node(now)).get("orchiddb_node_raft_follower_lag" + group) == 0.0;
      });

      Map<String, Double> m = scrape(c.node("n1"));
      assertThat(m).containsKey("orchiddb_node_raft_leader{group=\"meta\"}");
      assertThat(m.get("process_resident_memory_bytes")).isGreaterThan(1 << 20);
      assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
      // Three nodes in one JVM, each on a port of its own.
      assertThat(c.nodeIds().stream().map(id -> c.node(id).metricsPort()).distinct()).hasSize(3);
    }
  }

  @Test
  void aMetricsPortInUseStopsTheNodeAtStartWithTheSettingNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> new TestCluster(dir, 1, Map.of("metrics-port", String.valueOf(port))))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("metrics-port " + port + ": cannot listen on 127.0.0.1");
    }
  }

  @Test
  void nodeReadsServesReadsAsRatisWouldAndRefusesEverythingElse() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "2"))) {
      long version = c.put("nr/key", "nr-value");
      ShardInfo shard = c.shardMap().shardFor(utf8("nr/key"));
      RaftGroupId group = RaftGroups.groupId(shard);
      String leader = c.leaderOf(shard);
      String follower = shard.getReplicasList().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      for (String node : List.of(leader, follower)) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(c.config(node).address().toString()).usePlaintext().build();
        try {
          for (RaftClientRequest.Type type : List.of(RaftClientRequest.readRequestType(),
              RaftClientRequest.staleReadRequestType(version))) {
            RaftClientReply reply = ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(
                call(channel, request(node, group, type, TestCluster.getQuery("nr/key")))));
            assertThat(reply.isSuccess()).as("%s read on %s", type, node).isTrue();
            ShardReadResult r = ShardReadResult.parseFrom(reply.getMessage().getContent().toByteArray());
            assertThat(r.getGet().getEntry().getValue().toStringUtf8()).isEqualTo("nr-value");
            assertThat(r.getAppliedIndex()).isGreaterThanOrEqualTo(version);
          }
          // Not reads: refused before they reach Raft.
          byte[] write = request(node, group, RaftClientRequest.writeRequestType(),
              TestCluster.putCommand("nr/other", utf8("x")).toByteArray());
          assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, write)).getStatus().getCode())
              .isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, new byte[] {1, 2, 3}))
              .getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          // A group this node does not have: the read fails, it is not answered from elsewhere.
          byte[] unknown = request(node, RaftGroupId.randomId(), RaftClientRequest.readRequestType(),
              TestCluster.getQuery("nr/key"));
          assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, unknown)).getStatus().getCode())
              .isEqualTo(Status.Code.UNAVAILABLE);

          // The node-to-node methods of linearizable reads (ReadIndex): a voter's term; the
          // leader's read index (a follower is not asked); bad input and unknown groups refused.
          ByteString groupBytes = ByteString.copyFrom(group.toByteString().toByteArray());
          ByteString unknownGroup = ByteString.copyFrom(RaftGroupId.randomId().toByteString().toByteArray());
          byte[] term = ClientCalls.blockingUnaryCall(channel, NodeReads.TERM_CALL, deadline(),
              NodeTermRequest.newBuilder().setGroupId(groupBytes).setFrom("test").build().toByteArray());
          assertThat(NodeTermReply.parseFrom(term).getTerm()).isEqualTo(c.status(node, shard).term()).isPositive();
          for (var method : List.of(NodeReads.TERM_CALL, NodeReads.READ_INDEX_CALL)) {
            assertThat(catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, method, deadline(), new byte[] {(byte) 0xFF, 1}))
                .getStatus().getCode()).as("%s of garbage", method.getFullMethodName()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            byte[] unknownRequest = NodeTermRequest.newBuilder().setGroupId(unknownGroup).setFrom("test").build().toByteArray();
            assertThat(catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, method, deadline(), unknownRequest))
                .getStatus().getCode()).as("%s of an unknown group", method.getFullMethodName()).isEqualTo(Status.Code.UNAVAILABLE);
          }
          // The term as messages of one stream: each answer carries its request's seq; a group the
          // node does not have gets a failure and the stream stays open; garbage ends it.
          BlockingQueue<Object> got = new LinkedBlockingQueue<>();
          StreamObserver<byte[]> terms = ClientCalls.asyncBidiStreamingCall(
              channel.newCall(NodeReads.TERMS_CALL, deadline()), new StreamObserver<>() {
                @Override
                public void onNext(byte[] bytes) {
                  try {
                    got.add(NodeTermReply.parseFrom(bytes));
                  } catch (IOException e) {
                    got.add(e);
                  }
                }

                @Override
                public void onError(Throwable t) {
                  got.add(t);
                }

                @Override
                public void onCompleted() {
                  got.add("completed");
                }
              });
          terms.onNext(NodeTermRequest.newBuilder().setGroupId(unknownGroup).setFrom("test").setSeq(11).build().toByteArray());
          NodeTermReply refused = (NodeTermReply) got.poll(30, TimeUnit.SECONDS);
          assertThat(refused.getSeq()).isEqualTo(11);
          assertThat(refused.getFailure()).as("the answer about an unknown group").isNotEmpty();
          terms.onNext(NodeTermRequest.newBuilder().setGroupId(groupBytes).setFrom("test").setSeq(12).build().toByteArray());
          NodeTermReply answered = (NodeTermReply) got.poll(30, TimeUnit.SECONDS);
          assertThat(answered.getSeq()).isEqualTo(12);
          assertThat(answered.getFailure()).isEmpty();
          assertThat(answered.getTerm()).isEqualTo(c.status(node, shard).term());
          terms.onNext(new byte[] {(byte) 0xFF, 1});
          assertThat(Status.fromThrowable((Throwable) got.poll(30, TimeUnit.SECONDS)).getCode())
              .as("the stream after garbage").isEqualTo(Status.Code.INVALID_ARGUMENT);

          byte[] readIndexRequest = NodeReadIndexRequest.newBuilder().setGroupId(groupBytes).setFrom("test").build().toByteArray();
          if (node.equals(leader)) {
            long index = NodeReadIndexReply.parseFrom(ClientCalls.blockingUnaryCall(channel, NodeReads.READ_INDEX_CALL,
                deadline(), readIndexRequest)).getReadIndex();
            assertThat(index).isGreaterThanOrEqualTo(version);
          } else {
            assertThat(catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, NodeReads.READ_INDEX_CALL, deadline(), readIndexRequest))
                .getStatus().getDescription()).contains("not the leader");
          }
        } finally {
          channel.shutdownNow();
        }
      }
      assertThat(c.get("nr/other")).isNull();
    }
  }

  @Test
  void nodeReadsAnswersTheReadsOfSeveralGroupsInOneCall() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "2"))) {
      // Two keys on different shards; every node holds both (replication 3).
      String a = "nrm/a";
      String b = null;
      for (int i = 0; b == null; i++) {
        if (c.shardMap().shardFor(utf8("nrm/b" + i)).getId() != c.shardMap().shardFor(utf8(a)).getId()) {
          b = "nrm/b" + i;
        }
      }
      long va = c.put(a, "value-a");
      long vb = c.put(b, "value-b");
      RaftGroupId ga = RaftGroups.groupId(c.shardMap().shardFor(utf8(a)));
      RaftGroupId gb = RaftGroups.groupId(c.shardMap().shardFor(utf8(b)));
      String node = "n1";
      // Stale reads see what this node has applied: wait until it has both writes.
      for (String key : List.of(a, b)) {
        ShardInfo shard = c.shardMap().shardFor(utf8(key));
        long version = key.equals(a) ? va : vb;
        TestCluster.await(node + " applies " + key, TestCluster.TIMEOUT, () -> c.status(node, shard).appliedIndex() >= version);
      }
      ManagedChannel channel = ManagedChannelBuilder.forTarget(c.config(node).address().toString()).usePlaintext().build();
      try {
        NodeReadBatchReply reply = NodeReadBatchReply.parseFrom(callMany(channel, List.of(
            request(node, ga, RaftClientRequest.readRequestType(), TestCluster.getQuery(a)),
            request(node, gb, RaftClientRequest.staleReadRequestType(vb), TestCluster.getQuery(b)),
            request(node, RaftGroupId.randomId(), RaftClientRequest.readRequestType(), TestCluster.getQuery(a)),
            // Far ahead of anything applied: refused in the reply, as a lone stale read would be.
            request(node, ga, RaftClientRequest.staleReadRequestType(va + 1_000_000), TestCluster.getQuery(a)))));
        assertThat(reply.getOutcomesCount()).isEqualTo(4);
        assertThat(value(reply.getOutcomes(0))).isEqualTo("value-a");
        assertThat(value(reply.getOutcomes(1))).isEqualTo("value-b");
        assertThat(reply.getOutcomes(2).hasFailure()).isTrue();
        RaftClientReply behind = ClientProtoUtils.toRaftClientReply(
            RaftClientReplyProto.parseFrom(reply.getOutcomes(3).getReply().toByteArray()));
        assertThat(behind.isSuccess()).isFalse();

        // Refused whole, before anything reaches Raft: a write among the reads, garbage, no
        // requests, and one request over the limit (the limit itself is served).
        byte[] read = request(node, ga, RaftClientRequest.staleReadRequestType(0), TestCluster.getQuery(a));
        byte[] write = request(node, ga, RaftClientRequest.writeRequestType(),
            TestCluster.putCommand("nrm/other", utf8("x")).toByteArray());
        for (List<byte[]> refused : List.of(List.of(read, write), List.of(read, new byte[] {1, 2, 3}), List.<byte[]>of(),
            Collections.nCopies(NodeReads.READ_MANY_MAX + 1, read))) {
          assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> callMany(channel, refused))
              .getStatus().getCode()).as("%d requests", refused.size()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        NodeReadBatchReply full = NodeReadBatchReply.parseFrom(
            callMany(channel, Collections.nCopies(NodeReads.READ_MANY_MAX, read)));
        assertThat(full.getOutcomesList()).hasSize(NodeReads.READ_MANY_MAX).allSatisfy(o ->
            assertThat(value(o)).isEqualTo("value-a"));
      } finally {
        channel.shutdownNow();
      }
      assertThat(c.get("nrm/other")).isNull();
    }
  }

  @Test
  void nodeReadsServesAGroupItKnowsOnTheCallingThreadWithRatissOwnAnswers() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1"))) {
      long version = c.put("nd/key", "nd-value");
      ShardInfo shard = c.shardMap().shardFor(utf8("nd/key"));
      RaftGroupId group = RaftGroups.groupId(shard);
      String node = c.leaderOf(shard);
      NodeReads.Divisions divisions = new NodeReads.Divisions(() -> c.node(node).raftServer());
      RaftClientRequest stale = parsed(request(node, group, RaftClientRequest.staleReadRequestType(version),
          TestCluster.getQuery("nd/key")));

      // The first read of a group goes through the server, and teaches the group's division.
      assertThat(divisions.knows(group)).isFalse();
      assertThat(value(divisions.submit(stale).get(30, TimeUnit.SECONDS))).isEqualTo("nd-value");
      assertThat(divisions.knows(group)).isTrue();

      // Later ones are served on this thread: answered before submit returns.
      CompletableFuture<RaftClientReply> inline = divisions.submit(stale);
      assertThat(inline).isDone();
      assertThat(value(inline.join())).isEqualTo("nd-value");
      // A linearizable read, and Ratis's own refusal of a stale read this replica cannot serve.
      RaftClientRequest linearizable = parsed(request(node, group, RaftClientRequest.readRequestType(),
          TestCluster.getQuery("nd/key")));
      assertThat(value(divisions.submit(linearizable).get(30, TimeUnit.SECONDS))).isEqualTo("nd-value");
      RaftClientReply ahead = divisions.submit(parsed(request(node, group,
          RaftClientRequest.staleReadRequestType(version + 1_000_000), TestCluster.getQuery("nd/key"))))
          .get(30, TimeUnit.SECONDS);
      assertThat(ahead.isSuccess()).isFalse();
      assertThat(ahead.getException()).isInstanceOf(StateMachineException.class);
      // A group the node does not have fails, and is not remembered.
      RaftGroupId unknown = RaftGroupId.randomId();
      assertThat(divisions.submit(parsed(request(node, unknown, RaftClientRequest.staleReadRequestType(0),
          TestCluster.getQuery("nd/key"))))).failsWithin(30, TimeUnit.SECONDS);
      assertThat(divisions.knows(unknown)).isFalse();
    }
  }

  private static RaftClientRequest parsed(byte[] request) throws IOException {
    return ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(request));
  }

  private static String value(RaftClientReply reply) throws IOException {
    assertThat(reply.isSuccess()).as("reply %s", reply).isTrue();
    return ShardReadResult.parseFrom(reply.getMessage().getContent().toByteArray()).getGet().getEntry().getValue()
        .toStringUtf8();
  }

  private static String value(NodeReadOutcome outcome) throws IOException {
    assertThat(outcome.hasReply()).as("outcome %s", outcome).isTrue();
    return value(ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(outcome.getReply().toByteArray())));
  }

  private static byte[] callMany(ManagedChannel channel, List<byte[]> requests) {
    NodeReadBatch.Builder batch = NodeReadBatch.newBuilder();
    requests.forEach(r -> batch.addRequests(ByteString.copyFrom(r)));
    return ClientCalls.blockingUnaryCall(channel, NodeReads.READ_MANY,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), batch.build().toByteArray());
  }

  private static byte[] request(String node, RaftGroupId group, RaftClientRequest.Type type, byte[] message) {
    return ClientProtoUtils.toRaftClientRequestProto(RaftClientRequest.newBuilder().setClientId(ClientId.randomId())
        .setServerId(RaftPeerId.valueOf(node)).setGroupId(group).setCallId(1).setType(type)
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(message))).setTimeoutMs(10_000).build())
        .toByteArray();
  }

  private static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static byte[] call(ManagedChannel channel, byte[] request) {
    return ClientCalls.blockingUnaryCall(channel, NodeReads.READ, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        request);
  }

  @Test
  void everyShardTakesWritesAndServesReads() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "4"))) {
      Set<Integer> shardsHit = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        String key = "key-" + i;
        long version = c.put(key, "value-" + i);
        assertThat(version).isPositive();
        shardsHit.add(c.shardMap().shardFor(utf8(key)).getId());
      }
      assertThat(shardsHit).containsExactlyInAnyOrder(0, 1, 2, 3);
      for (int i = 0; i < 200; i++) {
        KeyEntry e = c.get("key-" + i);
        assertThat(e).as("key-" + i).isNotNull();
        assertThat(e.getValue().toStringUtf8()).isEqualTo("value-" + i);
        assertThat(e.getCreateIndex()).isEqualTo(e.getVersion());
        assertThat(e.getModifyTimeMs()).isPositive();
      }
      assertThat(c.get("never-written")).isNull();

      // Every replica of every shard applies the same writes.
      for (ShardInfo shard : c.shardMap().shards()) {
        long commit = c.status(c.leaderOf(shard), shard).commitIndex();
        for (String node : shard.getReplicasList()) {
          TestCluster.await("replica " + node + " of shard " + shard.getId() + " applies " + commit,
              TestCluster.TIMEOUT, () -> c.status(node, shard).appliedIndex() >= commit);
        }
        int keys = c.status(shard.getReplicasList().get(0), shard).keys();
        assertThat(keys).isPositive();
        for (String node : shard.getReplicasList()) {
          assertThat(c.status(node, shard).keys()).isEqualTo(keys);
        }
      }
    }
  }

  @Test
  void shardLeadersSpreadAcrossNodes() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "3"))) {
      // Shard i prefers node i+1 (priority); Ratis hands leadership to it once the group is idle.
      for (ShardInfo shard : c.shardMap().shards()) {
        String preferred = shard.getReplicas(0);
        TestCluster.await("shard " + shard.getId() + " led by " + preferred, TestCluster.TIMEOUT,
            () -> preferred.equals(c.leaderOf(shard)));
      }
      assertThat(c.shardMap().shards()).extracting(s -> s.getReplicas(0))
          .containsExactlyInAnyOrder("n1", "n2", "n3");
    }
  }

  @Test
  void metaGroupHoldsTheReplicatedClusterMap() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "4"))) {
      ClusterMap committed = c.node("n1").bootstrapped().get(60, TimeUnit.SECONDS);
      assertThat(committed.getEpoch()).isPositive();
      assertThat(committed.getShardsList()).hasSize(4);
      byte[] query = MetaRead.newBuilder().setGetClusterMap(GetClusterMap.getDefaultInstance()).build().toByteArray();
      MetaReadResult read = MetaReadResult.parseFrom(c.metaClient().read(query).get(30, TimeUnit.SECONDS));
      assertThat(read.getMap()).isEqualTo(committed);
      assertThat(read.getMap().toBuilder().setEpoch(0).build()).isEqualTo(c.layout());
      // Every meta replica holds the same map, read from its own state.
      for (String node : committed.getMetaReplicasList()) {
        MetaReadResult local = MetaReadResult.parseFrom(
            c.metaClient().readStale(query, read.getAppliedIndex(), node).get(30, TimeUnit.SECONDS));
        assertThat(local.getMap()).isEqualTo(committed);
      }
    }
  }

  @Test
  void conditionsAndBatchesApplyAtomically() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "2"))) {
      ShardInfo shard = c.shardMap().shardFor(utf8("a"));
      // Find a second key on the same shard for a multi-key batch.
      String other = null;
      for (int i = 0; other == null; i++) {
        if (c.shardMap().shardFor(utf8("b" + i)).getId() == shard.getId()) {
          other = "b" + i;
        }
      }
      long v1 = c.put("a", "1");

      // put-if-absent on an existing key fails and reports the current version.
      ShardWriteResult r = c.write(shard, txn(put("a", "2", absent())));
      assertThat(r.getTxns(0).getCommitted()).isFalse();
      assertThat(r.getTxns(0).getOps(0).getConditionFailed()).isTrue();
      assertThat(r.getTxns(0).getOps(0).getPreviousVersion()).isEqualTo(v1);
      assertThat(c.get("a").getValue().toStringUtf8()).isEqualTo("1");

      // A batch whose second condition fails writes nothing.
      r = c.write(shard, txn(put(other, "x", null), put("a", "3", version(v1 + 1000))));
      assertThat(r.getTxns(0).getCommitted()).isFalse();
      assertThat(c.get(other)).isNull();

      // Two transactions in one entry: one fails, the other commits.
      ShardWrite two = ShardWrite.newBuilder()
          .addTxns(WriteTxn.newBuilder().addOps(put("a", "4", version(v1))))
          .addTxns(WriteTxn.newBuilder().addOps(put(other, "y", version(12345)))).build();
      r = c.write(shard, two);
      assertThat(r.getTxns(0).getCommitted()).isTrue();
      assertThat(r.getTxns(1).getCommitted()).isFalse();
      KeyEntry a = c.get("a");
      assertThat(a.getValue().toStringUtf8()).isEqualTo("4");
      assertThat(a.getVersion()).isEqualTo(r.getIndex());
      assertThat(a.getCreateIndex()).isEqualTo(v1);

      // Value-equals delete.
      ShardWrite del = ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addOps(WriteOp.newBuilder()
          .setDelete(DeleteOp.newBuilder().setKey(bytes("a"))
              .setCondition(Condition.newBuilder().setValueEquals(bytes("4")))))).build();
      r = c.write(shard, del);
      assertThat(r.getTxns(0).getCommitted()).isTrue();
      assertThat(c.get("a")).isNull();

      // Scan in unsigned key order within the shard.
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String k = "s" + i;
        if (c.shardMap().shardFor(utf8(k)).getId() == shard.getId()) {
          c.put(k, "v");
          keys.add(k);
        }
      }
      keys.sort(null);
      ShardRead scan = ShardRead.newBuilder().setScan(ScanQuery.newBuilder()
          .setStartKey(bytes("s")).setEndKey(bytes("t")).setLimit(5)).build();
      ShardReadResult page = ShardReadResult.parseFrom(c.client(shard).read(scan.toByteArray()).get(30, TimeUnit.SECONDS));
      assertThat(page.getScan().getEntriesList()).extracting(e -> e.getKey().toStringUtf8())
          .containsExactlyElementsOf(keys.subList(0, 5));
      assertThat(page.getScan().getMore()).isEqualTo(keys.size() > 5);
    }
  }

  @Test
  void leaderRefusesWritesOverALimitAndWritesNothing() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3, Map.of("shard-count", "1"))) {
      ShardInfo shard = c.shardMap().shards().get(0);
      String bigKey = "k".repeat(1025);
      assertThatThrownBy(() -> c.client(shard).write(TestCluster.putCommand(bigKey, utf8("v")).toByteArray())
          .get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(RefusedException.class)
          .rootCause().hasMessageStartingWith("key-bytes-max:");
      assertThatThrownBy(() -> c.client(shard).write(
          TestCluster.putCommand("k", new byte[1024 * 1024 + 1]).toByteArray()).get(30, TimeUnit.SECONDS))
          .rootCause().isInstanceOf(RefusedException.class).hasMessageStartingWith("value-bytes-max:");
      ShardWrite.Builder batch = ShardWrite.newBuilder();
      WriteTxn.Builder txn = WriteTxn.newBuilder();
      for (int i = 0; i < 1025; i++) {
        txn.addOps(put("k" + i, "v", null));
      }
      batch.addTxns(txn);
      assertThatThrownBy(() -> c.client(shard).write(batch.build().toByteArray()).get(30, TimeUnit.SECONDS))
          .rootCause().isInstanceOf(RefusedException.class).hasMessageStartingWith("batch-ops-max:");
      assertThat(c.get("k")).isNull();
      assertThat(c.get("k0")).isNull();
      // The cluster still works after refusals.
      assertThat(c.put("k".repeat(1024), "ok")).isPositive();
      assertThat(c.get("k".repeat(1024)).getValue().toStringUtf8()).isEqualTo("ok");
    }
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static Condition absent() {
    return Condition.newBuilder().setAbsent(KeyAbsent.getDefaultInstance()).build();
  }

  static Condition version(long v) {
    return Condition.newBuilder().setVersionEquals(v).build();
  }

  static WriteOp put(String key, String value, Condition condition) {
    PutOp.Builder p = PutOp.newBuilder().setKey(bytes(key)).setValue(bytes(value));
    if (condition != null) {
      p.setCondition(condition);
    }
    return WriteOp.newBuilder().setPut(p).build();
  }

  static ShardWrite txn(WriteOp... ops) {
    return ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addAllOps(List.of(ops))).build();
  }
}
