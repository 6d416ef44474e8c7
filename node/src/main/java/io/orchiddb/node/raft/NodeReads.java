package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.orchiddb.proto.raft.NodeReadBatch;
import io.orchiddb.proto.raft.NodeReadBatchReply;
import io.orchiddb.proto.raft.NodeReadIndexReply;
import io.orchiddb.proto.raft.NodeReadIndexRequest;
import io.orchiddb.proto.raft.NodeReadOutcome;
import io.orchiddb.proto.raft.NodeTermReply;
import io.orchiddb.proto.raft.NodeTermRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCallStreamObserver;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

/**
 * Reads as single gRPC calls, served on the node's Raft port next to Ratis's own services: the
 * request and the reply are Ratis's client messages ({@code RaftClientRequestProto} and {@code
 * RaftClientReplyProto}), and the node hands the request to its Raft server in-process, exactly as
 * Ratis's client service would. So a reply, and every refusal in it (not leader, behind, a shard's
 * own error), is what a Ratis client would have received; only the transport differs.
 *
 * <p>Why: the router's Ratis client took about 60% of the router's CPU under reads (its own event
 * loop, a hand-off of every reply to gRPC's default executor, a timer per request;
 * BENCHMARKS.md). The router calls this method with plain gRPC on its own event loop instead.
 * Over gRPC this service refuses writes: a router writes through Ratis's client, which follows
 * leaders and retries with the same call id (the retry cache depends on it). A router in this
 * node's own JVM submits a write in-process while this node leads the group ({@link #write}), and
 * sends it again with the same call id if that fails.
 *
 * <p>{@link #METHOD_MANY} takes the reads of several groups in one call and answers each as {@link
 * #METHOD} would have, so a router reading several shards from one node sends one message, not
 * one per shard.
 *
 * <p>A read is handed to its group's division directly ({@link Divisions}), on the thread that
 * received the call. {@code RaftServer.submitClientRequestAsync} would first move every request
 * to Ratis's client executor, a thread wake-up per read and another to send the reply; the
 * division runs the same code (lifecycle check, stale-read handling, the state machine's query),
 * none of which blocks: our queries read the in-memory map, and a read that waits (for an index
 * to be applied, for a leadership round) waits on a future.
 *
 * <p>Linearizable reads do not use Ratis's ReadIndex, which can skip the leadership check (see
 * {@link ReadIndex}): they get their index from {@link ReadIndex} and are then served as stale
 * reads at that index. {@link #TERM} and {@link #READ_INDEX}, between nodes, serve that.
 *
 * <p>A router running in the node's own JVM ({@code orchiddb node --router}) calls {@link #read}
 * and {@link #readMany} directly: the same bytes in and out, without the transport.
 */
public final class NodeReads {
  /** The gRPC service name. */
  public static final String SERVICE = "orchiddb.node.v1.Reads";
  /** The one method: bytes of a {@code RaftClientRequestProto} in, of a {@code RaftClientReplyProto} out. */
  public static final String METHOD = SERVICE + "/Read";
  /**
   * Several reads in one call: a {@code NodeReadBatch} of requests in, a {@code NodeReadBatchReply}
   * with one outcome per request out (the router sends a node the reads of several groups at once).
   */
  public static final String METHOD_MANY = SERVICE + "/ReadMany";
  /** Most requests in one {@link #METHOD_MANY} call. */
  public static final int READ_MANY_MAX = 1024;

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** The method, as Ratis's shaded gRPC describes it (tests call it with it). */
  static final MethodDescriptor<byte[], byte[]> READ = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(METHOD)
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  static final MethodDescriptor<byte[], byte[]> READ_MANY = READ.toBuilder().setFullMethodName(METHOD_MANY).build();

  /**
   * Node to node, for {@link ReadIndex}: a leader asks a voter for its current term in a group
   * ({@code NodeTermRequest} in, {@code NodeTermReply} out).
   */
  public static final String TERM = SERVICE + "/Term";
  /**
   * Node to node, for {@link ReadIndex}: a follower asks the leader for the index a linearizable
   * read may be served at ({@code NodeReadIndexRequest} in, {@code NodeReadIndexReply} out).
   */
  public static final String READ_INDEX = SERVICE + "/ReadIndex";

