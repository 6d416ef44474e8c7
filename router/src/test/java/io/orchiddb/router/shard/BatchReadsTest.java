package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.orchiddb.node.raft.NodeReads;
import io.orchiddb.proto.raft.GetQuery;
import io.orchiddb.proto.raft.GetResult;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.NodeReadBatch;
import io.orchiddb.proto.raft.NodeReadBatchReply;
import io.orchiddb.proto.raft.NodeReadOutcome;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link GroupChannel#batchReads} on the wire, against a real gRPC server on loopback
 * playing a node: the gets of several groups to one node go as one {@code ReadMany} call and each
 * group's part is answered from its own outcome; a node that does not serve {@code ReadMany} (an
 * older version, during a rolling upgrade) gets them as single reads and they still succeed.
 *
 * <p>The fake node answers a get of key k in any group with the value "v-" + k.
 */
class BatchReadsTest {
  private final List<String> methodsCalled = new CopyOnWriteArrayList<>();
  private final NodeReadChannels channels = new NodeReadChannels();
  private final List<GroupChannel> groups = new ArrayList<>();
  private Server server;

  @AfterEach
  void close() throws Exception {
    for (GroupChannel g : groups) {
      g.close();
    }
    channels.close();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void severalGroupsToOneNodeGoAsOneCallAnsweredPerGroup() throws Exception {
    start(true);
    List<GetBatcher.Outcome> outcomes = read(List.of("a", "b")).get(10, TimeUnit.SECONDS);
    assertThat(methodsCalled).containsExactly(NodeReads.METHOD_MANY);
    assertThat(outcomes).extracting(BatchReadsTest::value).containsExactly("v-a", "v-b");
  }

  @Test
  void aNodeWithoutReadManyGetsSingleReadsInstead() throws Exception {
    start(false);
    List<GetBatcher.Outcome> outcomes = read(List.of("a", "b")).get(10, TimeUnit.SECONDS);
    // ReadMany was refused as unimplemented before it reached a handler; each part then went alone.
    assertThat(methodsCalled).containsExactly(NodeReads.METHOD, NodeReads.METHOD);
    assertThat(outcomes).extracting(BatchReadsTest::value).containsExactly("v-a", "v-b");
  }

  /** One get per key, each in a group of its own, all to node n1 as one batch. */
  private CompletableFuture<List<GetBatcher.Outcome>> read(List<String> keys) {
    List<GetBatcher.Part<GroupChannel>> parts = new ArrayList<>();
    for (String key : keys) {
      RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(),
          RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:" + server.getPort()).build());
      GroupChannel channel = new GroupChannel(group, Duration.ofSeconds(10), Runnable::run, channels, null, System::nanoTime);
      groups.add(channel);
      byte[] query = ShardRead.newBuilder().setGet(GetQuery.newBuilder()
          .setKey(ByteString.copyFromUtf8(key))).build().toByteArray();
      parts.add(new GetBatcher.Part<>(channel, query, 0));
    }
    return GroupChannel.batchReads(channels, Duration.ofSeconds(10)).read("n1", false, parts);
  }

  private static String value(GetBatcher.Outcome outcome) {
    assertThat(outcome.failure()).isNull();
    return Served.of(outcome.reply()).result().getGet().getEntry().getValue().toStringUtf8();
  }

  /** Starts the fake node, with or without the ReadMany method. */
  private void start(boolean readMany) throws Exception {
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(NodeReads.SERVICE)
        .addMethod(NodeReadChannels.READ, ServerCalls.asyncUnaryCall((request, out) -> {
          methodsCalled.add(NodeReads.METHOD);
          out.onNext(answer(request));
          out.onCompleted();
        }));
    if (readMany) {
      service.addMethod(NodeReadChannels.READ_MANY, ServerCalls.asyncUnaryCall((request, out) -> {
        methodsCalled.add(NodeReads.METHOD_MANY);
        try {
          NodeReadBatchReply.Builder reply = NodeReadBatchReply.newBuilder();
          for (ByteString one : NodeReadBatch.parseFrom(request).getRequestsList()) {
            reply.addOutcomes(NodeReadOutcome.newBuilder().setReply(ByteString.copyFrom(answer(one.toByteArray()))));
          }
          out.onNext(reply.build().toByteArray());
          out.onCompleted();
        } catch (Exception e) {
          out.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asRuntimeException());
        }
      }));
    }
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service.build()).build().start();
  }

  /** A Ratis reply to a read request, as a node holding every key would send it. */
  private static byte[] answer(byte[] requestBytes) {
    try {
      RaftClientRequest request = ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(requestBytes));
      ByteString key = ShardRead.parseFrom(request.getMessage().getContent().toByteArray()).getGet().getKey();
      ShardReadResult result = ShardReadResult.newBuilder().setAppliedIndex(1).setGet(GetResult.newBuilder()
          .setEntry(KeyEntry.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v-" + key.toStringUtf8())))).build();
      RaftClientReply reply = RaftClientReply.newBuilder().setRequest(request).setSuccess()
          .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray()))).build();
      return ClientProtoUtils.toRaftClientReplyProto(reply).toByteArray();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
