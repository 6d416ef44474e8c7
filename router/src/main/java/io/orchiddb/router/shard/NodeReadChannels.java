package io.orchiddb.router.shard;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.Counter;
import io.orchiddb.node.raft.GrpcBytes;
import io.orchiddb.node.raft.NodeReads;
import io.orchiddb.proto.raft.NodeReadBatch;
import io.orchiddb.proto.raft.NodeReadBatchReply;
import io.orchiddb.proto.raft.NodeReadOutcome;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The router's connections for reads: one plain gRPC channel per node address, calling the node's
 * {@link NodeReads} method. Replies are decoded and callers completed on the channel's I/O thread
 * ({@code directExecutor}), with gRPC's own deadline as the request timeout: no thread hand-off and
 * no timer task per read, which Ratis's client spent most of the router's CPU on under reads
 * (BENCHMARKS.md). Shared by every group's {@link GroupChannel}. Thread-safe.
 *
 * <p>When the router runs inside a node ({@link LocalNode}), reads addressed to that node are
 * handed to it in-process: the same bytes, no transport, and a stale read of its in-memory map is
 * answered on the caller's thread. Their failures are given the gRPC status a call would have
 * failed with, so callers cannot tell the two apart.
 */
final class NodeReadChannels implements Closeable {
  /** Largest reply accepted: a multi-get of many large values can exceed gRPC's 4 MiB default. */
  static final int REPLY_BYTES_MAX = 64 << 20;

  /** The NodeReads method as plain gRPC describes it (the node serves it on Ratis's shaded copy). */
  static final MethodDescriptor<byte[], byte[]> READ = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(NodeReads.METHOD)
      .setRequestMarshaller(GrpcBytes.MARSHALLER)
      .setResponseMarshaller(GrpcBytes.MARSHALLER)
      .build();

  /** NodeReads' method for several reads in one call. */
  static final MethodDescriptor<byte[], byte[]> READ_MANY = READ.toBuilder().setFullMethodName(NodeReads.METHOD_MANY).build();

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  /** The address of the node this router runs in, null for none. */
  private final String localAddress;
  private final LocalNode.Reads local;
  private final Counter localReads;
  private volatile boolean closed;

  /** Reads over gRPC only. */
  NodeReadChannels() {
    this(null, null, null);
  }

  /**
   * @param localAddress the address of the node the router runs in; null for none
   * @param local that node's reads
   * @param localReads counts the read calls it answered
   */
  NodeReadChannels(String localAddress, LocalNode.Reads local, Counter localReads) {
    this.localAddress = localAddress;
    this.local = local;
    this.localReads = localReads;
  }

  /**
   * Sends one read to the node at {@code address} ("host:port"); completes with the reply's
   * bytes, or fails with gRPC's {@code StatusRuntimeException} (unreachable, timed out, refused),
   * or with {@code IllegalStateException} once closed.
   * After a failure the channel's reconnect backoff is reset, so the next read to a node that
   * has come back tries at once rather than after gRPC's backoff (up to two minutes).
   */
  CompletableFuture<byte[]> read(String address, byte[] request, long timeoutMs) {
    return call(READ, address, request, timeoutMs);
  }

  /**
   * Sends several reads (at most {@link NodeReads#READ_MANY_MAX}) to the node at {@code address}
   * in one call; completes with one outcome per request in order, or fails as {@link #read} does.
   */
  CompletableFuture<List<NodeReadOutcome>> readMany(String address, List<byte[]> requests, long timeoutMs) {
    NodeReadBatch.Builder batch = NodeReadBatch.newBuilder();
    requests.forEach(r -> batch.addRequests(UnsafeByteOperations.unsafeWrap(r)));
    return call(READ_MANY, address, batch.build().toByteArray(), timeoutMs).thenApply(bytes -> {
      List<NodeReadOutcome> outcomes;
      try {
        outcomes = NodeReadBatchReply.parseFrom(bytes).getOutcomesList();
      } catch (InvalidProtocolBufferException e) {
        throw new CompletionException(new IOException("node " + address + " sent a malformed reply: " + e.getMessage(), e));
      }
      if (outcomes.size() != requests.size()) {
        throw new CompletionException(new IOException("node " + address + " sent a malformed reply: "
            + requests.size() + " reads, " + outcomes.size() + " outcomes"));
      }
      return outcomes;
    });
  }

  private CompletableFuture<byte[]> call(MethodDescriptor<byte[], byte[]> method, String address, byte[] request,
      long timeoutMs) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the router is closing"));
    }
    if (address.equals(localAddress)) {
      return callLocal(method, request, timeoutMs);
    }
    ManagedChannel channel = channel(address);
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    // Started in the root context, not the current one: the read is made on the thread of some
    // caller's incoming call, and a call started in that call's context is cancelled when it
    // ends ("Context was cancelled without error"), while this read serves other callers too
    // (GetBatcher shares it). Found as reads failing on every replica and retried after
    // ReadFailover's backoff: latency tails at 0.3, 0.6, 1.1 s.
    Context previous = Context.ROOT.attach();
    ListenableFuture<byte[]> call;
    try {
      call = ClientCalls.futureUnaryCall(
          channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)), request);
    } finally {
      Context.ROOT.detach(previous);
    }
    Futures.addCallback(call,
        new FutureCallback<>() {
          @Override
          public void onSuccess(byte[] reply) {
            result.complete(reply);
          }

          @Override
          public void onFailure(Throwable t) {
            channel.resetConnectBackoff();
            result.completeExceptionally(t);
          }
        }, MoreExecutors.directExecutor());
    return result;
  }

  private CompletableFuture<byte[]> callLocal(MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMs) {
    localReads.increment();
    CompletableFuture<byte[]> reply;
    try {
      reply = method == READ ? local.read(request) : local.readMany(request);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    if (!reply.isDone()) {
      // As gRPC's deadline would (a stale read of the map is done by now and needs no timer).
      Deadlines.orTimeout(reply, timeoutMs, TimeUnit.MILLISECONDS);
    }
    return reply.isDone() && !reply.isCompletedExceptionally() ? reply
        : reply.exceptionallyCompose(failure -> CompletableFuture.failedFuture(asStatus(failure)));
  }

  /** The gRPC status a call to the node would have failed with. */
  private static StatusRuntimeException asStatus(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    Status status;
    if (cause instanceof NodeReads.Refused refused) {
      status = (refused.invalid() ? Status.INVALID_ARGUMENT : Status.UNAVAILABLE).withDescription(refused.getMessage());
    } else if (cause instanceof TimeoutException) {
      status = Status.DEADLINE_EXCEEDED.withDescription("the node in this process did not answer in time");
    } else {
      status = Status.UNAVAILABLE.withDescription(cause.toString()).withCause(cause);
    }
    return status.asRuntimeException();
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> Grpc.newChannelBuilder(a, InsecureChannelCredentials.create())
        .directExecutor()
        .maxInboundMessageSize(REPLY_BYTES_MAX)
        .build());
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