  /**
   * {@link #TERM} as a bidirectional stream, which a node keeps open to each other node ({@link
   * TermStreams}): {@code NodeTermRequest}s in, one {@code NodeTermReply} out for each, with its
   * {@code seq}. A request the node cannot answer gets a reply with {@code failure} set, and the
   * stream stays open; a message that is not a term request ends it with INVALID_ARGUMENT.
   */
  public static final String TERMS = SERVICE + "/Terms";

  static final MethodDescriptor<byte[], byte[]> TERM_CALL = READ.toBuilder().setFullMethodName(TERM).build();
  static final MethodDescriptor<byte[], byte[]> TERMS_CALL = READ.toBuilder().setFullMethodName(TERMS)
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build();
  static final MethodDescriptor<byte[], byte[]> READ_INDEX_CALL = READ.toBuilder().setFullMethodName(READ_INDEX).build();

  private final Divisions divisions;
  private final PeerCalls peers = new PeerCalls();
  private final TermStreams terms = new TermStreams(peers, System::nanoTime);
  private final ReadIndex readIndex;

  /**
   * Reads served by the node whose Raft server {@code server} supplies (null until it is built).
   *
   * @param timeout how long a linearizable read may wait for its read index (the leader's check
   *     with the other voters, or a follower's request to the leader); the wait for this replica to
   *     apply it is the state machine's stale-read wait
   */
  NodeReads(Supplier<RaftServer> server, Duration timeout) {
    this.divisions = new Divisions(server);
    this.readIndex = new ReadIndex(peers, terms, timeout.toMillis());
  }

