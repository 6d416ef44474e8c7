package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.orchiddb.node.raft.NodeReads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 *
 * <p>Also proves the in-process path of a router inside a node: reads addressed to that node go to
 * its reads (a stand-in here; EmbeddedRouterIT runs the real one) with no connection, are counted,
 * and fail with the gRPC status a call would have: INVALID_ARGUMENT or UNAVAILABLE as the node
 * refused, DEADLINE_EXCEEDED when it does not answer within the timeout.
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

  /** A node's reads that answer what the test says, recording what they were asked. */
  private static final class Reads implements LocalNode.Reads {
    final List<String> asked = new ArrayList<>();
    CompletableFuture<byte[]> next;

    @Override
    public CompletableFuture<byte[]> read(byte[] request) {
      asked.add("read " + request.length);
      return next;
    }

    @Override
    public CompletableFuture<byte[]> readMany(byte[] batch) {
      asked.add("readMany");
      return next;
    }
  }

  @Test
  void readsOfTheNodeTheRouterRunsInAreCalledInProcessAndFailAsACallWould() throws Exception {
    Reads local = new Reads();
    Counter counted = new SimpleMeterRegistry().counter("local");
    // Nothing listens at the local address: a read sent over the network there would fail.
    try (NodeReadChannels channels = new NodeReadChannels("127.0.0.1:1", local, counted)) {
      local.next = CompletableFuture.completedFuture(new byte[] {7});
      assertThat(channels.read("127.0.0.1:1", new byte[] {1, 2}, 10_000).get(10, TimeUnit.SECONDS)).containsExactly(7);
      assertThat(local.asked).containsExactly("read 2");
      assertThat(counted.count()).isEqualTo(1);

      local.next = CompletableFuture.failedFuture(new NodeReads.Refused(true, "only reads are served here"));
      assertThat(status(channels.read("127.0.0.1:1", new byte[] {1}, 10_000)))
          .satisfies(st -> assertThat(st.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .satisfies(st -> assertThat(st.getDescription()).isEqualTo("only reads are served here"));

      local.next = CompletableFuture.failedFuture(new NodeReads.Refused(false, "the node is starting"));
      assertThat(status(channels.readMany("127.0.0.1:1", List.of(new byte[] {1}, new byte[] {2}), 10_000)).getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(local.asked).containsExactly("read 2", "read 1", "readMany");

      local.next = new CompletableFuture<>(); // never answered
      assertThat(status(channels.read("127.0.0.1:1", new byte[] {1}, 200)).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(counted.count()).isEqualTo(4);
    }
  }

  private static Status status(CompletableFuture<?> read) throws InterruptedException {
    try {
      read.get(10, TimeUnit.SECONDS);
      throw new AssertionError("the read succeeded");
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the read did not end", e);
    }
  }
}
