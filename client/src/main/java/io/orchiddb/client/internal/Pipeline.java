package io.orchiddb.client.internal;

import com.google.common.util.concurrent.AbstractFuture;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PipelineOp;
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.PipelineResult;
import io.orchiddb.api.v1.PutRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A router's {@code KV/Pipeline} stream (kv.proto): single-key requests (Get, Put, Delete) sent as
 * ops on one long-lived stream instead of a unary call each, which costs both ends far more (a new
 * HTTP/2 stream, headers, trailers, per call). Results come back by op id, in any order.
 *
 * <p>Ops made while others are being written or while a response is being read on the transport's
 * thread (where closed-loop callers make their next request) leave together, several per message.
 * An op that is too large ({@link #OP_BYTES_MAX}), or one made while {@link #IN_FLIGHT_MAX} are
 * out, is not taken ({@link #send} returns null) and goes as its unary call.
 *
 * <p>To {@link Transport} an op is an attempt like a unary call's: its future completes with the
 * response, or fails with the {@code StatusRuntimeException} its unary call would have failed
 * with, and {@link Op#sent()} says whether it may have reached the router (handed to the stream
 * after the stream's headers went out, as {@link HeadersSent} judges a unary call). Deadlines are
 * the op's own: sent to the router, which answers by then, and kept here too, so an op of a
 * router that never answers fails with DEADLINE_EXCEEDED on time.
 *
 * <p>When the stream fails (the router went away) every op in flight fails with its status and
 * the next op opens a new stream. A router without Pipeline (UNIMPLEMENTED) is remembered, and
 * its ops go as unary calls from then on.
 *
 * <p>Thread-safe.
 */
final class Pipeline {
  /** Ops larger than this go as unary calls, so a message always fits any router's inbound limit. */
  static final int OP_BYTES_MAX = 16 << 10;
  /** Most bytes of ops per message: below every router's inbound limit (request-bytes-max + 64 KiB). */
  static final int MESSAGE_BYTES_MAX = 64 << 10;
  /** Most ops per message (the router takes up to 1024, pipeline-message-ops-max). */
  static final int MESSAGE_OPS_MAX = 256;
  /** Most ops in flight on one stream (the router's pipeline-inflight-max). */
  static final int IN_FLIGHT_MAX = 4096;

  /** The stream whose response the current thread is reading, if any: its ops are written after. */
  private static final ThreadLocal<Stream> READING = new ThreadLocal<>();

  private final ManagedChannel channel;
  private final Scheduler scheduler;
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean unsupported;
  private Stream stream; // guarded by this

  Pipeline(ManagedChannel channel, Scheduler scheduler) {
    this.channel = channel;
    this.scheduler = scheduler;
  }

  /**
   * One op in flight: the attempt's future, and whether the op may have reached the router.
   *
   * @param <Resp> the unary call's response type
   */
  static final class Op<Resp> extends AbstractFuture<Resp> {
    final long id;
    final PipelineOp message;
    final long deadlineNanos;
    final Stream stream;
    volatile boolean handedOver;

    Op(long id, PipelineOp message, long deadlineNanos, Stream stream) {
      this.id = id;
      this.message = message;
      this.deadlineNanos = deadlineNanos;
      this.stream = stream;
    }

    /** Whether the op may have reached the router: handed to a stream whose headers went out. */
    boolean sent() {
      return handedOver && stream.headers.sent();
    }

    @SuppressWarnings("unchecked")
    void answer(PipelineResult r) {
      if (r.hasError()) {
        setException(StatusProto.toStatusRuntimeException(r.getError()));
        return;
      }
      // The result must be of the op's own kind.
      Object response = switch (message.getOpCase()) {
        case GET -> r.hasGet() ? r.getGet() : null;
        case PUT -> r.hasPut() ? r.getPut() : null;
        case DELETE -> r.hasDelete() ? r.getDelete() : null;
        case OP_NOT_SET -> null;
      };
      if (response == null) {
        setException(Status.INTERNAL.withDescription("the router answered pipeline op " + id
            + " with " + r.getResultCase() + " for " + message.getOpCase()).asRuntimeException());
      } else {
        set((Resp) response);
      }
    }

    void fail(StatusRuntimeException e) {
      setException(e);
    }
  }

  /** Whether the router may have Pipeline (it has not answered UNIMPLEMENTED). */
  boolean usable() {
    return !unsupported;
  }

  /**
   * Sends {@code request} (a Get, Put or Delete request) as an op, or returns null when it should go
   * as its unary call instead: another kind of request, too large, or too many ops out.
   *
   * @param deadlineNanos on the scheduler's clock
   */
  <Resp> Op<Resp> send(Object request, long deadlineNanos) {
    PipelineOp.Builder op = PipelineOp.newBuilder();
    if (request instanceof PutRequest put) {
      op.setPut(put);
    } else if (request instanceof GetRequest get) {
      op.setGet(get);
    } else if (request instanceof DeleteRequest delete) {
      op.setDelete(delete);
    } else {
      return null;
    }
    if (((Message) request).getSerializedSize() > OP_BYTES_MAX) {
      return null;
    }
    Stream s = open();
    if (s.ended != null) {
      return null; // failed as it opened: the unary call finds out why, and reports it as its own
    }
    if (s.inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
      s.inFlight.decrementAndGet();
      return null;
    }
    long id = ids.incrementAndGet();
    long timeoutMicros = Math.max(1, (deadlineNanos - scheduler.nanoTime()) / 1000);
    Op<Resp> sent = new Op<>(id, op.setId(id).setTimeoutUs(timeoutMicros).build(), deadlineNanos, s);
    s.add(sent);
    return sent;
  }

  private synchronized Stream open() {
    Stream s = stream;
    if (s == null) {
      HeadersSent headers = new HeadersSent();
      s = new Stream(headers);
      stream = s;
      // May end the stream at once, on this thread (a router without Pipeline, in-process).
      ClientCalls.asyncBidiStreamingCall(
          channel.newCall(KVGrpc.getPipelineMethod(), CallOptions.DEFAULT.withStreamTracerFactory(headers)), s);
    }
    return s;
  }

  private synchronized void closed(Stream s) {
    if (stream == s) {
      stream = null;
    }
  }

  /** Ends the current stream; ops in flight still get their results. */
  void close() {
    Stream s;
    synchronized (this) {
      s = stream;
      stream = null;
    }
    if (s != null) {
      s.halfClose(); // outside this lock: a write in progress holds the stream's
    }
  }

  /** One stream and its ops in flight. */
  final class Stream implements ClientResponseObserver<PipelineRequest, PipelineResponse> {
    final HeadersSent headers;
    final ConcurrentHashMap<Long, Op<?>> pending = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Op<?>> outbox = new ConcurrentLinkedQueue<>();
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger drains = new AtomicInteger();
    private ClientCallStreamObserver<PipelineRequest> requests;
    /** Why the stream ended, with the router's trailers (its ErrorInfo); null while it is open. */
    private volatile StatusRuntimeException ended;
    private volatile long sweepAt;

    Stream(HeadersSent headers) {
      this.headers = headers;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<PipelineRequest> requests) {
      this.requests = requests;
    }

    void add(Op<?> op) {
      pending.put(op.id, op);
      outbox.add(op);
      armSweep(op.deadlineNanos);
      if (ended != null) {
        failAll(); // ended while this op was being added: it will never be answered
        return;
      }
      if (READING.get() != this) {
        drain(); // else written once the response being read is done
      }
    }

    /** Writes the waiting ops, several per message; one thread at a time. */
    private void drain() {
      if (drains.getAndIncrement() != 0) {
        return; // the thread writing now will see the ops added meanwhile
      }
      int missed = 1;
      while (true) {
        Op<?> op;
        PipelineRequest.Builder message = null;
        int bytes = 0;
        while ((op = outbox.peek()) != null) {
          int size = op.message.getSerializedSize();
          if (message != null && (message.getOpsCount() >= MESSAGE_OPS_MAX || bytes + size > MESSAGE_BYTES_MAX)) {
            write(message);
            message = null;
            bytes = 0;
          }
          outbox.poll();
          if (op.isDone()) {
            continue; // cancelled, or timed out, before it left
          }
          if (message == null) {
            message = PipelineRequest.newBuilder();
          }
          message.addOps(op.message);
          op.handedOver = true;
          bytes += size;
        }
        if (message != null) {
          write(message);
        }
        missed = drains.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    /** Writes one message; synchronized with {@link #halfClose}, as the stream is not thread-safe. */
    private synchronized void write(PipelineRequest.Builder message) {
      if (ended != null) {
        return; // its ops are failed by end()
      }
      try {
        requests.onNext(message.build());
      } catch (RuntimeException e) {
        // gRPC reports a broken stream through onError; a throwing write means the same.
        end(Status.UNAVAILABLE.withDescription("the pipeline stream broke").withCause(e).asRuntimeException());
      }
    }

    @Override
    public void onNext(PipelineResponse response) {
      READING.set(this);
      try {
        for (PipelineResult r : response.getResultsList()) {
          Op<?> op = pending.get(r.getId());
          if (op != null && release(op)) {
            op.answer(r);
          }
        }
      } finally {
        READING.remove();
      }
      drain();
    }

    @Override
    public void onError(Throwable t) {
      end(Status.fromThrowable(t).asRuntimeException(Status.trailersFromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription("the router ended the pipeline stream").asRuntimeException());
    }

    private void end(StatusRuntimeException why) {
      ended = why;
      if (why.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        unsupported = true;
      }
      closed(this);
      failAll();
    }

    private void failAll() {
      StatusRuntimeException why = ended;
      for (Op<?> op : pending.values()) {
        if (release(op)) {
          op.fail(why);
        }
      }
    }

    /**
     * Takes an op out of {@link #pending}, freeing its in-flight slot; true for the one caller that
     * does (whoever releases an op completes it).
     */
    private boolean release(Op<?> op) {
      if (!pending.remove(op.id, op)) {
        return false;
      }
      inFlight.decrementAndGet();
      return true;
    }

    synchronized void halfClose() {
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        // already broken: onError has failed or will fail its ops
      }
    }

    /** Arms a check of deadlines at {@code deadlineNanos} unless one is due no later. */
    private void armSweep(long deadlineNanos) {
      long at = sweepAt;
      if (at != 0 && at <= deadlineNanos) {
        return;
      }
      synchronized (this) {
        if (sweepAt != 0 && sweepAt <= deadlineNanos) {
          return;
        }
        sweepAt = deadlineNanos;
      }
      try {
        scheduler.timeout(this::sweep, deadlineNanos - scheduler.nanoTime());
      } catch (RejectedExecutionException closing) {
        // the client is closing: Transport fails what is left
      }
    }

    /** Fails the ops past their deadline, forgets those cancelled, and arms the next check. */
    private void sweep() {
      synchronized (this) {
        sweepAt = 0;
      }
      long now = scheduler.nanoTime();
      long next = Long.MAX_VALUE;
      for (Op<?> op : pending.values()) {
        if (op.isDone() || op.deadlineNanos <= now) {
          if (release(op)) {
            op.fail(Status.DEADLINE_EXCEEDED.withDescription("no answer from the router within the deadline")
                .asRuntimeException());
          }
        } else {
          next = Math.min(next, op.deadlineNanos);
        }
      }
      if (next != Long.MAX_VALUE) {
        armSweep(next);
      }
    }
  }
}
