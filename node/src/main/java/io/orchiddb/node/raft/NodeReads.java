package io.orchiddb.node.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
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
 */
public final class NodeReads {
  /** The gRPC service name. */
  public static final String SERVICE = "orchiddb.node.v1.Reads";
  /** The one method: bytes of a {@code RaftClientRequestProto} in, of a {@code RaftClientReplyProto} out. */
  public static final String METHOD = SERVICE + "/Read";

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

  private NodeReads() {}

  /** The service on a node whose Raft server {@code server} supplies (null until it is built). */
  static ServerServiceDefinition service(Supplier<RaftServer> server) {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(READ, ServerCalls.asyncUnaryCall((request, out) -> serve(server.get(), request, out)))
        .build();
  }

  private static void serve(RaftServer server, byte[] bytes, StreamObserver<byte[]> out) {
    if (server == null) {
      out.onError(Status.UNAVAILABLE.withDescription("the node is starting").asRuntimeException());
      return;
    }
    RaftClientRequest request;
    try {
      request = ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(bytes));
    } catch (IOException | RuntimeException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("not a Raft client request: " + e.getMessage())
          .asRuntimeException());
      return;
    }
    if (!request.is(RaftClientRequestProto.TypeCase.READ) && !request.is(RaftClientRequestProto.TypeCase.STALEREAD)) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("only reads are served here, got " + request.getType())
          .asRuntimeException());
      return;
    }
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((r, failure) -> {
      if (failure == null) {
        out.onNext(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray());
        out.onCompleted();
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      // Not a refusal Ratis puts in a reply: the caller treats it as this replica failing the read.
      out.onError(Status.UNAVAILABLE.withDescription(cause.getClass().getSimpleName() + ": " + cause.getMessage())
          .asRuntimeException());
    });
  }

}
