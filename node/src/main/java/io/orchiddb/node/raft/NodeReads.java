package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.orchiddb.proto.raft.NodeReadBatch;
import io.orchiddb.proto.raft.NodeReadBatchReply;
import io.orchiddb.proto.raft.NodeReadOutcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
 * Writes still go through Ratis's client, which follows leaders and retries with the same call
 * id (the retry cache depends on it); this service refuses them.
 *
 * <p>{@link #METHOD_MANY} takes the reads of several groups in one call and answers each as {@link
 * #METHOD} would have, so a router reading several shards from one node sends one message, not
 * one per shard.
 *
 * <p>A read is handed to its group's division directly ({@link Divisions}), on the thread that
 * received the call. {@code RaftServer.submitClientRequestAsync} would first move every request
 * to Ratis's client executor, a thread wake-up per read and another to send the reply; the
 * division runs the same code (lifecycle check, stale-read or ReadIndex handling, the state
 * machine's query), none of which blocks: our queries read the in-memory map, and a read that
 * waits (for an index to be applied, for a ReadIndex round) waits on a future.
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

  private NodeReads() {}

  /** The service on a node whose Raft server {@code server} supplies (null until it is built). */
  static ServerServiceDefinition service(Supplier<RaftServer> server) {
    Divisions divisions = new Divisions(server);
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(READ, ServerCalls.asyncUnaryCall((request, out) -> serve(divisions, request, out)))
        .addMethod(READ_MANY, ServerCalls.asyncUnaryCall((request, out) -> serveMany(divisions, request, out)))
        .build();
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
      RaftServer.Division division = known.get(group);
      if (division != null && !division.getInfo().isAlive()) {
        known.remove(group, division);
        division = null;
      }
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

    /** Whether a read of {@code group} would go to its division directly (for tests). */
    boolean knows(RaftGroupId group) {
      return known.containsKey(group);
    }
  }

  private static void serve(Divisions divisions, byte[] bytes, StreamObserver<byte[]> out) {
    if (divisions.server() == null) {
      out.onError(starting());
      return;
    }
    RaftClientRequest request;
    try {
      request = readRequest(bytes);
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    divisions.submit(request).whenComplete((r, failure) -> {
      if (failure == null) {
        out.onNext(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray());
        out.onCompleted();
      } else {
        // Not a refusal Ratis puts in a reply: the caller treats it as this replica failing the read.
        out.onError(Status.UNAVAILABLE.withDescription(describe(failure)).asRuntimeException());
      }
    });
  }

  /**
   * Several reads, each as {@link #serve} would serve it alone, answered together once all are:
   * one outcome per request, in order. A batch that is malformed, too long or holds anything but
   * reads is refused whole, before any of it reaches Raft.
   */
  private static void serveMany(Divisions divisions, byte[] bytes, StreamObserver<byte[]> out) {
    if (divisions.server() == null) {
      out.onError(starting());
      return;
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
      out.onError(Status.INVALID_ARGUMENT.withDescription("not a read batch: " + e.getMessage()).asRuntimeException());
      return;
    }
    List<CompletableFuture<NodeReadOutcome>> outcomes = new ArrayList<>(requests.size());
    for (RaftClientRequest request : requests) {
      outcomes.add(divisions.submit(request).handle((r, failure) -> failure == null
          ? NodeReadOutcome.newBuilder()
              .setReply(UnsafeByteOperations.unsafeWrap(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray())).build()
          : NodeReadOutcome.newBuilder().setFailure(describe(failure)).build()));
    }
    CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
      NodeReadBatchReply.Builder reply = NodeReadBatchReply.newBuilder();
      outcomes.forEach(o -> reply.addOutcomes(o.join()));
      out.onNext(reply.build().toByteArray());
      out.onCompleted();
    });
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

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static RuntimeException starting() {
    return Status.UNAVAILABLE.withDescription("the node is starting").asRuntimeException();
  }
}
