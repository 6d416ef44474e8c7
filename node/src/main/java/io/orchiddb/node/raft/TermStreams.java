package io.orchiddb.node.raft;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.IoEventLoop;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.orchiddb.proto.raft.NodeTermReply;
import io.orchiddb.proto.raft.NodeTermRequest;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.ratis.thirdparty.io.netty.util.HashedWheelTimer;
import org.apache.ratis.thirdparty.io.netty.util.Timeout;

/**
 * This node's term requests to other nodes ({@link ReadIndex}'s leadership rounds), as messages
 * of one bidirectional stream per node ({@link NodeReads#TERMS}) rather than a unary call each.
 * A unary call costs each end a new HTTP/2 stream (headers, trailers, a deadline timer); a message
 * on an open stream is one frame each way. Measured on this machine with {@code
 * benchmarks/tools/GrpcFloor.java}: a relayed round trip went from ~180 µs to ~140 µs with the
 * relay's hop on a stream (BENCHMARKS.md, "Optimisations"), and a strong get at concurrency 1 is
 * that shape.
 *
 * <p>A stream is opened on a node's first request and kept; replies are matched to requests by
 * {@code seq}, so the other node may answer in any order. Each request has its own timeout, on one
 * timer wheel per JVM (10 ms ticks: a request fails no sooner than its timeout and at most a tick
 * later); a reply after it is dropped. When a stream ends (the node went away, restarted, or closed
 * the connection), its unanswered requests fail at once, as unary calls on that connection would,
 * and the next request opens a new stream. A node that does not serve the stream (an older
 * version, during a rolling upgrade) answers UNIMPLEMENTED: its unanswered requests, and every
 * request to it for the next {@link #UNARY_FOR_MS}, go as unary {@link NodeReads#TERM} calls.
 *
 * <p>The streams are gRPC's (grpc-netty-shaded, the copy the router serves with), not Ratis's
 * shaded copy, so that a request made on one of the router's event loops (a router in this node's
 * JVM serving a strong read in-process) goes on a stream whose connection that same loop carries:
 * the request is written, and its answer read and the read's reply sent to the client, without
 * waking another thread. Before, each strong get crossed between the router's loop and Ratis's
 * twice, an eventfd write and a thread wake-up each way (async-profiler: ~12% of the leader's CPU at
 * concurrency 1). So streams are kept per node and per calling event loop; a request from any
 * other thread uses one more stream per node, on gRPC's shared loops.
 *
 * <p>Callers are completed on the stream's event loop, or on the timer's thread for a timeout.
 * Thread-safe.
 */
final class TermStreams implements Closeable {
  /** How long a node that answered UNIMPLEMENTED is asked with unary calls before a stream is tried again. */
  static final long UNARY_FOR_MS = 60_000;

  private static final HashedWheelTimer TIMER = new HashedWheelTimer(
      new ThreadFactoryBuilder().setNameFormat("orchiddb-term-timeouts").setDaemon(true).build(),
      10, TimeUnit.MILLISECONDS);

