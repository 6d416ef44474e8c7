package io.orchiddb.node.raft;

import java.io.Closeable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.Context;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

/**
 * This node's calls to the {@link NodeReads} methods of other nodes, on their Raft ports: one
 * channel per address, on Ratis's shaded gRPC (the one the node serves with). Callers are completed
 * on the channel's I/O thread, as the router's read channels are. Thread-safe.
 */
final class PeerCalls implements Closeable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Calls {@code method} on the node at {@code address} ("host:port"). Fails with the shaded
   * gRPC's {@code StatusRuntimeException} (unreachable, timed out, refused), or with {@link
   * IllegalStateException} once closed. After a failure the channel's reconnect backoff is reset,
   * so a node that has come back is tried at once.
   */
  CompletableFuture<byte[]> call(MethodDescriptor<byte[], byte[]> method, String address, byte[] request,
      long timeoutMs) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the node is closing"));
    }
    ManagedChannel channel = channels.computeIfAbsent(address,
        a -> NettyChannelBuilder.forTarget(a).usePlaintext().directExecutor().build());
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    // In the root context: the call is often made while serving some incoming call, and is shared
    // by other reads (a round answers a batch), so it must not be cancelled when that call ends.
    Context previous = Context.ROOT.attach();
    try {
      ClientCalls.asyncUnaryCall(
          channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)), request,
          new StreamObserver<>() {
            @Override
            public void onNext(byte[] reply) {
              result.complete(reply);
            }

            @Override
            public void onError(Throwable t) {
              channel.resetConnectBackoff();
              result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              // The reply came in onNext.
            }
          });
    } finally {
      Context.ROOT.detach(previous);
    }
    return result;
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
