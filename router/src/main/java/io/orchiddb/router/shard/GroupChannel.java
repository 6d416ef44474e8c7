package io.orchiddb.router.shard;

import io.grpc.Status;
import io.orchiddb.proto.raft.NodeReadOutcome;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * The router's line to one Raft group (a shard or the meta group): the only router class that
 * speaks Ratis. Writes go through a Ratis client that follows leader changes with bounded retries;
 * reads go to one chosen replica as plain gRPC calls with no retry of their own ({@link
 * NodeReadChannels}; the gets of several groups to one node share a call, see {@link #batchReads}),
 * so the router can fail over between replicas within the caller's deadline.
 */
final class GroupChannel implements Closeable {
  private static final long WRITE_RETRY_SLEEP_MS = 100;

  private final RaftGroup group;
  private final RaftClient writer;
  private final RaftClient reader;
  private final Executor blocking;
  private final long requestTimeoutMs;
  private final AtomicLong readCallIds = new AtomicLong();
  private final NodeReadChannels reads;

  GroupChannel(RaftGroup group, Duration requestTimeout, Executor blocking, NodeReadChannels reads) {
    this.group = group;
    this.reads = reads;
    this.blocking = blocking;
    this.requestTimeoutMs = requestTimeout.toMillis();
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p,
        TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
    int attempts = (int) Math.max(3, requestTimeout.toMillis() / WRITE_RETRY_SLEEP_MS);
    this.writer = RaftClient.newBuilder().setRaftGroup(group).setProperties(p)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
            TimeDuration.valueOf(WRITE_RETRY_SLEEP_MS, TimeUnit.MILLISECONDS)))
        .build();
    this.reader = RaftClient.newBuilder().setRaftGroup(group).setProperties(p)
        .setRetryPolicy(RetryPolicies.noRetry()).build();
  }

  RaftGroup group() {
    return group;
  }

  /** Proposes a command; completes with the state machine's reply once it is applied. */
  CompletableFuture<byte[]> write(byte[] command) {
    return unwrap(writer.async().send(message(command)));
  }

  /** A linearizable read served by {@code node} (ReadIndex through the leader when a follower). */
  CompletableFuture<Reply> readLinearizable(byte[] query, String node) {
    return read(true, query, 0, node);
  }

  /** A read from {@code node}'s own state once it has applied {@code minIndex}. */
  CompletableFuture<Reply> readStale(byte[] query, long minIndex, String node) {
    return read(false, query, minIndex, node);
  }

  /**
   * One read request to one replica, as a single gRPC call to the node's {@link
   * io.orchiddb.node.raft.NodeReads} method ({@link NodeReadChannels}): the node submits it to its
   * Raft server, and the reply is the one a Ratis client would get, refusals included. Each read
   * stands alone, with no retry (the router fails over between replicas itself).
   *
   * <p>Not through Ratis's client. Its ordered async API keeps a sliding window per server, and a
   * read failing without a retry closed that window for good (found by the Jepsen suite; pinned by
   * ReaderReconnectIT). Its unordered calls worked, but cost most of the router's CPU under reads:
   * a second event loop, a hand-off of every reply to gRPC's default executor and a timer task per
   * request (BENCHMARKS.md).
   */
  private CompletableFuture<Reply> read(boolean linearizable, byte[] query, long minIndex, String node) {
    byte[] request;
    String address;
    try {
      request = request(linearizable, query, minIndex, node);
      address = address(node);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return reads.read(address, request, requestTimeoutMs).thenApply(GroupChannel::reply);
  }

  /**
   * The gets of {@link GetBatcher} as requests: one part alone as a single read, several parts
   * (the reads of several groups to one node) as one {@code ReadMany} call answered per part. A
   * node that does not serve {@code ReadMany} yet (an older version, during a rolling upgrade)
   * gets the parts as single reads instead.
   */
  static GetBatcher.Reads<GroupChannel> batchReads(NodeReadChannels reads, Duration requestTimeout) {
    long timeoutMs = requestTimeout.toMillis();
    return (node, linearizable, parts) -> {
      if (parts.size() == 1) {
        return eachAlone(node, linearizable, parts);
      }
      List<byte[]> requests = new ArrayList<>(parts.size());
      for (GetBatcher.Part<GroupChannel> p : parts) {
        requests.add(p.group().request(linearizable, p.query(), p.minIndex(), node));
      }
      return reads.readMany(parts.get(0).group().address(node), requests, timeoutMs)
          .<List<GetBatcher.Outcome>>thenApply(outcomes -> {
            List<GetBatcher.Outcome> answered = new ArrayList<>(outcomes.size());
            for (NodeReadOutcome o : outcomes) {
              answered.add(outcome(o));
            }
            return answered;
          })
          .exceptionallyCompose(failure -> Status.fromThrowable(failure).getCode() == Status.Code.UNIMPLEMENTED
              ? eachAlone(node, linearizable, parts)
              : CompletableFuture.failedFuture(failure));
    };
  }

  /** Each part as a read of its own; a part that fails fails alone. */
  private static CompletableFuture<List<GetBatcher.Outcome>> eachAlone(String node, boolean linearizable,
      List<GetBatcher.Part<GroupChannel>> parts) {
    if (parts.size() == 1) {
      GetBatcher.Part<GroupChannel> p = parts.get(0);
      return p.group().read(linearizable, p.query(), p.minIndex(), node).thenApply(r -> List.of(GetBatcher.Outcome.of(r)));
    }
    List<CompletableFuture<GetBatcher.Outcome>> each = new ArrayList<>(parts.size());
    for (GetBatcher.Part<GroupChannel> p : parts) {
      each.add(p.group().read(linearizable, p.query(), p.minIndex(), node).handle((r, failure) -> failure == null
          ? GetBatcher.Outcome.of(r)
          : GetBatcher.Outcome.failed(Failures.unwrap(failure))));
    }
    return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
        .thenApply(ignored -> each.stream().map(CompletableFuture::join).toList());
  }

  /** One part's outcome as its own read would have ended (the same exceptions, for ReadFailover). */
  private static GetBatcher.Outcome outcome(NodeReadOutcome o) {
    if (o.hasReply()) {
      try {
        return GetBatcher.Outcome.of(reply(o.getReply().toByteArray()));
      } catch (CompletionException e) {
        return GetBatcher.Outcome.failed(e.getCause());
      }
    }
    return GetBatcher.Outcome.failed(Status.UNAVAILABLE.withDescription(o.getFailure()).asRuntimeException());
  }

  /** The bytes of a read request to {@code node}; IllegalArgumentException when it has no replica of this group. */
  private byte[] request(boolean linearizable, byte[] query, long minIndex, String node) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(reader.getId()).setServerId(peer(node).getId()).setGroupId(group.getGroupId())
        .setCallId(readCallIds.incrementAndGet()).setMessage(message(query))
        .setType(linearizable ? RaftClientRequest.readRequestType() : RaftClientRequest.staleReadRequestType(minIndex))
        .setTimeoutMs(requestTimeoutMs).build();
    return ClientProtoUtils.toRaftClientRequestProto(request).toByteArray();
  }

  private String address(String node) {
    return peer(node).getAddress();
  }

  private RaftPeer peer(String node) {
    RaftPeer peer = group.getPeer(RaftPeerId.valueOf(node));
    if (peer == null) {
      throw new IllegalArgumentException(node + " is not a member of " + group);
    }
    return peer;
  }

  /** A replica's reply to a read; a refusal or a malformed reply fails (CompletionException). */
  private static Reply reply(byte[] bytes) {
    RaftClientReply r = check(parseReply(bytes));
    return new Reply(r.getMessage().getContent().toByteArray(), r.getServerId().toString());
  }

  private static RaftClientReply parseReply(byte[] bytes) {
    try {
      return ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(bytes));
    } catch (IOException e) {
      throw new CompletionException(new IOException("a replica sent a malformed reply: " + e.getMessage(), e));
    }
  }

  /** Node id of the leader the write client last heard of, or null. */
  String leaderHint() {
    RaftPeerId id = writer.getLeaderId();
    return id == null ? null : id.toString();
  }

  /** Role and indexes of this group on {@code node} (a blocking admin call, run off-thread). */
  CompletableFuture<ReplicaInfo> info(String node) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        GroupInfoReply r = reader.getGroupManagementApi(RaftPeerId.valueOf(node)).info(group.getGroupId());
        return new ReplicaInfo(node, r.getRoleInfoProto().getRole() == RaftPeerRole.LEADER,
            r.getLogInfoProto().getCommitted().getIndex(), r.getLogInfoProto().getApplied().getIndex());
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }

  record Reply(byte[] bytes, String servedBy) {}

  record ReplicaInfo(String node, boolean leader, long commitIndex, long appliedIndex) {}

  private static Message message(byte[] bytes) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
  }

  private static CompletableFuture<byte[]> unwrap(CompletableFuture<RaftClientReply> reply) {
    return reply.thenApply(r -> check(r).getMessage().getContent().toByteArray());
  }

  private static RaftClientReply check(RaftClientReply r) {
    if (!r.isSuccess()) {
      throw new CompletionException(r.getException() != null ? r.getException()
          : new IOException("request failed: " + r));
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    try {
      writer.close();
    } finally {
      reader.close();
    }
  }
}
