package io.orchiddb.client;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.ClusterGrpc;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PipelineOp;
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.PipelineResult;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import io.orchiddb.api.v1.StatusRequest;
import io.orchiddb.api.v1.StatusResponse;
import io.orchiddb.client.internal.Scheduler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An in-process stand-in for a router: serves KV and Cluster from a script and records every
 * request with the deadline it arrived with. Each method replies with its scripted replies in
 * order, repeating the last one; a reply is a response message, a {@link StatusRuntimeException},
 * a {@code Function<Request, Object>} computing either, or {@link #HANG} (never answer). Errors are
 * built as the real router builds them: a google.rpc.Status with an ErrorInfo detail in domain
 * "orchiddb.io" ({@link #error}).
 *
 * <p>Server and client run on {@code directExecutor}, so a request is handled on the calling
 * thread and tests need no waiting.
 */
final class FakeRouter implements AutoCloseable {
  /** Never answer; the call ends by its deadline or cancellation. */
  static final Object HANG = new Object();
  /** Answer only when the test calls {@link #answerHeld}. */
  static final Object HOLD = new Object();

  /** In-process server names are JVM-wide: make each unique. */
  private static final java.util.concurrent.atomic.AtomicInteger SERIAL = new java.util.concurrent.atomic.AtomicInteger();

  /** A request as the fake received it: as a call of its own, or as an op of a Pipeline stream. */
  record Received(String method, Message request, Deadline deadline, boolean pipelined) {}

  final String endpoint;
  private final String name;
  private final Server server;
  private final Map<String, Deque<Object>> scripts = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Held> held = new CopyOnWriteArrayList<>();

  private record Held(Message request, StreamObserver<Object> out) {}

  /** Whether Pipeline streams are served (else they fail with UNIMPLEMENTED, as an older router's). */
  private volatile boolean pipelining;
  /** How many ops each Pipeline message carried, in arrival order. */
  final List<Integer> pipelineMessages = new CopyOnWriteArrayList<>();
  private final List<PipelineStream> streams = new CopyOnWriteArrayList<>();
  /** While answering held requests: results of each stream are gathered into one message. */
  private final ThreadLocal<Map<PipelineStream, PipelineResponse.Builder>> gathering = new ThreadLocal<>();

  /** Released once for each {@link #HANG}ing call that the client cancelled or that timed out. */
  final Semaphore hungCallsEnded = new Semaphore(0);

  private FakeRouter(String name) throws IOException {
    this.name = name;
    this.endpoint = name + ":4207";
    this.server = InProcessServerBuilder.forName(name)
        .directExecutor()
        .addService(new Kv())
        .addService(new Cluster())
        .build()
        .start();
  }

  private FakeRouter(int port) throws IOException {
    this.server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        .directExecutor()
        .addService(new Kv())
        .addService(new Cluster())
        .build()
        .start();
    this.name = "loopback";
    this.endpoint = "127.0.0.1:" + server.getPort();
  }

  /** A fake router on a real TCP port of the loopback interface (grpc-netty-shaded). */
  static FakeRouter startOnLoopback() {
    try {
      return new FakeRouter(0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A running fake router whose endpoint is "{name}:4207". */
  static FakeRouter start(String name) {
    try {
      return new FakeRouter(name + "-" + SERIAL.incrementAndGet());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client builder whose channels reach fake routers in-process: endpoint "x:4207" goes to the
   * in-process server "x" (which need not exist: then connecting fails like a router that is down).
   */
  static OrchidClient.Builder clientFor(String... endpoints) {
    return OrchidClient.builder()
        .endpoints(endpoints)
        .channelFactory(FakeRouter::channel);
  }

  static ManagedChannel channel(String endpoint) {
    String name = endpoint.substring(0, endpoint.lastIndexOf(':'));
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  /** Replaces the script of a method ("Get", "GetMany", "Put", "PutMany", "Delete", "Batch", "Scan", "Status"). */
  FakeRouter script(String method, Object... replies) {
    scripts.put(method, new ConcurrentLinkedDeque<>(List.of(replies)));
    return this;
  }

  /**
   * Answers every call held so far ({@link #HOLD}) with {@code reply}: a response, an error, or a
   * {@code Function<Request, Object>} computing either. Returns how many calls it answered.
   */
  @SuppressWarnings("unchecked")
  int answerHeld(Object reply) {
    List<Held> now = List.copyOf(held);
    held.removeAll(now);
    // Results of ops of one Pipeline stream leave as one message, as a real router's do.
    Map<PipelineStream, PipelineResponse.Builder> messages = new java.util.LinkedHashMap<>();
    gathering.set(messages);
    try {
      for (Held h : now) {
        Object r = reply instanceof Function<?, ?> f ? ((Function<Message, Object>) f).apply(h.request()) : reply;
        if (r instanceof Throwable error) {
          h.out().onError(error);
        } else {
          h.out().onNext(r);
          h.out().onCompleted();
        }
      }
    } finally {
      gathering.remove();
    }
    messages.forEach((stream, message) -> stream.write(message.build()));
    return now.size();
  }

  /** Serves Pipeline streams from now on: each op is answered from its method's script, as a call. */
  FakeRouter pipelining() {
    pipelining = true;
    return this;
  }

  /** Fails every open Pipeline stream with UNAVAILABLE, as a connection that breaks. */
  void breakPipelines() {
    for (PipelineStream stream : streams) {
      stream.breakOff();
    }
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<Received> received(String method) {
    List<Received> matching = new ArrayList<>();
    for (Received r : received) {
      if (r.method().equals(method)) {
        matching.add(r);
      }
    }
    return matching;
  }

  /** The request of the only call of this method; fails if there was not exactly one. */
  @SuppressWarnings("unchecked")
  <T extends Message> T only(String method) {
    List<Received> calls = received(method);
    if (calls.size() != 1) {
      throw new AssertionError("expected exactly one " + method + " call, got " + calls.size());
    }
    return (T) calls.get(0).request();
  }

  void stop() {
    server.shutdownNow();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "FakeRouter{" + name + "}";
  }

  /** An error as the router sends it: gRPC code, message, ErrorInfo(domain orchiddb.io, reason, metadata). */
  static StatusRuntimeException error(Status.Code code, String reason, Map<String, String> metadata, String message) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(code.value())
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setDomain("orchiddb.io")
            .setReason(reason)
            .putAllMetadata(metadata)
            .build()))
        .build());
  }

  static StatusRuntimeException noQuorum() {
    return error(Status.Code.UNAVAILABLE, "NO_QUORUM", Map.of("shard", "3"), "shard 3 has no leader");
  }

  static SessionToken token(long... shardThenIndex) {
    SessionToken.Builder token = SessionToken.newBuilder();
    for (int i = 0; i < shardThenIndex.length; i += 2) {
      token.addSeen(ShardIndex.newBuilder().setShardId((int) shardThenIndex[i]).setIndex(shardThenIndex[i + 1]));
    }
    return token.build();
  }

  private Object next(String method) {
    Deque<Object> script = scripts.get(method);
    if (script == null || script.isEmpty()) {
      return Status.UNIMPLEMENTED.withDescription("no script for " + method).asRuntimeException();
    }
    return script.size() > 1 ? script.pollFirst() : script.peekFirst();
  }

  @SuppressWarnings("unchecked")
  private <Req extends Message, Resp> void handle(String method, Req request, StreamObserver<Resp> out) {
    handle(method, request, Context.current().getDeadline(), false, out);
  }

  @SuppressWarnings("unchecked")
  private <Req extends Message, Resp> void handle(String method, Req request, Deadline deadline, boolean pipelined,
      StreamObserver<Resp> out) {
    received.add(new Received(method, request, deadline, pipelined));
    Object reply = next(method);
    if (reply instanceof Function<?, ?> function) {
      reply = ((Function<Req, Object>) function).apply(request);
    }
    if (reply == HOLD) {
      held.add(new Held(request, (StreamObserver<Object>) out));
      return;
    }
    if (reply == HANG) {
      if (!pipelined) {
        Context.current().addListener(context -> hungCallsEnded.release(), MoreExecutors.directExecutor());
      }
      return;
    }
    if (reply instanceof Throwable error) {
      out.onError(error);
      return;
    }
    out.onNext((Resp) reply);
    out.onCompleted();
  }

  private final class Kv extends KVGrpc.KVImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
      handle("Get", request, out);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> out) {
      handle("Put", request, out);
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
      handle("Delete", request, out);
    }

    @Override
    public void batch(BatchRequest request, StreamObserver<BatchResponse> out) {
      handle("Batch", request, out);
    }

    @Override
    public void getMany(GetManyRequest request, StreamObserver<GetManyResponse> out) {
      handle("GetMany", request, out);
    }

    @Override
    public void putMany(PutManyRequest request, StreamObserver<PutManyResponse> out) {
      handle("PutMany", request, out);
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> out) {
      handle("Scan", request, out);
    }

    @Override
    public StreamObserver<PipelineRequest> pipeline(StreamObserver<PipelineResponse> out) {
      if (!pipelining) {
        return super.pipeline(out); // UNIMPLEMENTED, as a router that predates Pipeline
      }
      PipelineStream stream = new PipelineStream(out);
      streams.add(stream);
      return stream;
    }
  }

  /** One Pipeline stream: each op goes to its method's script; its result is written with its id. */
  private final class PipelineStream implements StreamObserver<PipelineRequest> {
    private final StreamObserver<PipelineResponse> out;
    private boolean ended;

    PipelineStream(StreamObserver<PipelineResponse> out) {
      this.out = out;
    }

    @Override
    public void onNext(PipelineRequest request) {
      pipelineMessages.add(request.getOpsCount());
      for (PipelineOp op : request.getOpsList()) {
        Deadline deadline = op.getTimeoutUs() == 0 ? null : Deadline.after(op.getTimeoutUs(), TimeUnit.MICROSECONDS);
        switch (op.getOpCase()) {
          case GET -> handle("Get", op.getGet(), deadline, true, new Answer<GetResponse>(op.getId()));
          case PUT -> handle("Put", op.getPut(), deadline, true, new Answer<PutResponse>(op.getId()));
          case DELETE -> handle("Delete", op.getDelete(), deadline, true, new Answer<DeleteResponse>(op.getId()));
          case OP_NOT_SET -> throw new AssertionError("an op without a request");
        }
      }
    }

    /** Writes one op's result: alone, or with the others being answered together ({@link #answerHeld}). */
    void result(PipelineResult result) {
      Map<PipelineStream, PipelineResponse.Builder> messages = gathering.get();
      if (messages != null) {
        messages.computeIfAbsent(this, s -> PipelineResponse.newBuilder()).addResults(result);
      } else {
        write(PipelineResponse.newBuilder().addResults(result).build());
      }
    }

    synchronized void write(PipelineResponse message) {
      if (!ended) {
        out.onNext(message);
      }
    }

    synchronized void breakOff() {
      if (!ended) {
        ended = true;
        out.onError(Status.UNAVAILABLE.withDescription("connection broken (test)").asRuntimeException());
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        ended = true;
      }
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        if (!ended) {
          ended = true;
          out.onCompleted();
        }
      }
    }

    /** The observer a scripted reply goes to: turns it into the op's result. */
    private final class Answer<Resp> implements StreamObserver<Resp> {
      private final long id;

      Answer(long id) {
        this.id = id;
      }

      @Override
      public void onNext(Resp value) {
        PipelineResult.Builder r = PipelineResult.newBuilder().setId(id);
        if (value instanceof GetResponse get) {
          r.setGet(get);
        } else if (value instanceof PutResponse put) {
          r.setPut(put);
        } else {
          r.setDelete((DeleteResponse) value);
        }
        result(r.build());
      }

      @Override
      public void onError(Throwable t) {
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null) {
          Status plain = Status.fromThrowable(t);
          status = com.google.rpc.Status.newBuilder().setCode(plain.getCode().value())
              .setMessage(plain.getDescription() == null ? "" : plain.getDescription()).build();
        }
        result(PipelineResult.newBuilder().setId(id).setError(status).build());
      }

      @Override
      public void onCompleted() {}
    }
  }

  private final class Cluster extends ClusterGrpc.ClusterImplBase {
    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
      handle("Status", request, out);
    }
  }

  /**
   * A clock that moves only when the client waits: each scheduled delay advances it by that much
   * and runs the task at once. Records the delays, so tests see every backoff without sleeping.
   */
  static final class FakeScheduler implements Scheduler {
    private final AtomicLong nowNanos = new AtomicLong(1_000_000_000L);
    final List<Long> delaysNanos = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
      return nowNanos.get();
    }

    void advance(long nanos) {
      nowNanos.addAndGet(nanos);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
      delaysNanos.add(delayNanos);
      nowNanos.addAndGet(Math.max(0, delayNanos));
      task.run();
    }

    /** Deadlines of pipelined requests: kept, not run (nothing waits for them); see {@link #runTimeouts}. */
    @Override
    public void timeout(Runnable task, long delayNanos) {
      timeouts.add(task);
    }

    final List<Runnable> timeouts = new CopyOnWriteArrayList<>();

    /** Runs the deadline checks scheduled so far (the clock decides which are due). */
    void runTimeouts() {
      List<Runnable> due = List.copyOf(timeouts);
      timeouts.clear();
      due.forEach(Runnable::run);
    }

    @Override
    public void close() {}
  }
}