  /** {@link NodeReads#TERMS} as gRPC's own (unshaded API) descriptor. */
  static final MethodDescriptor<byte[], byte[]> TERMS = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING).setFullMethodName(NodeReads.TERMS)
      .setRequestMarshaller(GrpcBytes.MARSHALLER).setResponseMarshaller(GrpcBytes.MARSHALLER).build();

  private final PeerCalls peers;
  private final LongSupplier nanoClock;
  private final Map<Route, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<Route, Stream> streams = new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Addresses that answered UNIMPLEMENTED, with the nanoClock time until which they are asked with unary calls. */
  private final Map<String, Long> unaryUntil = new ConcurrentHashMap<>();
  private final AtomicLong seqs = new AtomicLong();
  private final LongAdder opened = new LongAdder();
  private final LongAdder unary = new LongAdder();

  /**
   * @param peers the node's unary calls (to nodes without the stream)
   * @param nanoClock System::nanoTime, or a test's: when a node without the stream is tried again,
   *     how long a request re-sent as a call has left (the requests' own timeouts run on the wheel)
   */
  TermStreams(PeerCalls peers, LongSupplier nanoClock) {
    this.peers = peers;
    this.nanoClock = nanoClock;
  }

  /**
   * The current term in {@code group} of the node at {@code address}. Fails when it does not
   * answer within {@code timeoutMs}, its stream ends first, it gives no term (a {@code failure}
   * reply) or this node is closing.
   */
  CompletableFuture<Long> term(String address, ByteString group, String from, long timeoutMs) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the node is closing"));
    }
    NodeTermRequest.Builder request = NodeTermRequest.newBuilder().setGroupId(group).setFrom(from);
    Long until = unaryUntil.get(address);
    if (until != null) {
      if (nanoClock.getAsLong() - until < 0) {
        return unary(address, request.build(), timeoutMs);
      }
      unaryUntil.remove(address, until);
    }
    Pending pending = new Pending(request.setSeq(seqs.incrementAndGet()).build(),
        nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    Route route = new Route(address, currentLoop());
    for (int attempt = 0; ; attempt++) {
      Stream stream = streams.get(route);
      boolean fresh = stream == null;
      if (fresh) {
        // Opened outside the map's update: a call on a channel that is shutting down fails as it starts.
        Stream opened = open(route);
        stream = streams.putIfAbsent(route, opened);
        if (stream == null) {
          stream = opened;
        } else {
          opened.cancel("another stream to " + address + " was opened at the same moment");
          fresh = false;
        }
      }
      if (stream.send(pending, timeoutMs)) {
        return pending.future;
      }
      streams.remove(route, stream); // it ended: open another, once
      if (fresh || attempt > 0) {
        return CompletableFuture.failedFuture(Status.UNAVAILABLE
            .withDescription("the term stream to " + address + " ended as it opened").asRuntimeException());
      }
    }
  }

  /** The gRPC (epoll) event loop running this thread, or null when it is not one. */
  private static EventLoop currentLoop() {
    EventExecutor executor = ThreadExecutorMap.currentExecutor();
    return executor instanceof IoEventLoop loop && loop.isIoType(EpollIoHandler.class) ? loop : null;
  }

  /** Streams opened so far (for tests). */
  long opened() {
    return opened.sum();
  }

  /** Requests sent as unary calls to nodes without the stream (for tests). */
  long unaryCalls() {
    return unary.sum();
  }

  /** Streams open now, for {@code address}, over every calling loop (for tests). */
  long openTo(String address) {
    return streams.keySet().stream().filter(r -> r.address.equals(address)).count();
  }

  @Override
  public void close() {
    closed = true;
    streams.values().forEach(stream -> stream.cancel("the node is closing"));
    streams.clear();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  /**
   * The channel for {@code route}: on the route's event loop when it has one (the loop's own
   * connection to the node), else on gRPC's shared loops. Callbacks run on the loop.
   */
  ManagedChannel channel(Route route) {
    return channels.computeIfAbsent(route, r -> {
      NettyChannelBuilder builder = NettyChannelBuilder.forTarget(r.address).usePlaintext().directExecutor();
      if (r.loop != null) {
        builder.eventLoopGroup(r.loop).channelType(EpollSocketChannel.class);
      }
      return builder.build();
    });
  }

  private Stream open(Route route) {
    opened.increment();
    Stream stream = new Stream(route);
    // In the root context: a stream outlives whatever incoming call first needed it.
    Context previous = Context.ROOT.attach();
    try {
      ClientCalls.asyncBidiStreamingCall(channel(route).newCall(TERMS, CallOptions.DEFAULT), stream);
    } finally {
      Context.ROOT.detach(previous);
    }
    return stream;
  }

  /** Where a stream goes, and the event loop its connection runs on (null: gRPC's shared loops). */
  record Route(String address, EventLoop loop) {}

  private CompletableFuture<Long> unary(String address, NodeTermRequest request, long timeoutMs) {
    unary.increment();
    return peers.call(NodeReads.TERM_CALL, address, request.toBuilder().clearSeq().build().toByteArray(),
        Math.max(1, timeoutMs)).thenApply(bytes -> {
          try {
            return NodeTermReply.parseFrom(bytes).getTerm();
          } catch (InvalidProtocolBufferException e) {
            throw new CompletionException(new IllegalArgumentException("a malformed term reply from " + address));
          }
        });
  }

  /** A request sent and not yet answered. */
  private static final class Pending {
    final NodeTermRequest request;
    final long deadlineNanos;
    final CompletableFuture<Long> future = new CompletableFuture<>();
    Timeout timeout;

    Pending(NodeTermRequest request, long deadlineNanos) {
      this.request = request;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** One open stream to one node, and the requests on it that are waiting for replies. */
  private final class Stream implements ClientResponseObserver<byte[], byte[]> {
    private final Route route;
    private final Map<Long, Pending> pending = new HashMap<>();
    private ClientCallStreamObserver<byte[]> requests;
    private boolean ended;

    Stream(Route route) {
      this.route = route;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
      this.requests = requests;
    }

    /** Sends {@code p} unless the stream has ended (false: the caller opens another). */
    synchronized boolean send(Pending p, long timeoutMs) {
      if (ended) {
        return false;
      }
      long seq = p.request.getSeq();
      pending.put(seq, p);
      p.timeout = TIMER.newTimeout(t -> timedOut(seq, timeoutMs), timeoutMs, TimeUnit.MILLISECONDS);
      try {
        requests.onNext(p.request.toByteArray());
      } catch (RuntimeException e) {
        // The call was closed under us (cancelled as the node closes): fail this one, keep the rest.
        pending.remove(seq);
        p.timeout.cancel();
        p.future.completeExceptionally(e);
      }
      return true;
    }

    private void timedOut(long seq, long timeoutMs) {
      Pending p;
      synchronized (this) {
        p = pending.remove(seq);
      }
      if (p != null) {
        p.future.completeExceptionally(Status.DEADLINE_EXCEEDED
            .withDescription(route.address() + " did not answer a term request within " + timeoutMs + " ms").asRuntimeException());
      }
    }

    @Override
    public void onNext(byte[] bytes) {
      NodeTermReply reply;
      try {
        reply = NodeTermReply.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        end(new IllegalArgumentException("a malformed term reply from " + route.address()));
        requests.cancel("a malformed term reply", null);
        return;
      }
      Pending p;
      synchronized (this) {
        p = pending.remove(reply.getSeq());
      }
      if (p == null) {
        return; // timed out already
      }
      p.timeout.cancel();
      if (reply.getFailure().isEmpty()) {
        p.future.complete(reply.getTerm());
      } else {
        p.future.completeExceptionally(Status.UNAVAILABLE.withDescription(reply.getFailure()).asRuntimeException());
      }
    }

    @Override
    public void onError(Throwable t) {
      if (Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED) {
        unaryUntil.put(route.address(), nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(UNARY_FOR_MS));
        for (Pending p : end(null)) {
          long left = TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos - nanoClock.getAsLong());
          unary(route.address(), p.request, left).whenComplete((term, failure) -> {
            if (failure == null) {
              p.future.complete(term);
            } else {
              p.future.completeExceptionally(failure);
            }
          });
        }
        return;
      }
      if (!closed) {
        channel(route).resetConnectBackoff(); // as after a failed unary call: a node back is tried at once
      }
      end(t);
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription(route.address() + " ended its term stream").asRuntimeException());
    }

    /** Marks the stream ended and takes its unanswered requests: failed with {@code why}, or returned. */
    private List<Pending> end(Throwable why) {
      List<Pending> left;
      synchronized (this) {
        ended = true;
        left = new ArrayList<>(pending.values());
        pending.clear();
      }
      streams.remove(route, this);
      for (Pending p : left) {
        p.timeout.cancel();
        if (why != null) {
          p.future.completeExceptionally(why);
        }
      }
      return left;
    }

    void cancel(String why) {
      synchronized (this) {
        if (ended) {
          return;
        }
      }
      requests.cancel(why, null);
    }
  }
}
