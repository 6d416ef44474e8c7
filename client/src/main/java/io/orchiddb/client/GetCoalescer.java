package io.orchiddb.client;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.client.internal.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends concurrent gets together. Per consistency level, while {@link #IN_FLIGHT_MAX} requests
 * are outstanding, new gets wait, and the next request takes all that have gathered (up to {@link
 * #KEYS_MAX}) as one {@code GetMany}. A get that finds no company goes alone as a plain {@code
 * Get}, so a client making one request at a time sees no difference. Each gRPC call costs the
 * client and the router far more than one key inside it (BENCHMARKS.md), which the router's own
 * coalescing towards the replicas cannot save.
 *
 * <p>A {@code GetMany} is sent once, with the earliest deadline of its gets. If it fails for any
 * reason (a router down, a shard without quorum, one key over a limit, a deadline), each of its
 * gets is sent again on its own as a plain {@code Get} with its own deadline and retries, so a get
 * ends exactly as it would have without coalescing, and one get's trouble is never another's.
 *
 * <p>Thread-safe: a lane's queue and count are guarded by the lane; requests are sent and answered
 * outside the lock, on whichever thread completed the previous one.
 */
final class GetCoalescer {
  /**
   * Requests outstanding per consistency level before new gets wait for company. Measured on one
   * shard against 1, 2, 4, 8 and 16 (BENCHMARKS.md): with 1 or 2, gets at concurrency 16 waited
   * for each other's round trips and ran slower than with no coalescing at all; 8 was about as
   * fast as none at 16, and ahead at 64 and 256.
   */
  static final int IN_FLIGHT_MAX = 8;
  /** Most keys in one request; within the router's batch-ops-max default (1024). */
  static final int KEYS_MAX = 256;

  private final Transport transport;
  /**
   * Most keys this client now puts in one request: {@link #KEYS_MAX}, until a router refuses a
   * request for its batch-ops-max (set below it); then half the refused request's size, again
   * after each refusal, until one fits. Refused gets still end as they would alone (they are sent
   * again alone), so a lower limit costs only the requests it takes to find it.
   */
  private volatile int keysMax = KEYS_MAX;
  private final Map<Consistency, Lane> lanes = new EnumMap<>(Consistency.class);

  GetCoalescer(Transport transport) {
    this.transport = transport;
    for (Consistency level : Consistency.values()) {
      lanes.put(level, new Lane(level));
    }
  }

  /** Reads {@code key}; completes as {@link OrchidClient#getAsync(byte[], ReadOptions)} does. */
  CompletableFuture<GetResult> get(ByteString key, Consistency consistency, Duration deadline) {
    if (transport.isClosed()) {
      throw new IllegalStateException("the OrchidClient is closed");
    }
    Pending p = new Pending(key, transport.nanoTime() + deadline.toNanos(), Context.current(),
        new CompletableFuture<>());
    lanes.get(consistency).enqueue(p);
    return p.result;
  }

  /**
   * One get as its own {@code Get} request, with the client's retries: what {@link
   * OrchidClient#getAsync} sends without coalescing, and what a coalesced get falls back to.
   *
   * @throws IllegalStateException the client is closed
   */
  static CompletableFuture<GetResult> plainGet(Transport transport, ByteString key, Consistency level, Duration deadline) {
    GetRequest request = Codec.getRequest(key, level);
    return transport.call(KVGrpc.getGetMethod(), Transport.Kind.READ, deadline,
        session -> request.toBuilder().setSession(session).build(), GetResponse::getSession, Codec::getResult);
  }

  /** Whether a router refused a request for holding more keys than its batch-ops-max. */
  private static boolean tooManyKeys(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof InvalidArgumentException refused
        && refused.limit().filter("batch-ops-max"::equals).isPresent();
  }

  private static UnavailableException closed(IllegalStateException e) {
    return new UnavailableException("the OrchidClient was closed while this get waited to be sent; it was not sent",
        "", Map.of(), e);
  }

  /**
   * A waiting get, with the gRPC context of the caller that made it. Requests are often sent from
   * the callback of another caller's request, which runs in that caller's context; a call started
   * there is cancelled when that context is (say the application's own incoming call ends). So a
   * get sent alone goes in its own caller's context, and a shared request in the root context.
   */
  private record Pending(ByteString key, long deadlineNanos, Context context, CompletableFuture<GetResult> result) {}

  private final class Lane {
    private final Consistency level;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    Lane(Consistency level) {
      this.level = level;
    }

    void enqueue(Pending p) {
      synchronized (this) {
        waiting.add(p);
      }
      pump();
    }

    private void pump() {
      while (true) {
        List<Pending> batch;
        synchronized (this) {
          if (inFlight >= IN_FLIGHT_MAX || waiting.isEmpty()) {
            return;
          }
          int n = Math.min(waiting.size(), keysMax);
          batch = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            batch.add(waiting.poll());
          }
          inFlight++;
        }
        if (batch.size() == 1) {
          alone(batch.get(0)).whenComplete((r, failure) -> release());
        } else {
          together(batch);
        }
      }
    }

    /** A request of this lane has finished: the next one may go. */
    private void release() {
      synchronized (this) {
        inFlight--;
      }
      pump();
    }

    /** One get as a plain Get, with its own deadline and the client's retries. */
    private CompletableFuture<GetResult> alone(Pending p) {
      Duration left = Duration.ofNanos(Math.max(0, p.deadlineNanos - transport.nanoTime()));
      CompletableFuture<GetResult> call;
      Context previous = p.context.attach();
      try {
        call = plainGet(transport, p.key, level, left);
      } catch (IllegalStateException e) { // closed while the get waited
        call = CompletableFuture.failedFuture(closed(e));
      } finally {
        p.context.detach(previous);
      }
      CompletableFuture<GetResult> forwarded = call;
      forwarded.whenComplete((value, failure) -> {
        if (failure == null) {
          p.result.complete(value);
        } else {
          p.result.completeExceptionally(failure);
        }
      });
      p.result.whenComplete((value, failure) -> {
        if (p.result.isCancelled()) {
          forwarded.cancel(true);
        }
      });
      return call;
    }

    /**
     * Many gets as one GetMany, sent once; if it fails, each is sent again alone. When it ends,
     * the next request goes out before these gets are answered, so the router is not left idle
     * while their callers run.
     */
    private void together(List<Pending> batch) {
      long now = transport.nanoTime();
      long earliest = Long.MAX_VALUE;
      GetManyRequest.Builder request = GetManyRequest.newBuilder().setConsistency(Codec.consistency(level));
      for (Pending p : batch) {
        earliest = Math.min(earliest, p.deadlineNanos);
        request.addKeys(p.key);
      }
      if (earliest <= now) {
        // A get's deadline passed while it waited: each ends (or goes) on its own.
        release();
        batch.forEach(this::alone);
        return;
      }
      GetManyRequest keys = request.build();
      CompletableFuture<GetManyResponse> call;
      Context previous = Context.ROOT.attach();
      try {
        call = transport.callOnce(KVGrpc.getGetManyMethod(), Transport.Kind.READ, Duration.ofNanos(earliest - now),
            session -> keys.toBuilder().setSession(session).build(), GetManyResponse::getSession, r -> r);
      } catch (IllegalStateException e) { // closed while the gets waited; each fails alone
        call = CompletableFuture.failedFuture(e);
      } finally {
        Context.ROOT.detach(previous);
      }
      call.whenComplete((response, failure) -> {
        if (failure != null && tooManyKeys(failure)) {
          keysMax = Math.max(1, Math.min(keysMax, batch.size() / 2));
        }
        release();
        if (failure != null || response.getResultsCount() != batch.size()) {
          batch.forEach(this::alone);
          return;
        }
        for (int i = 0; i < batch.size(); i++) {
          Pending p = batch.get(i);
          try {
            p.result.complete(Codec.getResult(response.getResults(i)));
          } catch (RuntimeException e) {
            p.result.completeExceptionally(e);
          }
        }
      });
    }
  }
}
