package io.orchiddb.client.internal;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.google.common.net.HostAndPort;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * Sends one request at a time to a router, with failover, retries and the session token.
 *
 * <p>The path of a request: {@link #call} starts a {@code Call} with an overall deadline (the
 * request's, bounding every attempt). Each attempt takes the preferred router, stamps the request
 * with the current session token, and sends it with the time left as its deadline: a single-key
 * request as an op of the router's {@link Pipeline} stream (unless pipelining is off, the request
 * is large, or the router has no Pipeline), anything else as a unary call on its channel. Either
 * way the attempt is a future that fails with a gRPC status, so what follows is the same. On success the response's token is merged into the session and the decoded result
 * completes the future. On failure:
 *
 * <ol>
 *   <li>If the router itself is down ({@code UNAVAILABLE} other than {@code NO_QUORUM}), the
 *       preferred router moves to the next endpoint (compare-and-set, so concurrent calls that saw
 *       the same router fail move it once) — for reads and writes alike, since later requests
 *       should not go to it either.
 *   <li>If the failure is retryable for the request's {@link Kind} and attempts remain, the next
 *       attempt runs after a backoff (none when moving to a router this call has not tried yet),
 *       unless that wait would reach the deadline.
 *   <li>Otherwise the future fails with {@link Errors#toException}.
 * </ol>
 *
 * <p>A router that goes silent (a paused process keeps its connections open, so nothing fails)
 * is left by time: a READ attempt gets at most the policy's {@code attemptTimeout}, after which
 * the preferred router moves on and the read is tried again there; and an attempt about to go to
 * a router that has left a request unanswered for that long goes to the next one instead, so
 * writes move on too (a write already sent waits out its deadline: it may have been applied).
 *
 * <p>Retryable: a READ on {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} (a router's own
 * timeout, or the attempt's; a timeout of the whole deadline leaves no time and so ends the call). A WRITE only on
 * {@code UNAVAILABLE} that proves nothing was written: reason {@code NO_QUORUM}, reason
 * {@code LIMIT_EXCEEDED} (a router beyond its connection limit refused the connection; the SDK
 * then drops that connection), or the attempt never got its headers onto a connection
 * ({@link HeadersSent}).
 *
 * <p>Thread-safe. Attempts of one call run one after another (each starts from the previous one's
 * callback or the scheduler), so a call's own fields need no locks.
 */
public final class Transport implements AutoCloseable {
  /** Whether a request may be retried after it reached a router: reads yes, writes no. */
  public enum Kind {
    /** Retried; an attempt waits at most the policy's {@code attemptTimeout} for its router. */
    READ,
    /** A read that may take long (a scan page): retried as a READ, but its attempt is not cut short. */
    LONG_READ,
    /** Retried only when nothing can have been written. */
    WRITE
  }

  /** Largest response accepted. A scan page of big values can exceed gRPC's 4 MiB default. */
  public static final int RESPONSE_BYTES_MAX = 64 << 20;

  /** How long {@link #close()} waits for in-flight requests before cutting them off. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /**
   * A router: its channel, its Pipeline stream (null when pipelining is off), and since when it
   * has left a request unanswered. That is a heuristic, kept cheap for the hot path (a volatile
   * read per request, a write only when it changes): it starts at a request sent while none was
   * outstanding and ends at any answer, so a router that answers anything is not silent, and one
   * that took a request and has said nothing since is silent from that request on.
   */
  private static final class Router {
    private static final long ANSWERED = Long.MIN_VALUE;
    final String endpoint;
    final ManagedChannel channel;
    final Pipeline pipeline;
    private volatile long silentSinceNanos = ANSWERED;

    Router(String endpoint, ManagedChannel channel, Pipeline pipeline) {
      this.endpoint = endpoint;
      this.channel = channel;
      this.pipeline = pipeline;
    }

    void sent(long nowNanos) {
      if (silentSinceNanos == ANSWERED) {
        silentSinceNanos = nowNanos;
      }
    }

    void answered() {
      if (silentSinceNanos != ANSWERED) {
        silentSinceNanos = ANSWERED;
      }
    }

    boolean silentFor(long nowNanos, long nanos) {
      long since = silentSinceNanos;
      return since != ANSWERED && nowNanos - since >= nanos;
    }
  }

  private final List<Router> routers;
  private final AtomicInteger preferred = new AtomicInteger();
  private final RetryPolicy policy;
  private final long attemptTimeoutNanos;
  private final Scheduler scheduler;
  private final DoubleSupplier jitter;
  private final Session session = new Session();
  private final Set<Call<?, ?, ?>> backingOff = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param endpoints validated "host:port" strings, in order of preference
   * @param channelFactory makes the channel of an endpoint; the transport owns and closes it
   * @param jitter uniform in [0, 1], spreads backoffs of clients that failed together
   * @param pipeline whether single-key requests go as ops of one stream per router ({@link Pipeline})
   */
  public Transport(
      List<String> endpoints,
      Function<String, ManagedChannel> channelFactory,
      RetryPolicy policy,
      Scheduler scheduler,
      DoubleSupplier jitter,
      boolean pipeline) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is required");
    }
    List<Router> made = new ArrayList<>(endpoints.size());
    for (String endpoint : endpoints) {
      ManagedChannel channel = channelFactory.apply(endpoint);
      made.add(new Router(endpoint, channel, pipeline ? new Pipeline(channel, scheduler) : null));
    }
    this.routers = List.copyOf(made);
    this.policy = policy;
    this.attemptTimeoutNanos = policy.attemptTimeout().toNanos();
    this.scheduler = scheduler;
    this.jitter = jitter;
  }

  /** The production channel: plaintext HTTP/2 (grpc-netty-shaded) to a validated host:port. */
  public static ManagedChannel plaintextChannel(String endpoint) {
    HostAndPort address = HostAndPort.fromString(endpoint);
    return Grpc.newChannelBuilderForAddress(
            address.getHost(), address.getPort(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(RESPONSE_BYTES_MAX)
        // Responses are decoded and futures completed on the I/O thread itself: a hand-off to
        // gRPC's default cached pool per response cost about a quarter of the load generator's
        // CPU in thread park/unpark (BENCHMARKS.md, "Optimisations"). Hence the rule that
        // callbacks must not block, which OrchidClient's blocking methods enforce.
        .directExecutor()
        .build();
  }

  /**
   * Whether the current thread is one of gRPC's I/O threads (Netty event loops), where a blocking
   * wait for a response could wait for itself.
   */
  public static boolean onIoThread() {
    return IO_THREAD.get(Thread.currentThread().getClass());
  }

  /**
   * Netty's event loops run on its {@code FastThreadLocalThread}s (shaded or not). Matched by
   * name, as the transport is only a runtime dependency; the answer is cached per thread class.
   */
  private static final ClassValue<Boolean> IO_THREAD = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        if (c.getName().endsWith(".netty.util.concurrent.FastThreadLocalThread")) {
          return true;
        }
      }
      return false;
    }
  };

  /**
   * Sends a request; the future completes with the decoded response, or with the {@link
   * io.orchiddb.client.OrchidException} of the last attempt, never wrapped. Cancelling the future
   * cancels the attempt in flight and any retry.
   *
   * @param request builds the request from the session token current at each attempt
   * @param sessionOf the response's session token (may be null for responses that carry none)
   * @param decode maps the response to the caller's type; may throw an OrchidException
   * @throws IllegalStateException if closed
   */
  public <Req, Resp, T> CompletableFuture<T> call(
      MethodDescriptor<Req, Resp> method,
      Kind kind,
      Duration deadline,
      Function<SessionToken, Req> request,
      Function<Resp, SessionToken> sessionOf,
      Function<Resp, T> decode) {
    return call(method, kind, deadline, policy.maxAttempts(), request, sessionOf, decode);
  }

  /**
   * As {@link #call(MethodDescriptor, Kind, Duration, Function, Function, Function)}, but sent
   * once: a failure ends the call at once (a router that is down is still left for the next
   * endpoint). For a request whose parts retry on their own when it fails.
   */
  public <Req, Resp, T> CompletableFuture<T> callOnce(
      MethodDescriptor<Req, Resp> method,
      Kind kind,
      Duration deadline,
      Function<SessionToken, Req> request,
      Function<Resp, SessionToken> sessionOf,
      Function<Resp, T> decode) {
    return call(method, kind, deadline, 1, request, sessionOf, decode);
  }

  /**
   * The exception for one part of a request that answers per part (a put of a PutMany) that
   * failed with {@code status}: what a request of its own would have ended with, had it failed so.
   *
   * @param what names the part for the message, e.g. "orchiddb.v1.KV/PutMany (put 3 of 40)"
   */
  public OrchidException partFailure(com.google.rpc.Status status, Kind kind, String what) {
    return Errors.toException(
        Failure.of(StatusProto.toStatusRuntimeException(status), true, preferredEndpoint()), kind, what);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The clock deadlines are measured on. */
  public long nanoTime() {
    return scheduler.nanoTime();
  }

  private <Req, Resp, T> CompletableFuture<T> call(
      MethodDescriptor<Req, Resp> method,
      Kind kind,
      Duration deadline,
      int maxAttempts,
      Function<SessionToken, Req> request,
      Function<Resp, SessionToken> sessionOf,
      Function<Resp, T> decode) {
    if (closed.get()) {
      throw new IllegalStateException("the OrchidClient is closed");
    }
    Call<Req, Resp, T> call = new Call<>(
        method, kind, scheduler.nanoTime() + deadline.toNanos(), maxAttempts, request, sessionOf, decode);
    call.attempt();
    return call.result;
  }

  /**
   * Moves the preferred router from {@code index} to the next endpoint, if there is another
   * (compare-and-set, so calls that found the same router wanting move it once).
   */
  private void leave(int index) {
    if (routers.size() > 1) {
      preferred.compareAndSet(index, (index + 1) % routers.size());
    }
  }

  /** The merged session token sent with the next request. */
  public SessionToken sessionToken() {
    return session.current();
  }

  /** The endpoint the next request goes to first. */
  public String preferredEndpoint() {
    return routers.get(preferred.get()).endpoint;
  }

  /**
   * Fails requests waiting for a retry (with their last failure), lets requests in flight finish
   * for up to {@link #CLOSE_WAIT}, then shuts every channel down. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Call<?, ?, ?> call : backingOff) {
      call.finish();
    }
    scheduler.close();
    routers.forEach(router -> {
      if (router.pipeline != null) {
        router.pipeline.close();
      }
      router.channel.shutdown();
    });
    // The scheduler's clock still reads after close(): only its tasks stop.
    long waitUntilNanos = scheduler.nanoTime() + CLOSE_WAIT.toNanos();
    try {
      for (Router router : routers) {
        router.channel.awaitTermination(waitUntilNanos - scheduler.nanoTime(), NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      routers.forEach(router -> router.channel.shutdownNow());
    }
  }

  private final class Call<Req, Resp, T> {
    final MethodDescriptor<Req, Resp> method;
    final Kind kind;
    final long deadlineNanos;
    final int maxAttempts;
    final Function<SessionToken, Req> request;
    final Function<Resp, SessionToken> sessionOf;
    final Function<Resp, T> decode;
    final CompletableFuture<T> result = new CompletableFuture<>();
    final boolean[] tried = new boolean[routers.size()];
    int attempts;
    int backoffs;
    Failure last;
    volatile ListenableFuture<Resp> inFlight;

    Call(
        MethodDescriptor<Req, Resp> method,
        Kind kind,
        long deadlineNanos,
        int maxAttempts,
        Function<SessionToken, Req> request,
        Function<Resp, SessionToken> sessionOf,
        Function<Resp, T> decode) {
      this.method = method;
      this.kind = kind;
      this.deadlineNanos = deadlineNanos;
      this.maxAttempts = maxAttempts;
      this.request = request;
      this.sessionOf = sessionOf;
      this.decode = decode;
      result.whenComplete((value, error) -> {
        ListenableFuture<Resp> attempt = inFlight;
        if (result.isCancelled() && attempt != null) {
          attempt.cancel(true);
        }
      });
    }

    void attempt() {
      backingOff.remove(this);
      if (result.isDone()) {
        return; // cancelled by the caller, or failed by close()
      }
      long now = scheduler.nanoTime();
      int was = preferred.get();
      if (routers.get(was).silentFor(now, attemptTimeoutNanos)) {
        leave(was); // it has left a request unanswered for the attempt timeout: start this one elsewhere
      }
      int index = preferred.get();
      Router router = routers.get(index);
      long remainingNanos = deadlineNanos - now;
      if (closed.get() || remainingNanos <= 0) {
        if (last == null) {
          last = closed.get()
              ? Failure.local(Status.Code.UNAVAILABLE, "the OrchidClient is closed", router.endpoint)
              : Failure.local(Status.Code.DEADLINE_EXCEEDED,
                  "the deadline passed before the request was sent", router.endpoint);
        }
        finish();
        return;
      }
      tried[index] = true;
      attempts++;
      // A read waits at most the attempt timeout for one router, then tries the next.
      long attemptDeadline = kind == Kind.READ && attemptTimeoutNanos < remainingNanos
          ? now + attemptTimeoutNanos : deadlineNanos;
      Req req = request.apply(session.current());
      router.sent(now);
      Pipeline.Op<Resp> op = router.pipeline != null && router.pipeline.usable()
          ? router.pipeline.send(req, attemptDeadline) : null;
      BooleanSupplier sent;
      ListenableFuture<Resp> response;
      try {
        if (op != null) {
          response = op;
          sent = op::sent;
        } else {
          HeadersSent headers = new HeadersSent();
          CallOptions options = CallOptions.DEFAULT
              .withDeadlineAfter(attemptDeadline - now, NANOSECONDS)
              .withStreamTracerFactory(headers);
          response = ClientCalls.futureUnaryCall(router.channel.newCall(method, options), req);
          sent = headers::sent;
        }
      } catch (RuntimeException e) {
        // Cannot happen with gRPC's channels (they report failures through the call); if it
        // does, fail this call rather than leave its future pending.
        result.completeExceptionally(e);
        return;
      }
      inFlight = response;
      if (result.isCancelled()) {
        response.cancel(true); // cancelled between the check above and publishing inFlight
      }
      Futures.addCallback(response, new FutureCallback<>() {
        @Override
        public void onSuccess(Resp value) {
          router.answered();
          succeeded(value);
        }

        @Override
        public void onFailure(Throwable t) {
          Failure failure = Failure.of(t, sent.getAsBoolean(), router.endpoint);
          boolean unanswered = failure.code() == Status.Code.DEADLINE_EXCEEDED
              && scheduler.nanoTime() - attemptDeadline >= 0;
          if (!unanswered && failure.code() != Status.Code.CANCELLED) {
            router.answered();
          }
          if (op != null && failure.code() == Status.Code.UNIMPLEMENTED && !router.pipeline.usable()) {
            attempts--; // a router without Pipeline: the same request again, as its unary call
            attempt();
            return;
          }
          failed(failure, index, unanswered);
        }
      }, MoreExecutors.directExecutor());
    }

    void succeeded(Resp value) {
      session.merge(sessionOf.apply(value));
      try {
        result.complete(decode.apply(value));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    /** @param unanswered the attempt's deadline passed without any answer from its router */
    void failed(Failure failure, int index, boolean unanswered) {
      if (result.isDone()) {
        return;
      }
      last = failure;
      if (failure.connectionRefused()) {
        // Over the router's grpc-connections-max: this connection stays refused, so drop it; the
        // next call to this router opens a new one, which counts afresh.
        routers.get(index).channel.enterIdle();
      }
      if (failure.routerDown() || unanswered) {
        leave(index);
      }
      if (!retryable(failure) || attempts >= maxAttempts) {
        finish();
        return;
      }
      int next = preferred.get();
      long delayNanos = next != index && !tried[next] ? 0 : backoffNanos(++backoffs);
      if (delayNanos >= deadlineNanos - scheduler.nanoTime()) {
        finish(); // waiting would reach the deadline: report what we have now
        return;
      }
      backingOff.add(this);
      try {
        scheduler.schedule(this::attempt, delayNanos);
      } catch (RejectedExecutionException e) {
        finish(); // closed meanwhile
      }
    }

    boolean retryable(Failure f) {
      return switch (kind) {
        case READ, LONG_READ -> f.code() == Status.Code.UNAVAILABLE || f.code() == Status.Code.DEADLINE_EXCEEDED;
        case WRITE -> f.code() == Status.Code.UNAVAILABLE && Errors.nothingWritten(f);
      };
    }

    long backoffNanos(int retry) {
      long max = policy.maxBackoff().toNanos();
      long base = policy.initialBackoff().toNanos();
      for (int i = 1; i < retry && base < max; i++) {
        base = Math.min(max, base * 2); // base <= max <= an hour: no overflow
      }
      double spread = Math.min(1, Math.max(0, jitter.getAsDouble()));
      return (long) (base * (0.5 + 0.5 * spread));
    }

    void finish() {
      backingOff.remove(this);
      String what = method.getFullMethodName() + " (attempt " + attempts + " of " + maxAttempts + ")";
      result.completeExceptionally(Errors.toException(last, kind, what));
    }
  }
}
