package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.orchiddb.node.raft.NodeReads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves that a read outlives the context of the thread that started it. The router starts a
 * replica read on the thread of one caller's incoming gRPC call, and that read serves other
 * callers too (GetBatcher shares it): when the first caller's call ends and its context is
 * cancelled, the read must still finish. It did not, and reads failed on every replica and
 * waited out ReadFailover's backoff (tails of 0.3–1.1 s under load).
 *
 * <p>How: a real gRPC server on loopback serving the NodeReads method, which holds its answer
 * until the test has cancelled the context the read was started in.
 */
class NodeReadChannelsTest {
  @Test
  void aReadOutlivesTheContextItWasStartedIn() throws Exception {
    CompletableFuture<StreamObserver<byte[]>> arrived = new CompletableFuture<>();
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(ServerServiceDefinition.builder(NodeReads.SERVICE)
            .addMethod(NodeReadChannels.READ, ServerCalls.asyncUnaryCall((request, out) -> arrived.complete(out))).build())
        .build().start();
    try (NodeReadChannels channels = new NodeReadChannels()) {
      Context.CancellableContext caller = Context.current().withCancellation();
      CompletableFuture<byte[]> reply = caller.call(() -> channels.read("127.0.0.1:" + server.getPort(), new byte[] {1}, 10_000));
      StreamObserver<byte[]> out = arrived.get(10, TimeUnit.SECONDS);
      caller.cancel(null); // the caller whose call started the read is done
      out.onNext(new byte[] {4, 2});
      out.onCompleted();
      assertThat(reply.get(10, TimeUnit.SECONDS)).containsExactly(4, 2);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
