package io.orchiddb.router.shard;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.orchiddb.node.raft.NodeReads;
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
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * The router's line to one Raft group (a shard or the meta group): the only router class that
 * speaks Ratis. Writes go to the leader (in-process when it is this JVM's node), each send with
 * its own timeout, and again with the same call id to whichever member may lead when one cannot
 * take them ({@link #submit});
 * reads go to one chosen replica as plain gRPC calls with no retry of their own ({@link
 * NodeReadChannels}; the gets of several groups to one node share a call, see {@link #batchReads}),
 * so the router can fail over between replicas within the caller's deadline.
 */
final class GroupChannel implements Closeable {
  private static final long WRITE_RETRY_SLEEP_MS = 100;
  /**
   * How long one send of a write to one server may go unanswered before the same request goes to
   * another member (it keeps its client and call id, so the retry cache answers it instead of
   * applying it twice, as on Ratis's own retries). A paused or cut-off leader keeps its
   * connections open, so nothing fails: without this, a write sent to it waited out the whole
   * request timeout (10 s by default) before Ratis's client tried another server, and every write
   * through that router queued behind it.
   */
  static final Duration WRITE_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  private final RaftGroup group;
  private final RaftClient writer;
  private final RaftClient reader;
  private final Executor blocking;
  private final long requestTimeoutMs;
  /** {@link #WRITE_ATTEMPT_TIMEOUT}, at most the request timeout. */
  private final long attemptNanos;
  private final AtomicLong readCallIds = new AtomicLong();
  private final NodeReadChannels reads;
  /** The node this router runs in and its counters, when it is a replica of this group; null otherwise. */
  private final LocalWrites local;
  /** The id of {@link #local}'s node in this group; null when {@code local} is. */
  private final RaftPeerId localId;
  /** Monotonic nanoseconds, for the deadline of writes submitted in-process. */
  private final LongSupplier nanoClock;
  /** The client id of this channel's writes (Ratis's retry cache keys on it and the call id). */
  private final ClientId writerId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  /** The member that last applied a write from here, or that a refusal named leader. */
  private volatile RaftPeerId leader;

  /**
   * The node a router runs in, whose writes to a group it leads are submitted in-process, and the
   * router's counters of them.
   *
   * @param submitted entries submitted in-process
   * @param resent sends after the first of those entries
   */
  record LocalWrites(LocalNode node, Counter submitted, Counter resent) {}

  /**
   * @param local the node this router runs in and its counters; null for none (and unused when
   *     the node is not a member of this group)
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime})
   */
  GroupChannel(RaftGroup group, Duration requestTimeout, Executor blocking, NodeReadChannels reads,
      LocalWrites local, LongSupplier nanoClock) {
    this.group = group;
    RaftPeerId here = local == null ? null : RaftPeerId.valueOf(local.node().id());
    this.localId = here != null && group.getPeer(here) != null ? here : null;
    this.local = localId == null ? null : local;
    this.nanoClock = nanoClock;
    this.reads = reads;
    this.blocking = blocking;
    this.requestTimeoutMs = requestTimeout.toMillis();
    this.leader = group.getPeers().iterator().next().getId(); // the first replica has priority
    this.attemptNanos = (requestTimeout.compareTo(WRITE_ATTEMPT_TIMEOUT) < 0 ? requestTimeout : WRITE_ATTEMPT_TIMEOUT).toNanos();
    // Only the writer's RPC layer is used (submit), with the attempt timeout as its own per send.
    RaftProperties w = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(w, TimeDuration.valueOf(attemptNanos, TimeUnit.NANOSECONDS));
    this.writer = RaftClient.newBuilder().setRaftGroup(group).setProperties(w)
        .setRetryPolicy(RetryPolicies.noRetry()).build(); // submit retries
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p,
        TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
    this.reader = RaftClient.newBuilder().setRaftGroup(group).setProperties(p)
        .setRetryPolicy(RetryPolicies.noRetry()).build();
  }

  RaftGroup group() {
    return group;
  }

  /**
   * Proposes a command; completes with the state machine's reply once it is applied. When the
   * node this router runs in leads the group, the command is submitted to it in-process
   * ({@link #writeHere}); otherwise it is sent to the member last known to lead ({@link #submit}).
   *
   * <p>Not through Ratis's ordered client, which this class used before: it sent each request to
   * the leader it knew for the whole request timeout (10 s by default), so a paused or cut-off
   * leader held every write of the router for that long (in a 3-node cluster with one node
   * paused, writes through the other two routers came back 10–13 s after the pause, though a new
   * leader was elected in under 5 s). {@link #submit} gives each server {@link
   * #WRITE_ATTEMPT_TIMEOUT} and follows the leader its refusals name.
   */
  CompletableFuture<byte[]> write(byte[] command) {
    if (local != null && local.node().writes().leads(group.getGroupId())) {
      return writeHere(command);
    }
    RaftPeerId to = leader;
    if (to.equals(localId)) {
      to = nextMember(to); // this node does not lead (it said so just now)
    }
    return send(to, command, false);
  }

  /**
   * A write submitted to the leader in this JVM, without Ratis's client: no serialising, no
   * loopback round trip, no second event loop and no hand-off of the reply to another thread. Puts
   * at concurrency 1 had a p50 0.1–0.3 ms lower (of ~1.3 ms) in two A/Bs; throughput at 64 and 256
   * stayed level within the benchmark machine's swing (BENCHMARKS.md, "Optimisations").
   *
   * <p>The request keeps its client and call id however often it is sent ({@link #submit}): if
   * this node stops leading after the entry entered its log, the entry may still be committed,
   * and the next leader's retry cache answers a request it has applied instead of applying it
   * again. That is what Ratis's client does on its own retries; a new call id could apply it twice.
   */
  private CompletableFuture<byte[]> writeHere(byte[] command) {
    local.submitted().increment();
    return send(localId, command, true);
  }

  /**
   * The first send of a write to {@code to}, with a new call id, within the request timeout.
   *
   * @param inProcess submitted to this JVM's node ({@link #writeHere}): its resends are counted
   */
  private CompletableFuture<byte[]> send(RaftPeerId to, byte[] command, boolean inProcess) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(writerId).setServerId(to).setGroupId(group.getGroupId())
        .setCallId(callIds.incrementAndGet()).setMessage(message(command))
        .setType(RaftClientRequest.writeRequestType()).setTimeoutMs(requestTimeoutMs).build();
    return unwrap(submit(request, nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs), 1, inProcess));
  }

  /**
   * Sends {@code request} to its server (in-process to the local node, otherwise on {@link
   * #writer}'s connection) and, while the deadline allows, again wherever the group's leader may
   * be when the server could not take it. Completes with the last reply, or fails with the last
   * failure or a {@link TimeoutException} at the deadline.
   */
  private CompletableFuture<RaftClientReply> submit(RaftClientRequest request, long deadline, int attempt,
      boolean inProcess) {
    long left = deadline - nanoClock.getAsLong();
    boolean here = request.getServerId().equals(localId);
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = here ? local.node().writes().write(request) : writer.getClientRpc().sendRequestAsyncUnordered(request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    // Another server gets at most the attempt timeout (see WRITE_ATTEMPT_TIMEOUT); this node, the rest.
    return Deadlines.orTimeout(sent, Math.max(1, here ? left : Math.min(left, attemptNanos)), TimeUnit.NANOSECONDS)
        .handle((reply, failure) -> {
          long now = nanoClock.getAsLong();
          learnLeader(reply);
          if (failure != null && !here) {
            // A connection that broke (or a stream the server closed) stays closed in Ratis's client
            // until it is reset; every later send there would fail with AlreadyClosedException.
            writer.getClientRpc().handleException(request.getServerId(), Failures.unwrap(failure), false);
          }
          RaftPeerId next = failure != null && Failures.unwrap(failure) instanceof TimeoutException && now < deadline
              ? nextMember(request.getServerId()) // unanswered: the same request to another member
              : resendTo(request.getServerId(), reply, failure);
          if (next == null || now >= deadline) {
            return failure == null ? CompletableFuture.completedFuture(reply) : CompletableFuture.<RaftClientReply>failedFuture(failure);
          }
          // A leader named by a refusal is tried at once, the first time; anything else after a pause.
          boolean redirect = attempt == 1 && reply != null && reply.getNotLeaderException() != null
              && reply.getNotLeaderException().getSuggestedLeader() != null;
          long pauseNanos = redirect ? 0 : Math.min(TimeUnit.MILLISECONDS.toNanos(WRITE_RETRY_SLEEP_MS), deadline - now);
          RaftClientRequest again = RaftClientRequest.newBuilder().set(request).setServerId(next).build();
          if (inProcess) {
            local.resent().increment();
          }
          return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(pauseNanos, TimeUnit.NANOSECONDS))
              .thenCompose(ignored -> submit(again, deadline, attempt + 1, inProcess));
        }).thenCompose(Function.identity());
  }

  /**
   * Where a write that {@code server} answered with {@code reply} (or failed) goes next: null when
   * the answer is final (applied, or refused by the state machine, or timed out), otherwise the
   * leader the refusal names, the same server while its leadership is not ready, it is handing
   * it over or it has too many writes pending, or the next member of the group.
   */
  private RaftPeerId resendTo(RaftPeerId server, RaftClientReply reply, Throwable failure) {
    if (failure != null) {
      Throwable t = Failures.unwrap(failure);
      return t instanceof TimeoutException || !(t instanceof IOException || t instanceof NodeReads.Refused)
          ? null : nextMember(server);
    }
    if (reply.isSuccess()) {
      return null;
    }
    NotLeaderException notLeader = reply.getNotLeaderException();
    if (notLeader != null) {
      RaftPeer suggested = notLeader.getSuggestedLeader();
      return suggested != null && group.getPeer(suggested.getId()) != null ? suggested.getId() : nextMember(server);
    }
    RaftException e = reply.getException();
    if (e instanceof LeaderNotReadyException || e instanceof LeaderSteppingDownException
        || e instanceof ResourceUnavailableException) {
      return server;
    }
    return e instanceof ServerNotReadyException || e instanceof AlreadyClosedException || e instanceof GroupMismatchException
        ? nextMember(server) : null;
  }

  /** Notes who leads from a reply: the server that applied a write, or the leader a refusal names. */
  private void learnLeader(RaftClientReply reply) {
    if (reply == null) {
      return;
    }
    if (reply.isSuccess()) {
      leader = reply.getServerId();
      return;
    }
    NotLeaderException notLeader = reply.getNotLeaderException();
    RaftPeer suggested = notLeader == null ? null : notLeader.getSuggestedLeader();
    if (suggested != null && group.getPeer(suggested.getId()) != null) {
      leader = suggested.getId();
    }
  }

  private RaftPeerId nextMember(RaftPeerId server) {
    List<RaftPeer> peers = List.copyOf(group.getPeers());
    for (int i = 0; i < peers.size(); i++) {
      if (peers.get(i).getId().equals(server)) {
        return peers.get((i + 1) % peers.size()).getId();
      }
    }
    return peers.get(0).getId();
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

  /** Node id of the member that last applied a write from here, or that a refusal named leader. */
  String leaderHint() {
    return leader.toString();
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
