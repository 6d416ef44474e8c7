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
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * The router's line to one Raft group (a shard or the meta group): the only router class that
 * speaks Ratis. Writes go through a client that follows leader changes with bounded retries;
 * reads go to one chosen replica as single unordered requests with no retry of their own, so the
 * router can fail over between replicas within the caller's deadline.
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

  GroupChannel(RaftGroup group, Duration requestTimeout, Executor blocking) {
    this.group = group;
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
   * One read request to one replica, unordered: each read stands alone, with no retry (the router
   * fails over between replicas itself) and no ordering against other reads.
   *
   * <p>Not through Ratis's ordered async API: that keeps a sliding window per server, and a read
   * failing without a retry (how the router uses it) closes the window for good, so every later
   * read to that node failed at once with "SlidingWindow$Client:client->nX is closed" — found by
   * the Jepsen suite as a shard that stayed unreadable after a healed partition, and pinned by
   * ReaderReconnectIT. Ordered reads also queued behind each other per server for no benefit.
   * A transport failure drops the connection to that node so the next read opens a new one.
   */
  private CompletableFuture<Reply> read(RaftClientRequest.Type type, byte[] query, String node) {
    RaftPeerId peer = RaftPeerId.valueOf(node);
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(reader.getId()).setServerId(peer).setGroupId(group.getGroupId())
        .setCallId(readCallIds.incrementAndGet()).setMessage(message(query)).setType(type)
        .setTimeoutMs(requestTimeoutMs).build();
    CompletableFuture<RaftClientReply> reply = reader.getClientRpc().sendRequestAsyncUnordered(request);
    return reply(reply.whenComplete((r, failure) -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof IOException && isTransportFailure(cause)) {
        reader.getClientRpc().handleException(peer, cause, true);
      }
    }));
  }

  /** Failures of the connection, as opposed to answers from the server (not leader, behind, refused). */
  static boolean isTransportFailure(Throwable cause) {
    return cause instanceof AlreadyClosedException || cause instanceof TimeoutIOException
        || !(cause instanceof RaftException);
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