  /** The gRPC service, served on the node's Raft port. */
  ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(READ, ServerCalls.asyncUnaryCall((request, out) -> answer(read(request), out)))
        .addMethod(READ_MANY, ServerCalls.asyncUnaryCall((request, out) -> answer(readMany(request), out)))
        .addMethod(TERM_CALL, ServerCalls.asyncUnaryCall((request, out) -> answer(term(request), out)))
        .addMethod(TERMS_CALL, ServerCalls.asyncBidiStreamingCall(this::terms))
        .addMethod(READ_INDEX_CALL, ServerCalls.asyncUnaryCall((request, out) -> answer(readIndex(request), out)))
        .build();
  }

  /** Leadership rounds this node ran for linearizable reads as a leader ({@link ReadIndex}). */
  long readIndexRounds() {
    return readIndex.rounds();
  }

  /** Of those rounds, the ones that asked every other voter after one asked first did not say yes in time. */
  long readIndexRoundsWidened() {
    return readIndex.roundsWidened();
  }

  /** Linearizable reads this node took into those rounds as a leader (its own and its followers'). */
  long readIndexReads() {
    return readIndex.reads();
  }

  /** This node's term streams to other nodes (for tests). */
  TermStreams termStreams() {
    return terms;
  }

  /** Closes the node's connections to other nodes. */
  void close() {
    terms.close();
    peers.close();
  }

  /**
   * {@link #METHOD} in-process, for a router running in this node's JVM: the same request and reply
   * bytes, with no transport. Completes with the reply, or fails with {@link Refused}: a read that
   * is not one, or one the node could not submit. Often completed before it returns (a stale read
   * of the in-memory map is answered on the caller's thread).
   */
  public CompletableFuture<byte[]> read(byte[] request) {
    if (divisions.server() == null) {
      return CompletableFuture.failedFuture(Refused.starting());
    }
    RaftClientRequest parsed;
    try {
      parsed = readRequest(request);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new Refused(true, e.getMessage()));
    }
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    serve(parsed).whenComplete((r, failure) -> {
      if (failure == null) {
        reply.complete(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray());
      } else {
        // Not a refusal Ratis puts in a reply: the caller treats it as this replica failing the read.
        reply.completeExceptionally(new Refused(false, describe(failure)));
      }
    });
    return reply;
  }

  /**
   * A write in-process, for a router running in this node's JVM while this node leads the group
   * ({@link #leads}): handed to the group's division on the caller's thread, as Ratis's client
   * service would hand it, so the reply (and every refusal in it: not leader, leader not ready) is
   * the one a Ratis client would get. Not served over gRPC: a router elsewhere writes through
   * Ratis's client. The caller keeps the request to send it again, with its call id, wherever the
   * group's leader is if this one fails it (the retry cache answers a write already applied).
   */
  public CompletableFuture<RaftClientReply> write(RaftClientRequest request) {
    if (divisions.server() == null) {
      return CompletableFuture.failedFuture(Refused.starting());
    }
    if (!request.is(RaftClientRequestProto.TypeCase.WRITE)) {
      return CompletableFuture.failedFuture(new Refused(true, "only writes are submitted here, got " + request.getType()));
    }
    return divisions.submit(request);
  }

  /**
   * Whether this node leads {@code group} now, as far as it can tell without waiting: false for a
   * group whose division it has not looked up yet (the look-up starts, off the caller's thread).
   */
  public boolean leads(RaftGroupId group) {
    RaftServer.Division division = divisions.known(group);
    if (division == null) {
      if (divisions.server() != null) {
        divisions.division(group); // remembered once found; the next call knows
      }
      return false;
    }
    return division.getInfo().isLeader();
  }

  /**
   * {@link #METHOD_MANY} in-process: several reads, each as {@link #read} would serve it alone,
   * answered together once all are: a {@code NodeReadBatchReply} with one outcome per request, in
   * order. A batch that is malformed, too long or holds anything but reads is refused whole, before
   * any of it reaches Raft.
   */
  public CompletableFuture<byte[]> readMany(byte[] bytes) {
    if (divisions.server() == null) {
      return CompletableFuture.failedFuture(Refused.starting());
    }
    List<RaftClientRequest> requests = new ArrayList<>();
    try {
      NodeReadBatch batch = NodeReadBatch.parseFrom(bytes);
      if (batch.getRequestsCount() == 0 || batch.getRequestsCount() > READ_MANY_MAX) {
        throw new IllegalArgumentException("a read batch holds 1 to " + READ_MANY_MAX + " requests, got "
            + batch.getRequestsCount());
      }
      for (ByteString one : batch.getRequestsList()) {
        requests.add(readRequest(one.toByteArray()));
      }
    } catch (IOException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new Refused(true, "not a read batch: " + e.getMessage()));
    }
    List<CompletableFuture<NodeReadOutcome>> outcomes = new ArrayList<>(requests.size());
    for (RaftClientRequest request : requests) {
      outcomes.add(serve(request).handle((r, failure) -> failure == null
          ? NodeReadOutcome.newBuilder()
              .setReply(UnsafeByteOperations.unsafeWrap(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray())).build()
          : NodeReadOutcome.newBuilder().setFailure(describe(failure)).build()));
    }
    return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).handle((ignored, failure) -> {
      NodeReadBatchReply.Builder reply = NodeReadBatchReply.newBuilder();
      outcomes.forEach(o -> reply.addOutcomes(o.join()));
      return reply.build().toByteArray();
    });
  }

  /**
   * Serves one read. A stale read goes to its group's division as it is. A linearizable one gets
   * its read index from {@link ReadIndex} (not from Ratis, whose ReadIndex can skip the leadership
   * check), waits until this replica has applied it, and is then served as a stale read at that
   * index: Ratis's own path from there (its commit index check, the state machine's query, the
   * reply), so the reply is the one a Ratis client would get.
   */
  private CompletableFuture<RaftClientReply> serve(RaftClientRequest request) {
    if (!request.is(RaftClientRequestProto.TypeCase.READ)) {
      return divisions.submit(request);
    }
    return divisions.division(request.getRaftGroupId()).thenCompose(division -> readIndex.forRead(division)
        .thenCompose(index -> applied(division, index))
        .thenCompose(index -> divisions.submit(RaftClientRequest.newBuilder()
            .setClientId(request.getClientId()).setServerId(request.getServerId())
            .setGroupId(request.getRaftGroupId()).setCallId(request.getCallId())
            .setMessage(request.getMessage()).setType(RaftClientRequest.staleReadRequestType(index))
            .setTimeoutMs(request.getTimeoutMs()).build())));
  }

  /** Completes with {@code index} once {@code division}'s state machine has applied it, within its stale-read wait. */
  private static CompletableFuture<Long> applied(RaftServer.Division division, long index) {
    if (!(division.getStateMachine() instanceof OrchidStateMachine sm)) {
      return CompletableFuture.completedFuture(index);
    }
    return sm.awaitApplied(index).thenApply(ignored -> index);
  }

  /** {@link #TERM}: this replica's current term in the group. */
  private CompletableFuture<byte[]> term(byte[] bytes) {
    NodeTermRequest request;
    try {
      request = NodeTermRequest.parseFrom(bytes);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new Refused(true, "not a term request: " + e.getMessage()));
    }
    return term(request).thenApply(term -> NodeTermReply.newBuilder().setTerm(term).build().toByteArray());
  }

  /** This replica's current term in the request's group. */
  private CompletableFuture<Long> term(NodeTermRequest request) {
    return divisions.division(ReadIndex.groupId(request.getGroupId()))
        .thenApply(division -> ReadIndex.termAnswer(division, request.getFrom()));
  }

  /**
   * {@link #TERMS}: answers each term request on the stream as {@link #term} would, with its seq;
   * replies go out as their answers are had (the first request of a group looks its division up off
   * the event loop), so possibly out of order.
   */
  private StreamObserver<byte[]> terms(StreamObserver<byte[]> replies) {
    ServerCallStreamObserver<byte[]> out = (ServerCallStreamObserver<byte[]>) replies;
    boolean[] ended = {false};
    // Set now (gRPC takes it only here): without it a reply after the asking node went away would throw.
    out.setOnCancelHandler(() -> {
      synchronized (out) {
        ended[0] = true;
      }
    });
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] bytes) {
        NodeTermRequest request;
        try {
          request = NodeTermRequest.parseFrom(bytes);
        } catch (IOException e) {
          synchronized (out) {
            if (!ended[0]) {
              ended[0] = true;
              out.onError(Status.INVALID_ARGUMENT.withDescription("not a term request: " + e.getMessage()).asRuntimeException());
            }
          }
          return;
        }
        term(request).whenComplete((term, failure) -> {
          NodeTermReply.Builder reply = NodeTermReply.newBuilder().setSeq(request.getSeq());
          if (failure == null) {
            reply.setTerm(term);
          } else {
            reply.setFailure(failure instanceof Refused ? failure.getMessage() : describe(failure));
          }
          synchronized (out) {
            if (!ended[0]) {
              out.onNext(reply.build().toByteArray());
            }
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        synchronized (out) {
          ended[0] = true;
        }
      }

      @Override
      public void onCompleted() {
        synchronized (out) {
          if (!ended[0]) {
            ended[0] = true;
            out.onCompleted();
          }
        }
      }
    };
  }

  /** {@link #READ_INDEX}: the read index of a linearizable read at this leader. */
  private CompletableFuture<byte[]> readIndex(byte[] bytes) {
    NodeReadIndexRequest request;
    try {
      request = NodeReadIndexRequest.parseFrom(bytes);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new Refused(true, "not a read-index request: " + e.getMessage()));
    }
    return divisions.division(ReadIndex.groupId(request.getGroupId())).thenCompose(readIndex::atLeader)
        .thenApply(index -> NodeReadIndexReply.newBuilder().setReadIndex(index).build().toByteArray());
  }

  /**
   * Why a node did not serve a read: {@code invalid} for a request that is not a read (gRPC's
   * INVALID_ARGUMENT), otherwise the node could not submit it (UNAVAILABLE: starting, or the group
   * failed the read outside a reply).
   */
  public static final class Refused extends RuntimeException {
    private final boolean invalid;

    public Refused(boolean invalid, String message) {
      super(message, null, false, false);
      this.invalid = invalid;
    }

    static Refused starting() {
      return new Refused(false, "the node is starting");
    }

    /** True for a request that is not a read; false when the node could not serve it. */
    public boolean invalid() {
      return invalid;
    }
  }

  private static void answer(CompletableFuture<byte[]> reply, StreamObserver<byte[]> out) {
    reply.whenComplete((bytes, failure) -> {
      if (failure == null) {
        out.onNext(bytes);
        out.onCompleted();
      } else {
        boolean invalid = failure instanceof Refused refused && refused.invalid();
        out.onError((invalid ? Status.INVALID_ARGUMENT : Status.UNAVAILABLE)
            .withDescription(failure instanceof Refused ? failure.getMessage() : describe(failure)).asRuntimeException());
      }
    });
  }

  /**
   * The divisions (one per group) this node's server has answered a read of, so later reads of the
   * group go to the division on the caller's thread. A group's first read goes through the server,
   * since {@code RaftServer.getDivision} blocks while a group is still being added (e.g. loading
   * its log at start); once that read is answered the division exists and is looked up without
   * waiting. A division that closed (its group removed) is forgotten, and the next read of the
   * group goes through the server again, which answers for whatever now holds the group.
   */
  static final class Divisions {
    /** Division look-ups that may block; daemon threads that end when idle. */
    private static final Executor LOOKUPS = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "orchiddb-division-lookup");
      t.setDaemon(true);
      return t;
    });

    private final Supplier<RaftServer> server;
    private final Map<RaftGroupId, RaftServer.Division> known = new ConcurrentHashMap<>();

    Divisions(Supplier<RaftServer> server) {
      this.server = server;
    }

    /** The server, or null until it is built. */
    RaftServer server() {
      return server.get();
    }

    CompletableFuture<RaftClientReply> submit(RaftClientRequest request) {
      RaftGroupId group = request.getRaftGroupId();
      RaftServer.Division division = known(group);
      RaftServer raftServer = server.get();
      try {
        if (division instanceof RaftClientAsynchronousProtocol inline) {
          return inline.submitClientRequestAsync(request);
        }
        return raftServer.submitClientRequestAsync(request).whenComplete((r, failure) -> {
          if (failure == null) {
            learn(raftServer, group);
          }
        });
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    private void learn(RaftServer raftServer, RaftGroupId group) {
      try {
        // Answered, so the group's division was added: this lookup does not wait.
        RaftServer.Division division = raftServer.getDivision(group);
        if (division instanceof RaftClientAsynchronousProtocol) {
          known.putIfAbsent(group, division);
        }
      } catch (IOException e) {
        // Removed since: the next read goes through the server again.
      }
    }

    /**
     * The group's division here: at once when known, otherwise looked up off the caller's thread
     * ({@code getDivision} blocks while the group is being added, and callers run on an event
     * loop). Fails when the node is starting or has no such group.
     */
    CompletableFuture<RaftServer.Division> division(RaftGroupId group) {
      RaftServer.Division division = known(group);
      if (division != null) {
        return CompletableFuture.completedFuture(division);
      }
      RaftServer raftServer = server.get();
      if (raftServer == null) {
        return CompletableFuture.failedFuture(Refused.starting());
      }
      return CompletableFuture.supplyAsync(() -> {
        try {
          RaftServer.Division found = raftServer.getDivision(group);
          if (found instanceof RaftClientAsynchronousProtocol) {
            known.putIfAbsent(group, found);
          }
          return found;
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, LOOKUPS);
    }

    /**
     * The group's division if known and alive, without waiting; null otherwise. A known division
     * that closed (its group removed) is forgotten here.
     */
    RaftServer.Division known(RaftGroupId group) {
      RaftServer.Division division = known.get(group);
      if (division != null && !division.getInfo().isAlive()) {
        known.remove(group, division);
        return null;
      }
      return division;
    }

    /** Whether a read of {@code group} would go to its division directly (for tests). */
    boolean knows(RaftGroupId group) {
      return known.containsKey(group);
    }
  }

  /** Parses one request and checks that it is a read; IllegalArgumentException says why not. */
  private static RaftClientRequest readRequest(byte[] bytes) {
    RaftClientRequest request;
    try {
      request = ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(bytes));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a Raft client request: " + e.getMessage(), e);
    }
    if (!request.is(RaftClientRequestProto.TypeCase.READ) && !request.is(RaftClientRequestProto.TypeCase.STALEREAD)) {
      throw new IllegalArgumentException("only reads are served here, got " + request.getType());
    }
    return request;
  }

  /** A failure as one line: the cause a CompletionException wraps, its class and message. */
  static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
