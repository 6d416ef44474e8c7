package io.orchiddb.client;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.ClusterGrpc;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.StatusRequest;
import io.orchiddb.api.v1.StatusResponse;
import io.orchiddb.client.internal.Scheduler;
import io.orchiddb.client.internal.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The OrchidDB client: reads, writes, batches and scans keys through one or more routers.
 *
 * <pre>{@code
 * try (OrchidClient client = OrchidClient.builder()
 *     .endpoints("router-1:4207", "router-2:4207")
 *     .build()) {
 *   PutResult put = client.put("greeting", "hello");
 *   client.put(key, newValue, Condition.versionEquals(put.version()));
 * }
 * }</pre>
 *
 * <p><b>One client per application.</b> It is thread-safe and holds one gRPC channel per router;
 * share it, and {@link #close()} it on shutdown.
 *
 * <p><b>Routers and failover.</b> Requests go to the first endpoint until it is unreachable (or
 * answers {@code UNAVAILABLE}); then the client moves to the next one, for this request's retry and
 * for later requests.
 *
 * <p><b>Deadlines and retries.</b> Each request has one overall deadline (its options', else the
 * builder's default) that bounds every retry and failover. Reads are retried on
 * {@code UNAVAILABLE} and on a router's timeout; writes only when nothing can have been written
 * (see {@link RetryPolicy}). A write that may have been applied is never retried and never reported
 * as failed: it throws {@link OutcomeUnknownException}.
 *
 * <p><b>Session consistency.</b> The client keeps a session token, the newest log index it has
 * seen per shard, merged from every response (its own writes included) and sent with every
 * request. A {@link Consistency#SESSION} read is therefore never older than this client's own
 * earlier writes and reads, even when served by a follower.
 *
 * <p><b>Sync and async.</b> Each operation has a blocking form, which throws the {@link
 * OrchidException} subclasses documented there, and an {@code ...Async} form returning a {@link
 * CompletableFuture} that completes exceptionally with the same exception, unwrapped. As usual for
 * {@code CompletableFuture}, {@link CompletableFuture#get()} reports it as the cause of an {@link
 * ExecutionException}, {@link CompletableFuture#join()} as the cause of a {@link
 * java.util.concurrent.CompletionException}, and dependent stages see it wrapped in a {@code
 * CompletionException}. Futures complete on gRPC's I/O threads: do not block in callbacks (use the
 * {@code ...Async} stage methods with your own executor); a blocking call made on such a thread
 * fails with {@link IllegalStateException} instead of waiting for itself. Cancelling a write's future, or
 * interrupting a blocking write, leaves its outcome unknown.
 *
 * <p><b>Keys and values</b> are bytes; {@link #get(String)}, {@link #put(String, String)}, {@link
 * #delete(String)}, {@link ScanSpec#prefix(String)} and {@link KeyValue#valueUtf8()} are UTF-8
 * conveniences. Limits (key, value, batch and page sizes) are enforced by the router, which
 * answers {@link InvalidArgumentException} with the limit's name.
 */
public final class OrchidClient implements AutoCloseable {
  /** The longest deadline a request may have. */
  public static final Duration DEADLINE_MAX = Duration.ofHours(1);
  /** The default deadline of every request unless the builder or the options say otherwise. */
  public static final Duration DEADLINE_DEFAULT = Duration.ofSeconds(10);
  /** The most router endpoints a client takes. */
  public static final int ENDPOINTS_MAX = 64;

  private final Transport transport;
  /** Null when the builder turned coalescing off. */
  private final GetCoalescer gets;
  private final Consistency defaultConsistency;
  private final Duration defaultDeadline;
  private final List<String> endpoints;

  private OrchidClient(Builder builder, Transport transport) {
    this.transport = transport;
    // On the pipeline a get is an op among others, which costs less than waiting to share a GetMany.
    this.gets = builder.coalesceGets && !builder.pipeline ? new GetCoalescer(transport) : null;
    this.defaultConsistency = builder.defaultConsistency;
    this.defaultDeadline = builder.defaultDeadline;
    this.endpoints = List.copyOf(builder.endpoints);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- get ----

  /**
   * Reads one key with the default consistency and deadline.
   *
   * @throws InvalidArgumentException the key is empty or too long
   * @throws UnavailableException no router or no quorum within the deadline
   * @throws DeadlineExceededException the deadline passed
   */
  public GetResult get(byte[] key) {
    return get(key, ReadOptions.defaults());
  }

  /** Reads one key; see {@link #get(byte[])}. */
  public GetResult get(byte[] key, ReadOptions options) {
    return await(() -> getAsync(key, options), Transport.Kind.READ);
  }

  /** Reads the key with these UTF-8 bytes; see {@link #get(byte[])}. */
  public GetResult get(String key) {
    return get(utf8(key, "key"));
  }

  public CompletableFuture<GetResult> getAsync(byte[] key) {
    return getAsync(key, ReadOptions.defaults());
  }

  /**
   * Reads one key; see {@link #get(byte[])}. Gets made while others are in flight leave
   * together: as ops of one pipeline message (see {@link Builder#pipeline(boolean)}), or, without
   * the pipeline, as one request (see {@link Builder#coalesceGets(boolean)}); each still completes
   * with its own result or exception.
   */
  public CompletableFuture<GetResult> getAsync(byte[] key, ReadOptions options) {
    ByteString k = bytes(key, "key");
    Consistency level = consistency(options);
    Duration deadline = deadline(options);
    return gets != null ? gets.get(k, level, deadline) : GetCoalescer.plainGet(transport, k, level, deadline);
  }

  // ---- get many ----

  /**
   * Reads many keys in one request, each as {@link #get(byte[])} reads it: the keys may be on any
   * shards and each is read on its own (no snapshot across keys). A key may be listed twice.
   *
   * @return one result per key, in the order of {@code keys}; empty for no keys
   * @throws InvalidArgumentException a key is empty or too long, more keys than {@code
   *     batch-ops-max}, or the found values together over {@code get-many-bytes-max}
   * @throws UnavailableException a key's shard had no quorum, or no router, within the deadline
   * @throws DeadlineExceededException the deadline passed
   */
  public List<GetResult> getMany(List<byte[]> keys) {
    return getMany(keys, ReadOptions.defaults());
  }

  /** Reads many keys; see {@link #getMany(List)}. */
  public List<GetResult> getMany(List<byte[]> keys, ReadOptions options) {
    return await(() -> getManyAsync(keys, options), Transport.Kind.READ);
  }

  public CompletableFuture<List<GetResult>> getManyAsync(List<byte[]> keys) {
    return getManyAsync(keys, ReadOptions.defaults());
  }

  public CompletableFuture<List<GetResult>> getManyAsync(List<byte[]> keys, ReadOptions options) {
    Objects.requireNonNull(keys, "keys");
    GetManyRequest.Builder b = GetManyRequest.newBuilder().setConsistency(Codec.consistency(consistency(options)));
    keys.forEach(key -> b.addKeys(bytes(key, "key")));
    Duration deadline = deadline(options);
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    GetManyRequest request = b.build();
    return transport.call(KVGrpc.getGetManyMethod(), Transport.Kind.READ, deadline,
        session -> request.toBuilder().setSession(session).build(),
        GetManyResponse::getSession, response -> Codec.getResults(response, request.getKeysCount()));
  }

  // ---- put ----

  /**
   * Writes one key unconditionally with the default deadline.
   *
   * @throws InvalidArgumentException the key or value is too large, or the key empty
   * @throws UnavailableException no quorum or no router within the deadline; nothing was written
   * @throws OutcomeUnknownException the write may or may not have been applied
   */
  public PutResult put(byte[] key, byte[] value) {
    return put(key, value, Condition.always(), WriteOptions.defaults());
  }

  /**
   * Writes one key if the condition holds; see {@link #put(byte[], byte[])}.
   *
   * @throws ConditionFailedException the condition did not hold (nothing was written); {@link
   *     ConditionFailedException#currentVersion()} is the key's version now
   */
  public PutResult put(byte[] key, byte[] value, Condition condition) {
    return put(key, value, condition, WriteOptions.defaults());
  }

  /** Writes one key if the condition holds; see {@link #put(byte[], byte[], Condition)}. */
  public PutResult put(byte[] key, byte[] value, Condition condition, WriteOptions options) {
    return await(() -> putAsync(key, value, condition, options), Transport.Kind.WRITE);
  }

  /** Writes the UTF-8 bytes of {@code value} under those of {@code key}; see {@link #put(byte[], byte[])}. */
  public PutResult put(String key, String value) {
    return put(utf8(key, "key"), utf8(value, "value"));
  }

  public CompletableFuture<PutResult> putAsync(byte[] key, byte[] value) {
    return putAsync(key, value, Condition.always(), WriteOptions.defaults());
  }

  public CompletableFuture<PutResult> putAsync(
      byte[] key, byte[] value, Condition condition, WriteOptions options) {
    var request = Codec.putRequest(
        bytes(key, "key"), bytes(value, "value"), Objects.requireNonNull(condition, "condition"));
    return transport.call(KVGrpc.getPutMethod(), Transport.Kind.WRITE, deadline(options),
        session -> request.toBuilder().setSession(session).build(),
        PutResponse::getSession, Codec::putResult);
  }

  // ---- put many ----

  /**
   * Writes many keys in one request, each as {@link #put(byte[], byte[], Condition)} writes it:
   * independently, not atomically ({@link #batch} is atomic per shard), each with its own outcome.
   * Puts to one shard share its Raft entries, so for bulk loads this is far cheaper than one
   * request per put. A put that failed without being written ({@link UnavailableException}: its
   * shard had no quorum) is not retried here; send it again if you want it.
   *
   * @param puts {@link BatchOp#put} operations only, at most {@code batch-ops-max} (1024)
   * @return one outcome per put, in the order of {@code puts}; empty for no puts
   * @throws IllegalArgumentException an operation is a delete (use {@link #batch})
   * @throws InvalidArgumentException the request as a whole is over a limit ({@code
   *     batch-ops-max}, {@code request-bytes-max}); nothing was written
   * @throws UnavailableException no router within the deadline; nothing was written
   * @throws OutcomeUnknownException any of the puts may or may not have been applied
   */
  public List<PutOutcome> putMany(List<BatchOp> puts) {
    return putMany(puts, WriteOptions.defaults());
  }

  /** Writes many keys; see {@link #putMany(List)}. */
  public List<PutOutcome> putMany(List<BatchOp> puts, WriteOptions options) {
    return await(() -> putManyAsync(puts, options), Transport.Kind.WRITE);
  }

  public CompletableFuture<List<PutOutcome>> putManyAsync(List<BatchOp> puts) {
    return putManyAsync(puts, WriteOptions.defaults());
  }

  public CompletableFuture<List<PutOutcome>> putManyAsync(List<BatchOp> puts, WriteOptions options) {
    Objects.requireNonNull(puts, "puts");
    PutManyRequest.Builder b = PutManyRequest.newBuilder();
    for (int i = 0; i < puts.size(); i++) {
      BatchOp op = Objects.requireNonNull(puts.get(i), "puts[" + i + "]");
      if (op.type() != BatchOp.Type.PUT) {
        throw new IllegalArgumentException("puts[" + i + "] is a " + op.type() + "; putMany takes puts only (batch takes both)");
      }
      b.addPuts(Codec.putRequest(op.keyBytes(), op.valueBytes(), op.condition()));
    }
    Duration deadline = deadline(options);
    if (puts.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    PutManyRequest request = b.build();
    return transport.call(KVGrpc.getPutManyMethod(), Transport.Kind.WRITE, deadline,
        session -> request.toBuilder().setSession(session).build(), PutManyResponse::getSession,
        response -> putOutcomes(response, request.getPutsCount()));
  }

  private List<PutOutcome> putOutcomes(PutManyResponse response, int count) {
    String method = KVGrpc.getPutManyMethod().getFullMethodName();
    if (response.getResultsCount() != count) {
      throw new OutcomeUnknownException("write outcome unknown, it may or may not have been applied: " + method
          + " of " + count + " puts was answered with " + response.getResultsCount() + " results", "", Map.of(), null);
    }
    List<PutOutcome> outcomes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      PutManyResult r = response.getResults(i);
      // An error, or (from a broken router) neither: a status of code OK, which reads as "outcome unknown".
      outcomes.add(r.hasPut() ? new PutOutcome(Codec.putResult(r.getPut()), null) : new PutOutcome(null,
          transport.partFailure(r.getError(), Transport.Kind.WRITE, method + " (put " + (i + 1) + " of " + count + ")")));
    }
    return List.copyOf(outcomes);
  }

  // ---- delete ----

  /**
   * Removes one key unconditionally; removing an absent key succeeds with {@code deleted == false}.
   * Throws as {@link #put(byte[], byte[])}.
   */
  public DeleteResult delete(byte[] key) {
    return delete(key, Condition.always(), WriteOptions.defaults());
  }

  /**
   * Removes one key if the condition holds; see {@link #delete(byte[])}.
   *
   * @throws ConditionFailedException the condition did not hold (nothing was removed)
   */
  public DeleteResult delete(byte[] key, Condition condition) {
    return delete(key, condition, WriteOptions.defaults());
  }

  /** Removes one key if the condition holds; see {@link #delete(byte[], Condition)}. */
  public DeleteResult delete(byte[] key, Condition condition, WriteOptions options) {
    return await(() -> deleteAsync(key, condition, options), Transport.Kind.WRITE);
  }

  /** Removes the key with these UTF-8 bytes; see {@link #delete(byte[])}. */
  public DeleteResult delete(String key) {
    return delete(utf8(key, "key"));
  }

  public CompletableFuture<DeleteResult> deleteAsync(byte[] key) {
    return deleteAsync(key, Condition.always(), WriteOptions.defaults());
  }

  public CompletableFuture<DeleteResult> deleteAsync(byte[] key, Condition condition, WriteOptions options) {
    var request = Codec.deleteRequest(bytes(key, "key"), Objects.requireNonNull(condition, "condition"));
    return transport.call(KVGrpc.getDeleteMethod(), Transport.Kind.WRITE, deadline(options),
        session -> request.toBuilder().setSession(session).build(),
        DeleteResponse::getSession, Codec::deleteResult);
  }

  // ---- batch ----

  /**
   * Applies many operations in one request. Operations on keys of the same shard commit atomically
   * (all or none); operations on different shards commit independently. A failed condition is not
   * an exception: it is that operation's {@link BatchResult.Outcome#CONDITION_FAILED}, and the other
   * operations on its shard are {@link BatchResult.Outcome#ABORTED}. An operation whose shard did
   * not confirm in time is {@link BatchResult.Outcome#UNKNOWN} while the others report theirs.
   *
   * @return one result per operation, in the order of {@code ops}
   * @throws InvalidArgumentException e.g. too many operations (limit {@code batch-ops-max})
   * @throws UnavailableException nothing was written
   * @throws OutcomeUnknownException any of the operations may or may not have been applied
   */
  public List<BatchResult> batch(List<BatchOp> ops) {
    return batch(ops, WriteOptions.defaults());
  }

  /** See {@link #batch(List)}. */
  public List<BatchResult> batch(List<BatchOp> ops, WriteOptions options) {
    return await(() -> batchAsync(ops, options), Transport.Kind.WRITE);
  }

  public CompletableFuture<List<BatchResult>> batchAsync(List<BatchOp> ops) {
    return batchAsync(ops, WriteOptions.defaults());
  }

  public CompletableFuture<List<BatchResult>> batchAsync(List<BatchOp> ops, WriteOptions options) {
    List<BatchOp> copy = List.copyOf(ops);
    var request = Codec.batchRequest(copy);
    return transport.call(KVGrpc.getBatchMethod(), Transport.Kind.WRITE, deadline(options),
        session -> request.toBuilder().setSession(session).build(),
        BatchResponse::getSession, response -> Codec.batchResults(response, copy.size()));
  }

  // ---- scan ----

  /**
   * The keys of a scan, in ascending unsigned-byte order, fetched page by page as the iterator
   * advances (following continuation tokens until the last page). Each page is a request with
   * the options' consistency and its own deadline; failures surface from the iterator.
   */
  public ScanIterator scan(ScanSpec spec) {
    return scan(spec, ReadOptions.defaults());
  }

  /** See {@link #scan(ScanSpec)}. */
  public ScanIterator scan(ScanSpec spec, ReadOptions options) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(options, "options");
    return new ScanIterator(spec, page -> scanPage(page, options));
  }

  /**
   * One page of a scan, for callers that paginate themselves: continue with {@code
   * spec.withContinuation(page.continuation())} while {@link ScanPage#hasMore()}.
   *
   * @throws InvalidArgumentException e.g. the page size is over {@code scan-limit-max}
   */
  public ScanPage scanPage(ScanSpec spec) {
    return scanPage(spec, ReadOptions.defaults());
  }

  /** See {@link #scanPage(ScanSpec)}. */
  public ScanPage scanPage(ScanSpec spec, ReadOptions options) {
    return await(() -> scanPageAsync(spec, options), Transport.Kind.READ);
  }

  public CompletableFuture<ScanPage> scanPageAsync(ScanSpec spec) {
    return scanPageAsync(spec, ReadOptions.defaults());
  }

  public CompletableFuture<ScanPage> scanPageAsync(ScanSpec spec, ReadOptions options) {
    var request = Codec.scanRequest(Objects.requireNonNull(spec, "spec"), consistency(options));
    return transport.call(KVGrpc.getScanMethod(), Transport.Kind.LONG_READ, deadline(options),
        session -> request.toBuilder().setSession(session).build(),
        ScanResponse::getSession, Codec::scanPage);
  }

  // ---- cluster ----

  /** Nodes, shards, leaders, epochs and indexes as a router sees them now. */
  public ClusterStatus status() {
    return status(ReadOptions.defaults());
  }

  /** See {@link #status()}; only the options' deadline applies (status has no consistency level). */
  public ClusterStatus status(ReadOptions options) {
    return await(() -> statusAsync(options), Transport.Kind.READ);
  }

  public CompletableFuture<ClusterStatus> statusAsync() {
    return statusAsync(ReadOptions.defaults());
  }

  public CompletableFuture<ClusterStatus> statusAsync(ReadOptions options) {
    Objects.requireNonNull(options, "options");
    return transport.call(ClusterGrpc.getStatusMethod(), Transport.Kind.READ, deadline(options),
        session -> StatusRequest.getDefaultInstance(), response -> null, Codec::clusterStatus);
  }

  // ---- lifecycle ----

  /**
   * Fails requests waiting to be retried, lets requests in flight finish (for a few seconds), and
   * shuts the channels down. Later calls throw {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "OrchidClient{endpoints=" + endpoints + ", defaultConsistency=" + defaultConsistency
        + ", defaultDeadline=" + defaultDeadline + "}";
  }

  /** The merged session token the next request carries; for tests. */
  SessionToken sessionToken() {
    return transport.sessionToken();
  }

  /** The endpoint the next request goes to first; for tests. */
  String preferredEndpoint() {
    return transport.preferredEndpoint();
  }

  private Consistency consistency(ReadOptions options) {
    return Objects.requireNonNull(options, "options").consistency().orElse(defaultConsistency);
  }

  private Duration deadline(ReadOptions options) {
    return Objects.requireNonNull(options, "options").deadline().orElse(defaultDeadline);
  }

  private Duration deadline(WriteOptions options) {
    return Objects.requireNonNull(options, "options").deadline().orElse(defaultDeadline);
  }

  private static ByteString bytes(byte[] bytes, String what) {
    return ByteString.copyFrom(Objects.requireNonNull(bytes, what));
  }

  private static byte[] utf8(String text, String what) {
    return Objects.requireNonNull(text, what).getBytes(StandardCharsets.UTF_8);
  }

  /** The blocking form of a call: its result, or its exception rethrown as is. */
  private static <T> T await(Supplier<CompletableFuture<T>> call, Transport.Kind kind) {
    if (Transport.onIoThread()) {
      // Checked before sending, so a refused write was never sent.
      throw new IllegalStateException("a blocking OrchidClient call on one of gRPC's I/O threads (e.g. in a"
          + " callback of an ...Async future) would wait for itself; chain the ...Async form instead, or"
          + " make the blocking call from your own executor; nothing was sent");
    }
    CompletableFuture<T> future = call.get();
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new OrchidException("request failed: " + cause, "", Map.of(), cause);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw kind == Transport.Kind.WRITE
          ? new OutcomeUnknownException(
              "interrupted while waiting for a write; it may or may not have been applied", "", Map.of(), e)
          : new OrchidException("interrupted while waiting for a read", "", Map.of(), e);
    }
  }

  static Duration checkDeadline(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    if (deadline.compareTo(DEADLINE_MAX) > 0) {
      throw new IllegalArgumentException("deadline must be at most " + DEADLINE_MAX + ", got " + deadline);
    }
    return deadline;
  }

  /**
   * Configures an {@link OrchidClient}. Only the endpoints are required; every setter checks its
   * argument at once with an {@link IllegalArgumentException} that says what is wrong.
   */
  public static final class Builder {
    // Host names as resolvers accept them in practice (letters, digits, '.', '-', '_' as in
    // container names); IP literals are checked separately.
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?");

    private final List<String> endpoints = new ArrayList<>();
    private Consistency defaultConsistency = Consistency.STRONG;
    private Duration defaultDeadline = DEADLINE_DEFAULT;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Function<String, ManagedChannel> channelFactory = Transport::plaintextChannel;
    private Scheduler scheduler; // null: Scheduler.system(), made by build()
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
    private boolean coalesceGets = true;
    private boolean pipeline = true;

    private Builder() {}

    /**
     * The routers, as "host:port" (IPv6 literals in brackets: "[::1]:4207"), in order of
     * preference: requests go to the first reachable one. Replaces any earlier list.
     */
    public Builder endpoints(String... hostPorts) {
      return endpoints(Arrays.asList(Objects.requireNonNull(hostPorts, "hostPorts")));
    }

    /** See {@link #endpoints(String...)}. */
    public Builder endpoints(List<String> hostPorts) {
      Objects.requireNonNull(hostPorts, "hostPorts");
      if (hostPorts.size() > ENDPOINTS_MAX) {
        throw new IllegalArgumentException(
            "at most " + ENDPOINTS_MAX + " endpoints, got " + hostPorts.size());
      }
      Set<String> seen = new HashSet<>();
      for (String endpoint : hostPorts) {
        checkEndpoint(endpoint);
        if (!seen.add(endpoint)) {
          throw new IllegalArgumentException("endpoint \"" + endpoint + "\" is listed twice");
        }
      }
      endpoints.clear();
      endpoints.addAll(hostPorts);
      return this;
    }

    /** The consistency of reads whose options do not say; {@link Consistency#STRONG} by default. */
    public Builder defaultConsistency(Consistency consistency) {
      this.defaultConsistency = Objects.requireNonNull(consistency, "consistency");
      return this;
    }

    /**
     * The overall deadline of requests whose options do not say, bounding retries and failover;
     * {@link #DEADLINE_DEFAULT} (10 s) by default, at most {@link #DEADLINE_MAX}.
     */
    public Builder defaultDeadline(Duration deadline) {
      this.defaultDeadline = checkDeadline(deadline);
      return this;
    }

    /** How to retry; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Without the pipeline ({@link #pipeline(boolean) pipeline(false)}): whether gets made while
     * others of the same consistency level are in flight wait for them and then go together as one
     * {@code GetMany} request (on by default; with the pipeline, which is on by default, gets go as
     * ops and this setting is not used, since waiting to share a request costs more there). Under concurrency this
     * costs the client and the router a fraction of one request per get; a get made alone goes
     * at once, as a plain {@code Get}. If a shared request fails, each of its gets is sent again
     * on its own, so results and exceptions are what they would be without it. Off: every get is
     * its own request.
     */
    public Builder coalesceGets(boolean coalesce) {
      this.coalesceGets = coalesce;
      return this;
    }

    /**
     * Whether gets, puts and deletes of one key go as ops of one long-lived stream per router
     * ({@code KV/Pipeline}) instead of a call each (on by default). A call costs the client and
     * the router several times what an op on the stream does; ops made while others are being
     * written leave together. Results, errors, retries and deadlines are those of the calls. Larger
     * requests (over 16 KiB) and the other requests always go as calls; so do all requests to a
     * router that does not serve Pipeline (an older version).
     */
    public Builder pipeline(boolean pipeline) {
      this.pipeline = pipeline;
      return this;
    }

    /** Tests: channels to in-process servers instead of plaintext TCP. The client owns and closes them. */
    Builder channelFactory(Function<String, ManagedChannel> factory) {
      this.channelFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Tests: a clock and delays that need no waiting. */
    Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Tests: a fixed backoff jitter in [0, 1]. */
    Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * A client with one channel per endpoint; channels connect lazily, on the first request.
     *
     * @throws IllegalArgumentException no endpoint was given
     */
    public OrchidClient build() {
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException(
            "at least one router endpoint is required, e.g. builder().endpoints(\"localhost:4207\")");
      }
      Transport transport = new Transport(
          endpoints, channelFactory, retryPolicy,
          scheduler != null ? scheduler : Scheduler.system(), jitter, pipeline);
      return new OrchidClient(this, transport);
    }

    private static void checkEndpoint(String endpoint) {
      if (endpoint == null) {
        throw new IllegalArgumentException("endpoint must not be null; expected host:port");
      }
      HostAndPort address;
      try {
        address = HostAndPort.fromString(endpoint).requireBracketsForIPv6();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "endpoint \"" + endpoint + "\" is not host:port (" + e.getMessage() + ")", e);
      }
      if (!address.hasPort()) {
        throw new IllegalArgumentException(
            "endpoint \"" + endpoint + "\" has no port; expected host:port, e.g. localhost:4207");
      }
      if (address.getPort() == 0) {
        throw new IllegalArgumentException(
            "endpoint \"" + endpoint + "\" has port 0; expected a port in 1..65535");
      }
      String host = address.getHost();
      boolean valid = host.contains(":")
          ? InetAddresses.isInetAddress(host)
          : HOST_NAME.matcher(host).matches();
      if (!valid) {
        throw new IllegalArgumentException(
            "endpoint \"" + endpoint + "\" has an invalid host \"" + host + "\"; expected host:port");
      }
    }
  }
}
