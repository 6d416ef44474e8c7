package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.orchiddb.proto.raft.NodeTermReply;
import io.orchiddb.proto.raft.NodeTermRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.ratis.thirdparty.io.grpc.Server;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TermStreams} against small gRPC servers on loopback that play the other node: each test's
 * server answers term requests its own way (out of order, never, with a failure, by ending the
 * stream, or only as unary calls, as a node without the stream would).
 */
class TermStreamsTest {
  private static final String FROM = "n1";

  private final PeerCalls peers = new PeerCalls();
  /** The nano clock TermStreams reads, moved by tests. */
  private final AtomicLong now = new AtomicLong();
  private final TermStreams terms = new TermStreams(peers, now::get);
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void close() {
    terms.close();
    peers.close();
    servers.forEach(Server::shutdownNow);
  }

  @Test
  void repliesAreMatchedToTheirRequestsByNumberInAnyOrderOnOneStream() throws Exception {
    // Holds requests until two have come, then answers the second first; the term is the group's last byte.
    List<NodeTermRequest> held = new ArrayList<>();
    String address = serveStream((request, out) -> {
      synchronized (held) {
        held.add(request);
        if (held.size() == 2) {
          for (NodeTermRequest r : List.of(held.get(1), held.get(0))) {
            out.onNext(reply(r).setTerm(termOf(r)).build().toByteArray());
          }
          held.clear();
        }
      }
    });
    for (int i = 0; i < 20; i++) {
      CompletableFuture<Long> first = terms.term(address, group(3 + i), FROM, 10_000);
      CompletableFuture<Long> second = terms.term(address, group(100 + i), FROM, 10_000);
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(3 + i);
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(100 + i);
    }
    assertThat(terms.opened()).as("streams opened for 40 requests").isEqualTo(1);
    assertThat(terms.unaryCalls()).isZero();
  }

  @Test
  void aRequestNotAnsweredInTimeFailsAndALateReplyIsDropped() throws Exception {
    List<Runnable> late = new ArrayList<>();
    String address = serveStream((request, out) -> {
      synchronized (late) {
        late.add(() -> out.onNext(reply(request).setTerm(9).build().toByteArray()));
      }
    });
    long start = System.nanoTime();
    CompletableFuture<Long> unanswered = terms.term(address, group(1), FROM, 100);
    Throwable failure = failure(unanswered);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure).hasMessageContaining("within 100 ms");
    assertThat(ms).as("failed after %d ms", ms).isGreaterThanOrEqualTo(100);

