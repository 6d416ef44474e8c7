package io.orchiddb.router.shard;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
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
 * reads go to one chosen replica as single gRPC calls with no retry of their own ({@link
 * NodeReadChannels}), so the router can fail over between replicas within the caller's deadline.
 */
final class GroupChannel implements Closeable, GetBatcher.Reads {
  private static final long WRITE_RETRY_SLEEP_MS = 100;

  private final RaftGroup group;
  private final RaftClient writer;
  private final RaftClient reader;
  private final Executor blocking;
  private final long requestTimeoutMs;
  private final AtomicLong readCallIds = new AtomicLong();
  private final GetBatcher gets = new GetBatcher(this);
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

  /** Gets to this group, coalesced per replica and read level. */
  GetBatcher gets() {
    return gets;
  }

  /** Proposes a command; completes with the state machine's reply once it is applied. */
  CompletableFuture<byte[]> write(byte[] command) {
    return unwrap(writer.async().send(message(command)));
  }

  /** A linearizable read served by {@code node} (ReadIndex through the leader when a follower). */
  @Override
  public CompletableFuture<Reply> readLinearizable(byte[] query, String node) {
    return read(RaftClientRequest.readRequestType(), query, node);
  }

  /** A read from {@code node}'s own state once it has applied {@code minIndex}. */
  @Override
  public CompletableFuture<Reply> readStale(byte[] query, long minIndex, String node) {
    return read(RaftClientRequest.staleReadRequestType(minIndex), query, node);
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
  private CompletableFuture<Reply> read(RaftClientRequest.Type type, byte[] query, String node) {
    RaftPeerId peer = RaftPeerId.valueOf(node);
    RaftPeer target = group.getPeer(peer);
    if (target == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(node + " is not a member of " + group));
    }
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(reader.getId()).setServerId(peer).setGroupId(group.getGroupId())
        .setCallId(readCallIds.incrementAndGet()).setMessage(message(query)).setType(type)
        .setTimeoutMs(requestTimeoutMs).build();
    byte[] bytes = ClientProtoUtils.toRaftClientRequestProto(request).toByteArray();
    return reply(reads.read(target.getAddress(), bytes, requestTimeoutMs).thenApply(GroupChannel::parseReply));
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

  private static CompletableFuture<Reply> reply(CompletableFuture<RaftClientReply> reply) {
    return reply.thenApply(r -> new Reply(check(r).getMessage().getContent().toByteArray(),
        r.getServerId().toString()));
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
