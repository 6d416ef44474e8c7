package io.orchiddb.router.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
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
import io.orchiddb.api.v1.PipelineRequest;
import io.orchiddb.api.v1.PipelineResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.StatusRequest;
import io.orchiddb.api.v1.StatusResponse;
import io.orchiddb.router.shard.KvRouter;
import io.orchiddb.router.shard.RouterException;
import io.orchiddb.router.shard.StatusCollector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The public gRPC API: a thin layer that hands each call to {@link KvRouter} with the caller's
 * deadline and turns failures into gRPC statuses ({@link GrpcErrors}). No logic of its own.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private final KvRouter router;

  public KvService(KvRouter router) {
    this.router = router;
  }

  @Override
  public StreamObserver<PipelineRequest> pipeline(StreamObserver<PipelineResponse> out) {
    return new PipelineCall(router, out);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> out) {
    reply(out, () -> router.get(request, timeout()));
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> out) {
    reply(out, () -> router.put(request, timeout()));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
    reply(out, () -> router.delete(request, timeout()));
  }

  @Override
  public void batch(BatchRequest request, StreamObserver<BatchResponse> out) {
    reply(out, () -> router.batch(request, timeout()));
  }

  @Override
  public void getMany(GetManyRequest request, StreamObserver<GetManyResponse> out) {
    reply(out, () -> router.getMany(request, timeout()));
  }

  @Override
  public void putMany(PutManyRequest request, StreamObserver<PutManyResponse> out) {
    reply(out, () -> router.putMany(request, timeout()));
  }

  @Override
  public void scan(ScanRequest request, StreamObserver<ScanResponse> out) {
    reply(out, () -> router.scan(request, timeout()));
  }

  /** The caller's remaining deadline, or null when it set none. */
  static Duration timeout() {
    Deadline d = Context.current().getDeadline();
    return d == null ? null : Duration.ofNanos(Math.max(1, d.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  static <T> void reply(StreamObserver<T> out, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    future.whenComplete((value, failure) -> {
      if (failure == null) {
        out.onNext(value);
        out.onCompleted();
        return;
      }
      out.onError(GrpcErrors.toStatus(RouterException.of(failure)));
    });
  }

  /** The Cluster service. */
  public static final class Cluster extends ClusterGrpc.ClusterImplBase {
    private final StatusCollector status;

    public Cluster(StatusCollector status) {
      this.status = status;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
      Duration t = timeout();
      reply(out, () -> status.status(t == null || t.toSeconds() > 5 ? Duration.ofSeconds(2) : t));
    }
  }
}