    // The reply comes after all, then the server answers the next request as well: only the next one counts.
    CompletableFuture<Long> next = terms.term(address, group(2), FROM, 10_000);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      synchronized (late) {
        if (late.size() == 2) {
          late.forEach(Runnable::run);
          break;
        }
      }
      assertThat(System.nanoTime() - deadline).as("the server has both requests").isNegative();
      Thread.onSpinWait();
    }
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(9);
    assertThat(unanswered).isCompletedExceptionally();
    assertThat(terms.opened()).isEqualTo(1);
  }

  @Test
  void aFailureReplyFailsItsRequestAndTheStreamStaysOpen() throws Exception {
    String address = serveStream((request, out) -> out.onNext((termOf(request) == 0
        ? reply(request).setFailure("no such group here") : reply(request).setTerm(termOf(request))).build().toByteArray()));
    assertThat(failure(terms.term(address, group(0), FROM, 10_000))).hasMessageContaining("no such group here");
    assertThat(terms.term(address, group(4), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(terms.opened()).isEqualTo(1);
  }

  @Test
  void aStreamThatEndsFailsItsRequestsAtOnceAndTheNextRequestOpensAnother() throws Exception {
    AtomicInteger streams = new AtomicInteger();
    String address = serve(ServerServiceDefinition.builder(NodeReads.SERVICE)
        .addMethod(NodeReads.TERMS_CALL, ServerCalls.asyncBidiStreamingCall(out -> {
          boolean first = streams.incrementAndGet() == 1;
          return observer(request -> {
            if (first) {
              out.onError(org.apache.ratis.thirdparty.io.grpc.Status.UNAVAILABLE.withDescription("going away")
                  .asRuntimeException());
            } else {
              out.onNext(reply(request).setTerm(termOf(request)).build().toByteArray());
            }
          });
        })).build());
    long start = System.nanoTime();
    assertThat(failure(terms.term(address, group(5), FROM, 60_000))).hasMessageContaining("going away");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("seconds to fail").isLessThan(30);
    assertThat(terms.term(address, group(6), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(6);
    assertThat(terms.opened()).isEqualTo(2);
    assertThat(streams.get()).isEqualTo(2);
  }

  @Test
  void aNodeWithoutTheStreamIsAskedWithUnaryCalls() throws Exception {
    AtomicInteger unaryServed = new AtomicInteger();
    String address = serve(ServerServiceDefinition.builder(NodeReads.SERVICE)
        .addMethod(NodeReads.TERM_CALL, ServerCalls.asyncUnaryCall((bytes, out) -> {
          NodeTermRequest request = parse(bytes);
          unaryServed.incrementAndGet();
          out.onNext(NodeTermReply.newBuilder().setTerm(termOf(request)).build().toByteArray());
          out.onCompleted();
        })).build());
    // The first request goes on a stream, is refused UNIMPLEMENTED, and is sent again as a call.
    assertThat(terms.term(address, group(7), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(7);
    for (int i = 0; i < 5; i++) {
      assertThat(terms.term(address, group(8 + i), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(8 + i);
    }
    assertThat(terms.opened()).as("streams tried").isEqualTo(1);
    assertThat(terms.unaryCalls()).isEqualTo(6);
    assertThat(unaryServed.get()).isEqualTo(6);

    // Until UNARY_FOR_MS has passed; then the stream is tried again (here refused again, so a call once more).
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(TermStreams.UNARY_FOR_MS) - 1);
    assertThat(terms.term(address, group(14), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(14);
    assertThat(terms.opened()).as("streams tried just before the time").isEqualTo(1);
    now.addAndGet(1);
    assertThat(terms.term(address, group(15), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(15);
    assertThat(terms.opened()).as("streams tried once the time passed").isEqualTo(2);
    assertThat(unaryServed.get()).isEqualTo(8);
  }

  /**
   * A request made on one of gRPC's event loops (as a router in the node's JVM makes it) goes on a
   * stream whose connection that loop carries, so its answer completes on that same thread; a
   * request from any other thread uses a stream of its own.
   */
  @Test
  void aRequestFromAnEventLoopIsAnsweredOnThatLoop() throws Exception {
    String address = serveStream((request, out) -> out.onNext(reply(request).setTerm(termOf(request)).build().toByteArray()));
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      Thread loopThread = CompletableFuture.supplyAsync(Thread::currentThread, loop).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        int term = 20 + i;
        CompletableFuture<Thread> answeredOn = CompletableFuture.supplyAsync(
            () -> terms.term(address, group(term), FROM, 10_000), loop)
            .thenCompose(answer -> answer.thenApply(t -> {
              assertThat(t).isEqualTo(term);
              return Thread.currentThread();
            }));
        assertThat(answeredOn.get(10, TimeUnit.SECONDS)).as("the thread the answer completed on").isSameAs(loopThread);
      }
      assertThat(terms.openTo(address)).isEqualTo(1);
      assertThat(terms.term(address, group(30), FROM, 10_000).get(10, TimeUnit.SECONDS)).isEqualTo(30);
      assertThat(terms.openTo(address)).as("streams after a request from the test's thread").isEqualTo(2);
    } finally {
      terms.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStreamThatFailsAsItOpensFailsTheRequestRatherThanOpeningAnotherForever() {
    String address = serveStream((request, out) -> out.onNext(reply(request).setTerm(1).build().toByteArray()));
    terms.channel(new TermStreams.Route(address, null)).shutdownNow(); // every new call on it fails as it starts
    assertThat(failure(terms.term(address, group(1), FROM, 10_000))).hasMessageContaining("ended as it opened");
    assertThat(terms.opened()).isLessThanOrEqualTo(2);
  }

  @Test
  void nothingIsAskedOnceClosed() {
    String address = serveStream((request, out) -> out.onNext(reply(request).setTerm(1).build().toByteArray()));
    terms.close();
    peers.close();
    assertThat(failure(terms.term(address, group(1), FROM, 10_000))).hasMessageContaining("closing");
  }

  /** A server whose stream calls {@code answer} with each request and the stream's replies. */
  private String serveStream(BiConsumer<NodeTermRequest, StreamObserver<byte[]>> answer) {
    return serve(ServerServiceDefinition.builder(NodeReads.SERVICE)
        .addMethod(NodeReads.TERMS_CALL, ServerCalls.asyncBidiStreamingCall(out -> observer(request -> answer.accept(request, out))))
        .build());
  }

  private String serve(ServerServiceDefinition service) {
    try {
      Server server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0)).directExecutor()
          .addService(service).build().start();
      servers.add(server);
      return "127.0.0.1:" + server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static StreamObserver<byte[]> observer(java.util.function.Consumer<NodeTermRequest> each) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] bytes) {
        each.accept(parse(bytes));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static NodeTermRequest parse(byte[] bytes) {
    try {
      NodeTermRequest request = NodeTermRequest.parseFrom(bytes);
      assertThat(request.getFrom()).isEqualTo(FROM);
      return request;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NodeTermReply.Builder reply(NodeTermRequest request) {
    return NodeTermReply.newBuilder().setSeq(request.getSeq());
  }

  /** Tests name a group by the term its server answers: the id's last byte. */
  private static ByteString group(int term) {
    byte[] id = new byte[16];
    id[15] = (byte) term;
    return ByteString.copyFrom(id);
  }

  private static long termOf(NodeTermRequest request) {
    return request.getGroupId().byteAt(15) & 0xFF;
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(30, TimeUnit.SECONDS);
      throw new AssertionError("answered: " + future.join());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
