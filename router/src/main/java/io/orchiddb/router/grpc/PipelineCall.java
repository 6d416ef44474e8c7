package io.orchiddb.router.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.PipelineOp;
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.PipelineResult;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.router.shard.AnswerScope;
import io.orchiddb.router.shard.KvRouter;
import io.orchiddb.router.shard.RouterException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code KV/Pipeline} stream (kv.proto): each op is handed to {@link KvRouter} as its unary
 * call would be, and its result is queued with the op's id as soon as it is done. Queued results
 * leave together: a result completed inside an {@link AnswerScope} is written when the scope ends,
 * with every other result of that scope for this stream. The scopes are a Raft entry's answers, a
 * node read's answers, and the reading of one message (its refusals and cached reads); a result
 * completed outside any (a timeout) is written at once.
 *
 * <p>Limits: at most {@link #MESSAGE_OPS_MAX} ops per message and {@link #IN_FLIGHT_MAX} ops in
 * flight per stream; an op over either is answered with LIMIT_EXCEEDED and not served. A message's
 * size is bounded by the server's inbound limit, as every call's is, and each op is checked
 * against the same limits as its unary call.
 *
 * <p>Flow control: messages are read one at a time, and the next only while the response stream
 * is ready (gRPC's {@code isReady}: its results are leaving, not piling up). A client that stops
 * reading results therefore stops having ops read, HTTP/2 flow control holds its further writes,
 * and the router keeps no more than the results of the ops it had already taken.
 *
 * <p>Thread-safe: ops arrive on the transport's thread; results are queued from any thread, and
 * one thread at a time drains the queue into the response stream.
 */
final class PipelineCall implements StreamObserver<PipelineRequest> {
  /** Most ops in one message (kv.proto, pipeline-message-ops-max). */
  static final int MESSAGE_OPS_MAX = 1024;
  /** Most ops one stream may have in flight (kv.proto, pipeline-inflight-max). */
  static final int IN_FLIGHT_MAX = 4096;
  private static final long TIMEOUT_US_CAP = 86_400_000_000L;
  /**
   * Results fill a message up to about this many bytes: far below any client's inbound limit
   * (gRPC's default is 4 MiB), however many large values one Raft entry or node read answers.
   */
  static final int MESSAGE_BYTES_TARGET = 1 << 20;
  /** A result's tag and length in its message, at most. */
  private static final int RESULT_FRAMING_BYTES = 6;

  private final KvRouter router;
  private final ServerCallStreamObserver<PipelineResponse> out;
  private final ConcurrentLinkedQueue<PipelineResult> done = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger drains = new AtomicInteger();
  private final AtomicBoolean flushDeferred = new AtomicBoolean();
  private volatile boolean ended;
  /** Set once the client half-closed: the stream completes when the last op is answered. */
  private volatile boolean halfClosed;
  /** A message is owed to the client once the stream is ready again; callbacks only. */
  private boolean waitingForReady;
  private final Runnable deferredFlush = () -> {
    flushDeferred.set(false);
    drain();
  };

  PipelineCall(KvRouter router, StreamObserver<PipelineResponse> out) {
    this.router = router;
    this.out = (ServerCallStreamObserver<PipelineResponse>) out;
    // Without a handler, writing to a cancelled stream throws; with one, such writes are dropped.
    this.out.setOnCancelHandler(() -> ended = true);
    this.out.disableAutoRequest();
    this.out.setOnReadyHandler(this::onReady);
    this.out.request(1);
  }

  /**
   * Asks for the next message if results can leave now, or else leaves that to the next onReady.
   * Runs, as {@link #onReady} does, on gRPC's serialized callbacks of this call.
   */
  private void requestNext() {
    if (out.isReady()) {
      out.request(1);
    } else {
      waitingForReady = true;
    }
  }

  private void onReady() {
    if (waitingForReady) {
      waitingForReady = false;
      out.request(1);
    }
  }

  @Override
  public void onNext(PipelineRequest request) {
    int count = request.getOpsCount();
    if (count > MESSAGE_OPS_MAX) {
      RouterException refused = RouterException.limit("pipeline-message-ops-max",
          "a pipeline message has " + count + " ops; the limit is " + MESSAGE_OPS_MAX);
      for (PipelineOp op : request.getOpsList()) {
        done.add(failure(op.getId(), refused));
      }
    } else {
      // Ops answered at once (refusals, cached reads) leave together when the message is read.
      AnswerScope.run(() -> {
        for (PipelineOp op : request.getOpsList()) {
          serve(op);
        }
      });
    }
    drain();
    requestNext();
  }

  private void serve(PipelineOp op) {
    long id = op.getId();
    if (inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
      inFlight.decrementAndGet();
      done.add(failure(id, RouterException.limit("pipeline-inflight-max",
          "this stream has " + IN_FLIGHT_MAX + " ops in flight, the most it may have; wait for results")));
      return;
    }
    // Any timeout past the router's request timeout means that timeout (KvRouter caps it), so
    // a day stands in for larger ones, however large.
    long micros = op.getTimeoutUs();
    Duration timeout = micros == 0 ? null : Duration.ofNanos(Math.min(micros, TIMEOUT_US_CAP) * 1000L);
    CompletableFuture<?> result;
    try {
      result = switch (op.getOpCase()) {
        case GET -> router.get(op.getGet(), timeout);
        case PUT -> router.put(op.getPut(), timeout);
        case DELETE -> router.delete(op.getDelete(), timeout);
        case OP_NOT_SET -> throw RouterException.badRequest("op", "one of get, put or delete is required");
      };
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete((value, failure) -> {
      done.add(failure == null ? success(id, value) : failure(id, RouterException.of(failure)));
      inFlight.decrementAndGet();
      flushSoon();
    });
  }

  /**
   * Writes the queued results now, or at the end of this thread's {@link AnswerScope} (with the
   * rest of its answers), or leaves them to a flush already deferred to a scope's end.
   */
  private void flushSoon() {
    if (flushDeferred.get() || !flushDeferred.compareAndSet(false, true)) {
      return; // a flush is coming (a scope's end, or a thread about to drain) and will see it
    }
    if (!AnswerScope.defer(deferredFlush)) {
      flushDeferred.set(false);
      drain();
    }
  }

  private static PipelineResult success(long id, Object value) {
    PipelineResult.Builder r = PipelineResult.newBuilder().setId(id);
    if (value instanceof PutResponse put) {
      r.setPut(put);
    } else if (value instanceof GetResponse get) {
      r.setGet(get);
    } else {
      r.setDelete((DeleteResponse) value);
    }
    return r.build();
  }

  private static PipelineResult failure(long id, RouterException e) {
    return PipelineResult.newBuilder().setId(id).setError(e.toStatusProto()).build();
  }

  /**
   * Writes every queued result, several per message but no more than about
   * {@link #MESSAGE_BYTES_TARGET} in one (a result larger than that goes alone); one thread at a
   * time.
   */
  private void drain() {
    if (drains.getAndIncrement() != 0) {
      return; // the thread draining now will see what was queued
    }
    int missed = 1;
    while (true) {
      PipelineResponse.Builder message = null;
      long bytes = 0;
      PipelineResult r;
      while ((r = done.poll()) != null) {
        int size = r.getSerializedSize() + RESULT_FRAMING_BYTES;
        if (message != null && bytes + size > MESSAGE_BYTES_TARGET) {
          write(message);
          message = null;
        }
        if (message == null) {
          message = PipelineResponse.newBuilder();
          bytes = 0;
        }
        message.addResults(r);
        bytes += size;
      }
      if (message != null) {
        write(message);
      }
      // Only the draining thread ends the stream, so ended says whether it has.
      if (halfClosed && !ended && inFlight.get() == 0 && done.isEmpty()) {
        ended = true;
        out.onCompleted();
      }
      missed = drains.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void write(PipelineResponse.Builder message) {
    if (ended) {
      return;
    }
    try {
      out.onNext(message.build());
    } catch (RuntimeException e) {
      ended = true; // the stream is gone (cancelled meanwhile); nothing more can be written
    }
  }

  @Override
  public void onError(Throwable t) {
    ended = true; // the client went away; ops in flight still finish, their results are dropped
  }

  @Override
  public void onCompleted() {
    halfClosed = true;
    drain();
  }
}
