package io.orchiddb.router.shard;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.api.v1.Op;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ReadInfo;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.node.shard.LimitExceededException;
import io.orchiddb.node.shard.Limits;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.ScanQuery;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import io.orchiddb.router.RouterConfig;
import io.orchiddb.router.metrics.RouterMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Validation and routing of every public API call, shared by the gRPC service and the HTTP
 * gateway: a request is validated against the limits (the same {@link Limits} the shard leader
 * checks again), each key is hashed to its shard with the cached {@link ShardMap}, and the
 * request goes to the shard's Raft group.
 *
 * <p>The path of a PUT: validate → shard lookup → the shard's {@link ShardWriter} (which coalesces
 * concurrent writes into one Raft entry) → leader appends, replicates, commits → every replica
 * applies → the reply's log index becomes the key's version → {@link PutResponse}.
 *
 * <p>Reads: STRONG goes to the leader (or any replica, which asks the leader) as a linearizable
 * ReadIndex read; SESSION goes to any replica that has applied the session token's index for the
 * shard; EVENTUAL to any replica: for both, this router's chosen replica of the shard first
 * ({@link StaleReadTarget}). Replicas are tried in turn until the deadline.
 *
 * <p>A shard refusing a request routed with an old map (stale epoch) makes the router re-read the
 * map and route the request again, a bounded number of times.
 *
 * <p>Failures are classified once, in {@link Failures}: a write that may have been applied is
 * reported as OUTCOME_UNKNOWN, never as failed.
 *
 * <p>Deadlines are nanoseconds on the {@link ClusterMapCache}'s clock, which also compares them
 * ({@link ClusterMapCache#mapBy}).
 */
public final class KvRouter implements Closeable {
  static final int SCAN_LIMIT_DEFAULT = 100;
  static final int SCAN_LIMIT_MAX = 10_000;
  private static final int ROUTE_ATTEMPTS_MAX = 3;
  /** The most bytes of keys and values one get-many answers with (kv.proto, limit get-many-bytes-max). */
  public static final int GET_MANY_BYTES_MAX = 16 << 20;

  private final RouterConfig config;
  private final ClusterMapCache maps;
  private final RandomGenerator random;
  private final LongSupplier nanoClock;
  private final Coalescer.Gather gather;
  private final Map<Integer, ShardWriter> writers = new ConcurrentHashMap<>();
  private final Map<Integer, StaleReadTarget> staleTargets = new ConcurrentHashMap<>();
  private final StaleReadTarget.Preference stalePreference;
  /** Recent EVENTUAL reads (null when {@code read-cache-ttl-ms} is 0). */
  private final ReadCache readCache;
  private final RouterMetrics metrics;
  private final Counter cacheAnswers;

  /** @param timer ends a shard writer's hold for returning writers ({@code write-gather-ms}) */
  public KvRouter(RouterConfig config, ClusterMapCache maps, ScheduledExecutorService timer, RandomGenerator random,
      RouterMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.maps = maps;
    this.random = random;
    this.nanoClock = maps.nanoClock();
    this.gather = new Coalescer.Gather(config.writeGather().toNanos(), timer, nanoClock);
    this.stalePreference = new StaleReadTarget.Preference(random, maps.localNode());
    // Writes fence their keys in the cache by log index (ReadCache), so a fence never expires.
    this.readCache = config.readCacheTtl().isZero() ? null
        : new ReadCache(config.readCacheTtl(), config.readCacheBytes(), nanoClock);
    this.cacheAnswers = metrics.readCache(readCache == null ? null : readCache::size, readCache == null ? null : readCache::bytes);
  }

  /**
   * Runs one public call and records it in the metrics when it ends: its latency on the router's
   * clock and its outcome (OK, or its error's reason), refusals thrown before any future included.
   */
  private <T> CompletableFuture<T> measured(RouterMetrics.Op op, RouterMetrics.Level level,
      Supplier<CompletableFuture<T>> call) {
    long start = nanoClock.getAsLong();
    try {
      return call.get().whenComplete((value, failure) ->
          metrics.request(op, level, outcome(failure), nanoClock.getAsLong() - start));
    } catch (RuntimeException e) {
      metrics.request(op, level, outcome(e), nanoClock.getAsLong() - start);
      throw e;
    }
  }

  /** The public API's reason a call failed with (INTERNAL for anything else); null when it succeeded. */
  private static RouterException.Reason outcome(Throwable failure) {
    if (failure == null) {
      return null;
    }
    return Failures.unwrap(failure) instanceof RouterException e ? e.reason() : RouterException.Reason.INTERNAL;
  }

  private static RouterMetrics.Level level(Consistency c) {
    return switch (c) {
      case SESSION -> RouterMetrics.Level.SESSION;
      case EVENTUAL -> RouterMetrics.Level.EVENTUAL;
      default -> RouterMetrics.Level.STRONG; // UNSPECIFIED reads as STRONG
    };
  }

  // ---- reads ----------------------------------------------------------------------------------

  public CompletableFuture<GetResponse> get(GetRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.GET, level(req.getConsistency()), () -> serveGet(req, timeout));
  }

  private CompletableFuture<GetResponse> serveGet(GetRequest req, Duration timeout) {
    checkKey(req.getKey());
    return readKey(req.getKey(), req.getConsistency(), req.getSession(), deadline(timeout)).thenApply(r ->
        r.response().setSession(Sessions.merge(req.getSession(), r.shardId(), r.appliedIndex())).build());
  }

  /**
   * Reads every key as {@link #get} does, all at once: each key's get joins its replica's
   * {@link GetBatcher} lane, so keys read from one node share a request. Fails with the first failed
   * key's error, in request order, once every key has finished.
   */
  public CompletableFuture<GetManyResponse> getMany(GetManyRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.GET_MANY, level(req.getConsistency()), () -> serveGetMany(req, timeout));
  }

  private CompletableFuture<GetManyResponse> serveGetMany(GetManyRequest req, Duration timeout) {
    int n = checkCount(req.getKeysCount(), "keys", "get-many");
    req.getKeysList().forEach(this::checkKey);
    long deadline = deadline(timeout);
    List<CompletableFuture<KeyRead>> reads = new ArrayList<>(n);
    for (ByteString key : req.getKeysList()) {
      reads.add(readKey(key, req.getConsistency(), req.getSession(), deadline));
    }
    return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).handle((ignored, failure) -> {
      GetManyResponse.Builder b = GetManyResponse.newBuilder();
      Map<Integer, Long> seen = new HashMap<>();
      long bytes = 0;
      for (CompletableFuture<KeyRead> read : reads) {
        KeyRead r = read.join(); // throws for the first failed key in request order
        GetResponse one = r.response().build();
        bytes += one.getKv().getKey().size() + one.getKv().getValue().size();
        if (bytes > GET_MANY_BYTES_MAX) {
          throw RouterException.limit("get-many-bytes-max", "get-many-bytes-max: the keys found and their values"
              + " come to more than " + GET_MANY_BYTES_MAX + " bytes; read fewer keys at a time");
        }
        b.addResults(one);
        seen.merge(r.shardId(), r.appliedIndex(), Math::max);
      }
      return b.setSession(Sessions.merge(req.getSession(), seen)).build();
    });
  }

  /** One key's read: its response without a session token, and what it saw of its shard. */
  private record KeyRead(GetResponse.Builder response, int shardId, long appliedIndex) {}

  private CompletableFuture<KeyRead> readKey(ByteString key, Consistency consistency, SessionToken session,
      long deadline) {
    boolean cached = readCache != null && consistency == Consistency.EVENTUAL;
    return routed(deadline, map -> {
      ShardInfo shard = map.shardFor(key.toByteArray());
      if (cached) {
        ReadCache.Entry hit = readCache.lookup(key, shard);
        if (hit != null) {
          cacheAnswers.increment();
          return CompletableFuture.completedFuture(fromCache(hit));
        }
      }
      GroupChannel channel = maps.channel(map, shard);
      // Through the router's GetBatcher: concurrent gets to one node share a request, whatever their shards.
      Attempt attempt = (node, linearizable, minIndex) -> maps.gets()
          .get(channel, node, linearizable, shard.getEpoch(), minIndex, key);
      return read(shard, channel, attempt, consistency, session, deadline).thenApply(r -> {
        long applied = r.result().getAppliedIndex();
        GetResponse.Builder b = GetResponse.newBuilder()
            .setRead(ReadInfo.newBuilder().setServedBy(r.servedBy()).setAppliedIndex(applied));
        KeyValue kv = r.result().getGet().hasEntry() ? toApi(r.result().getGet().getEntry(), false) : null;
        if (kv != null) {
          b.setFound(true).setKv(kv);
        }
        if (cached) {
          readCache.offer(key, shard, r.servedBy(), applied, kv);
        }
        return new KeyRead(b, shard.getId(), applied);
      });
    });
  }

  /** A read answered from the cache: the replica's answer as it was, marked as cached. */
  private static KeyRead fromCache(ReadCache.Entry e) {
    GetResponse.Builder b = GetResponse.newBuilder().setRead(ReadInfo.newBuilder()
        .setServedBy(e.servedBy()).setAppliedIndex(e.appliedIndex()).setCached(true));
    if (e.kv() != null) {
      b.setFound(true).setKv(e.kv());
    }
    return new KeyRead(b, e.shardId(), e.appliedIndex());
  }

  public CompletableFuture<ScanResponse> scan(ScanRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.SCAN, level(req.getConsistency()), () -> serveScan(req, timeout));
  }

  private CompletableFuture<ScanResponse> serveScan(ScanRequest req, Duration timeout) {
    int limit = req.getLimit() == 0 ? SCAN_LIMIT_DEFAULT : req.getLimit();
    if (limit > SCAN_LIMIT_MAX) {
      throw RouterException.limit("scan-limit-max",
          "scan-limit-max: limit is " + limit + "; the most one page may hold is " + SCAN_LIMIT_MAX);
    }
    ScanRange range = ScanRange.of(req);
    long deadline = deadline(timeout);
    return routed(deadline, map -> {
      List<CompletableFuture<ShardPage>> pages = new ArrayList<>();
      for (ShardInfo shard : map.shards()) {
        ShardRead query = ShardRead.newBuilder().setEpoch(shard.getEpoch()).setScan(ScanQuery.newBuilder()
            .setStartKey(range.start()).setEndKey(range.end()).setLimit(limit)).build();
        pages.add(read(map, shard, query, req.getConsistency(), req.getSession(), deadline)
            .thenApply(r -> new ShardPage(shard.getId(), r.result())));
      }
      return CompletableFuture.allOf(pages.toArray(new CompletableFuture<?>[0]))
          .thenApply(ignored -> mergePages(req, limit, pages.stream().map(CompletableFuture::join).toList()));
    });
  }

  private record ShardPage(int shardId, ShardReadResult result) {}

  private static ScanResponse mergePages(ScanRequest req, int limit, List<ShardPage> pages) {
    List<KeyEntry> all = new ArrayList<>();
    boolean more = false;
    Map<Integer, Long> seen = new HashMap<>();
    for (ShardPage p : pages) {
      all.addAll(p.result.getScan().getEntriesList());
      more |= p.result.getScan().getMore();
      seen.put(p.shardId, p.result.getAppliedIndex());
    }
    all.sort(Comparator.comparing(KeyEntry::getKey, ByteString.unsignedLexicographicalComparator()));
    ScanResponse.Builder b = ScanResponse.newBuilder().setSession(Sessions.merge(req.getSession(), seen));
    int n = Math.min(limit, all.size());
    for (int i = 0; i < n; i++) {
      b.addKvs(toApi(all.get(i), req.getKeysOnly()));
    }
    if (more || all.size() > limit) {
      b.setContinuation(ScanCursor.encode(all.get(n - 1).getKey()));
    }
    return b.build();
  }

  /** One read attempt on one replica: linearizable, or stale once it has applied {@code minIndex}. */
  @FunctionalInterface
  private interface Attempt {
    CompletableFuture<Served> on(String node, boolean linearizable, long minIndex);
  }

  /** A query of its own (a scan page), sent to one replica after another. */
  private CompletableFuture<Served> read(ShardMap map, ShardInfo shard, ShardRead query,
      Consistency consistency, SessionToken session, long deadline) {
    GroupChannel channel = maps.channel(map, shard);
    byte[] bytes = query.toByteArray();
    Attempt attempt = (node, linearizable, minIndex) -> (linearizable
        ? channel.readLinearizable(bytes, node) : channel.readStale(bytes, minIndex, node))
        .thenApply(Served::of);
    return read(shard, channel, attempt, consistency, session, deadline);
  }

  /** Picks the replicas to try, in order, for the read level, and fails over between them. */
  private CompletableFuture<Served> read(ShardInfo shard, GroupChannel channel, Attempt attempt,
      Consistency consistency, SessionToken session, long deadline) {
    List<String> replicas = shard.getReplicasList();
    List<String> order;
    Function<String, CompletableFuture<Served>> onNode;
    switch (consistency) {
      case SESSION, EVENTUAL -> {
        // This router's chosen replica of the shard first, so that concurrent gets share requests.
        StaleReadTarget target = staleTargets.computeIfAbsent(shard.getId(), id -> new StaleReadTarget(stalePreference));
        order = target.order(replicas, maps.gets()::crowded);
        long minIndex = consistency == Consistency.SESSION ? Sessions.indexFor(session, shard.getId()) : 0;
        onNode = node -> attempt.on(node, false, minIndex).whenComplete((served, failure) -> {
          if (failure != null) {
            target.failed(node, replicas);
          }
        });
      }
      default -> {
        order = new ArrayList<>(replicas);
        String leaderHint = channel.leaderHint();
        if (leaderHint != null && order.remove(leaderHint)) {
          order.add(0, leaderHint);
        }
        onNode = node -> attempt.on(node, true, 0);
      }
    }
    return ReadFailover.read(order, deadline, nanoClock, onNode, Failures::isFinal).handle((served, failure) -> {
      if (failure != null) {
        throw Failures.isStaleRoute(failure) ? new Failures.StaleRoute(failure.getMessage())
            : Failures.classify(failure, false, shard.getId());
      }
      return served;
    });
  }

  // ---- writes ---------------------------------------------------------------------------------

  public CompletableFuture<PutResponse> put(PutRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.PUT, RouterMetrics.Level.NONE, () -> servePut(req, timeout));
  }

  private CompletableFuture<PutResponse> servePut(PutRequest req, Duration timeout) {
    WriteOp op = putOp(req);
    return writeOne(req.getKey(), op, deadline(timeout)).thenApply(w ->
        putResponse(w).setSession(Sessions.merge(req.getSession(), w.shardId, w.index)).build());
  }

  /**
   * Writes every put as {@link #put} does, all at once and each on its own: they join their
   * shards' {@link ShardWriter} queues, so puts to one shard share Raft entries, and each ends with
   * its own result or error. Refused as a whole, before anything is written, only for the request
   * itself: no puts, more than batch-ops-max, or over request-bytes-max.
   */
  public CompletableFuture<PutManyResponse> putMany(PutManyRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.PUT_MANY, RouterMetrics.Level.NONE, () -> servePutMany(req, timeout));
  }

  private CompletableFuture<PutManyResponse> servePutMany(PutManyRequest req, Duration timeout) {
    int n = checkCount(req.getPutsCount(), "puts", "put-many");
    int bytes = req.getSerializedSize();
    if (bytes > config.limits().requestBytesMax()) {
      throw RouterException.limit("request-bytes-max", "request-bytes-max: the put-many is " + bytes
          + " bytes; the limit is " + config.limits().requestBytesMax());
    }
    long deadline = deadline(timeout);
    List<CompletableFuture<Written>> writes = new ArrayList<>(n);
    List<WriteOp> ops = new ArrayList<>(n);
    for (PutRequest one : req.getPutsList()) {
      try {
        ops.add(putOp(one));
        writes.add(null); // sent below
      } catch (RuntimeException e) { // this put's own validation: it alone fails
        ops.add(null);
        writes.add(CompletableFuture.failedFuture(e));
      }
    }
    return maps.mapBy(deadline).handle((map, noMap) -> {
      if (noMap == null) {
        writeTogether(map, ops, writes, deadline);
      } else {
        for (int i = 0; i < n; i++) {
          if (ops.get(i) != null) {
            writes.set(i, CompletableFuture.failedFuture(noMap));
          }
        }
      }
      return putManyResponse(req.getSession(), writes);
    }).thenCompose(Function.identity());
  }

  /**
   * Sends each valid put ({@code ops[i]} not null) and sets {@code writes[i]}. The puts of one
   * shard join its writer's queue together, so that they share an entry; a put refused for a
   * stale map is routed again alone, with a fresh one.
   */
  private void writeTogether(ShardMap map, List<WriteOp> ops, List<CompletableFuture<Written>> writes, long deadline) {
    Map<Integer, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) != null) {
        byShard.computeIfAbsent(map.shardFor(key(ops.get(i)).toByteArray()).getId(), s -> new ArrayList<>()).add(i);
      }
    }
    byShard.forEach((shardId, idx) -> {
      List<CompletableFuture<Written>> sent = submitAll(shardId,
          idx.stream().map(i -> WriteTxn.newBuilder().addOps(ops.get(i)).build()).toList(), deadline);
      for (int j = 0; j < idx.size(); j++) {
        WriteOp op = ops.get(idx.get(j));
        writes.set(idx.get(j), sent.get(j).handle((w, failure) -> failure == null ? CompletableFuture.completedFuture(w)
            : Failures.isStaleRoute(failure) ? writeOne(key(op), op, deadline)
            : CompletableFuture.<Written>failedFuture(failure)).thenCompose(Function.identity()));
      }
    });
  }

  /** Once every put has ended: one result per put, and the session token extended with the applied ones. */
  private static CompletableFuture<PutManyResponse> putManyResponse(SessionToken session,
      List<CompletableFuture<Written>> writes) {
    List<CompletableFuture<PutOutcome>> outcomes = new ArrayList<>(writes.size());
    for (CompletableFuture<Written> write : writes) {
      // A failed condition throws from putResponse, and ends as any other failure does.
      outcomes.add(write.thenApply(w -> new PutOutcome(PutManyResult.newBuilder().setPut(putResponse(w)).build(),
              w.shardId, w.index))
          .exceptionally(failure -> new PutOutcome(
              PutManyResult.newBuilder().setError(RouterException.of(failure).toStatusProto()).build(), 0, 0)));
    }
    return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      PutManyResponse.Builder b = PutManyResponse.newBuilder();
      Map<Integer, Long> seen = new HashMap<>();
      for (CompletableFuture<PutOutcome> outcome : outcomes) {
        PutOutcome o = outcome.join();
        b.addResults(o.result());
        if (o.index() > 0) {
          seen.merge(o.shardId(), o.index(), Math::max);
        }
      }
      return b.setSession(Sessions.merge(session, seen)).build();
    });
  }

  /** One put's result in a put-many, and where it was written (index 0: it was not). */
  private record PutOutcome(PutManyResult result, int shardId, long index) {}

  /** A put as the operation a shard applies; throws for a put that breaks a limit. */
  private WriteOp putOp(PutRequest req) {
    WriteOp op = WriteOp.newBuilder().setPut(io.orchiddb.proto.raft.PutOp.newBuilder()
        .setKey(req.getKey()).setValue(req.getValue()).setCondition(ApiCodec.condition(req.getCondition())))
        .build();
    checkWrite(List.of(op), req.getSerializedSize());
    return op;
  }

  /** A written put's response, without a session token; throws when its condition failed. */
  private static PutResponse.Builder putResponse(Written w) {
    TxnResult txn = w.txn;
    if (!txn.getCommitted()) {
      throw conditionFailed(txn.getOps(0).getPreviousVersion());
    }
    return PutResponse.newBuilder().setVersion(w.index).setPreviousVersion(txn.getOps(0).getPreviousVersion());
  }

  public CompletableFuture<DeleteResponse> delete(DeleteRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.DELETE, RouterMetrics.Level.NONE, () -> serveDelete(req, timeout));
  }

  private CompletableFuture<DeleteResponse> serveDelete(DeleteRequest req, Duration timeout) {
    WriteOp op = WriteOp.newBuilder().setDelete(io.orchiddb.proto.raft.DeleteOp.newBuilder()
        .setKey(req.getKey()).setCondition(ApiCodec.condition(req.getCondition()))).build();
    checkWrite(List.of(op), req.getSerializedSize());
    return writeOne(req.getKey(), op, deadline(timeout)).thenApply(w -> {
      TxnResult txn = w.txn;
      if (!txn.getCommitted()) {
        throw conditionFailed(txn.getOps(0).getPreviousVersion());
      }
      return DeleteResponse.newBuilder().setDeleted(txn.getOps(0).getExisted())
          .setPreviousVersion(txn.getOps(0).getPreviousVersion()).setIndex(w.index)
          .setSession(Sessions.merge(req.getSession(), w.shardId, w.index)).build();
    });
  }

  public CompletableFuture<BatchResponse> batch(BatchRequest req, Duration timeout) {
    return measured(RouterMetrics.Op.BATCH, RouterMetrics.Level.NONE, () -> serveBatch(req, timeout));
  }

  private CompletableFuture<BatchResponse> serveBatch(BatchRequest req, Duration timeout) {
    if (req.getOpsCount() == 0) {
      throw RouterException.badRequest("ops", "a batch needs at least one operation");
    }
    List<WriteOp> ops = new ArrayList<>(req.getOpsCount());
    for (Op op : req.getOpsList()) {
      ops.add(ApiCodec.op(op));
    }
    checkWrite(ops, req.getSerializedSize());
    long deadline = deadline(timeout);
    OpResult[] results = new OpResult[ops.size()];
    Map<Integer, Long> seen = new ConcurrentHashMap<>();
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      all.add(i);
    }
    return batchPart(all, ops, results, seen, deadline, 1).thenApply(ignored ->
        BatchResponse.newBuilder().addAllResults(List.of(results))
            .setSession(Sessions.merge(req.getSession(), seen)).build());
  }

  /**
   * Writes the operations at {@code idx}, one transaction per shard (request order kept within a
   * shard). A part refused for a stale map is routed again on its own, so parts that were
   * already applied are never sent twice.
   */
  private CompletableFuture<Void> batchPart(List<Integer> idx, List<WriteOp> ops, OpResult[] results,
      Map<Integer, Long> seen, long deadline, int attempt) {
    return maps.mapBy(deadline).thenCompose(map -> {
      Map<Integer, List<Integer>> byShard = new LinkedHashMap<>();
      for (int i : idx) {
        byShard.computeIfAbsent(map.shardFor(key(ops.get(i)).toByteArray()).getId(), s -> new ArrayList<>()).add(i);
      }
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (var e : byShard.entrySet()) {
        List<Integer> part = e.getValue();
        WriteTxn.Builder txn = WriteTxn.newBuilder();
        part.forEach(i -> txn.addOps(ops.get(i)));
        done.add(submit(map, e.getKey(), txn.build(), deadline).handle((w, failure) -> {
          if (failure == null) {
            fill(results, part, w);
            seen.merge(w.shardId, w.index, Math::max);
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable cause = Failures.unwrap(failure);
          if (Failures.isStaleRoute(cause) && attempt < ROUTE_ATTEMPTS_MAX && nanoClock.getAsLong() < deadline) {
            return maps.refresh().handle((m, x) -> null)
                .thenCompose(x -> batchPart(part, ops, results, seen, deadline, attempt + 1));
          }
          if (cause instanceof RouterException re && re.reason() == RouterException.Reason.OUTCOME_UNKNOWN) {
            part.forEach(i -> results[i] = OpResult.newBuilder().setOutcome(OpResult.Outcome.UNKNOWN).build());
            return CompletableFuture.<Void>completedFuture(null);
          }
          return CompletableFuture.<Void>failedFuture(Failures.isStaleRoute(cause)
              ? new RouterException(RouterException.Reason.NO_QUORUM,
                  "the shard map kept changing while routing the batch") : cause);
        }).thenCompose(Function.identity()));
      }
      return CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]));
    });
  }

  private static void fill(OpResult[] results, List<Integer> part, Written w) {
    for (int j = 0; j < part.size(); j++) {
      var op = w.txn.getOps(j);
      OpResult.Builder r = OpResult.newBuilder().setPreviousVersion(op.getPreviousVersion());
      if (w.txn.getCommitted()) {
        r.setOutcome(OpResult.Outcome.APPLIED).setVersion(w.index);
      } else {
        r.setOutcome(op.getConditionFailed() ? OpResult.Outcome.CONDITION_FAILED : OpResult.Outcome.ABORTED);
      }
      results[part.get(j)] = r.build();
    }
  }

  private record Written(int shardId, long index, TxnResult txn) {}

  private CompletableFuture<Written> writeOne(ByteString key, WriteOp op, long deadline) {
    WriteTxn txn = WriteTxn.newBuilder().addOps(op).build();
    return routed(deadline, map -> submit(map, map.shardFor(key.toByteArray()).getId(), txn, deadline));
  }

  private CompletableFuture<Written> submit(ShardMap map, int shardId, WriteTxn txn, long deadline) {
    return fenced(txn, written(writer(shardId).submit(txn), shardId, deadline));
  }

  /** Submits transactions to one shard together ({@link ShardWriter#submitAll}). */
  private List<CompletableFuture<Written>> submitAll(int shardId, List<WriteTxn> txns, long deadline) {
    List<CompletableFuture<ShardWriter.Applied>> submitted = writer(shardId).submitAll(txns);
    List<CompletableFuture<Written>> writes = new ArrayList<>(txns.size());
    for (int i = 0; i < txns.size(); i++) {
      writes.add(fenced(txns.get(i), written(submitted.get(i), shardId, deadline)));
    }
    return writes;
  }

  /**
   * Tells the read cache about a write before its caller hears of it: an applied write fences its
   * keys at its index; a write that failed, or whose outcome is unknown, drops them.
   */
  private CompletableFuture<Written> fenced(WriteTxn txn, CompletableFuture<Written> write) {
    if (readCache == null) {
      return write;
    }
    return write.whenComplete((w, failure) -> {
      if (failure != null) {
        txn.getOpsList().forEach(op -> readCache.forget(key(op)));
      } else if (w.txn.getCommitted()) {
        txn.getOpsList().forEach(op -> readCache.written(key(op), w.shardId, w.index));
      }
    });
  }

  private ShardWriter writer(int shardId) {
    return writers.computeIfAbsent(shardId, id ->
        new ShardWriter(id, config.limits().requestBytesMax(), this::route, this::send, metrics.entryTxns(id)::record,
            gather));
  }

  /** A submitted transaction, bounded by the deadline, its failure classified. */
  private CompletableFuture<Written> written(CompletableFuture<ShardWriter.Applied> submitted, int shardId, long deadline) {
    long remainingNanos = deadline - nanoClock.getAsLong();
    return Deadlines.orTimeout(submitted, Math.max(1, remainingNanos), TimeUnit.NANOSECONDS)
        .handle((r, failure) -> {
          if (failure != null) {
            throw Failures.isStaleRoute(failure) ? new Failures.StaleRoute(failure.getMessage())
                : Failures.classify(failure, true, shardId);
          }
          return new Written(shardId, r.index(), r.txn());
        });
  }

  private ShardWriter.Route route(int shardId) {
    ShardMap map = maps.current();
    return new ShardWriter.Route(map, map.shards().stream().filter(s -> s.getId() == shardId).findFirst()
        .orElseThrow(() -> new IllegalStateException("no shard " + shardId + " in the map")));
  }

  private CompletableFuture<ShardWriteResult> send(ShardMap map, ShardInfo shard, ShardWrite write) {
    return maps.channel(map, shard).write(write.toByteArray()).thenApply(bytes -> {
      try {
        ShardWriteResult result = ShardWriteResult.parseFrom(bytes);
        if (result.getStaleEpoch() != 0) {
          throw new Failures.StaleRoute("shard " + shard.getId() + " is at epoch " + result.getStaleEpoch());
        }
        return result;
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("shard " + shard.getId() + " sent a malformed reply", e);
      }
    });
  }

  // ---- routing with a fresh map ----------------------------------------------------------------

  /**
   * Runs {@code call} with the current map; when a shard says the map is stale, re-reads it and
   * runs {@code call} again (bounded). Waits for a first map if there is none yet.
   */
  private <T> CompletableFuture<T> routed(long deadline, Function<ShardMap, CompletableFuture<T>> call) {
    return routed(deadline, call, 1);
  }

  private <T> CompletableFuture<T> routed(long deadline, Function<ShardMap, CompletableFuture<T>> call, int attempt) {
    return maps.mapBy(deadline).thenCompose(call).handle((value, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(value);
      }
      if (Failures.isStaleRoute(failure) && attempt < ROUTE_ATTEMPTS_MAX && nanoClock.getAsLong() < deadline) {
        return maps.refresh().handle((m, e) -> null).thenCompose(ignored -> routed(deadline, call, attempt + 1));
      }
      Throwable cause = Failures.unwrap(failure);
      if (Failures.isStaleRoute(cause)) {
        cause = new RouterException(RouterException.Reason.NO_QUORUM,
            "the shard map kept changing while routing the request; nothing was written");
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(Function.identity());
  }

  // ---- validation -----------------------------------------------------------------------------

  /**
   * Returns {@code n}, the number of {@code items} (a field, "keys") in a {@code request} ("get-many"),
   * after checking it is 1..batch-ops-max.
   */
  private int checkCount(int n, String items, String request) {
    if (n == 0) {
      throw RouterException.badRequest(items, "a " + request + " needs at least one of its " + items);
    }
    if (n > config.limits().batchOpsMax()) {
      throw RouterException.limit("batch-ops-max", "batch-ops-max: " + n + " " + items + " in one " + request
          + "; the most is " + config.limits().batchOpsMax());
    }
    return n;
  }

  private void checkKey(ByteString key) {
    try {
      config.limits().checkKey(key.size());
    } catch (LimitExceededException e) {
      throw RouterException.limit(e.limit(), e.getMessage());
    }
  }

  private void checkWrite(List<WriteOp> ops, int requestBytes) {
    try {
      ShardWrite write = ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addAllOps(ops)).build();
      config.limits().check(ShardCodec.decodeTxns(write), requestBytes);
    } catch (LimitExceededException e) {
      if (e.limit().equals("ops")) {
        throw RouterException.badRequest("ops", e.getMessage());
      }
      throw RouterException.limit(e.limit(), e.getMessage());
    } catch (IllegalArgumentException e) {
      throw RouterException.badRequest("ops", e.getMessage());
    }
  }

  private static ByteString key(WriteOp op) {
    return op.hasPut() ? op.getPut().getKey() : op.getDelete().getKey();
  }

  private static RouterException conditionFailed(long currentVersion) {
    return new RouterException(RouterException.Reason.CONDITION_FAILED,
        "condition failed; the key's current version is " + currentVersion
            + (currentVersion == 0 ? " (absent)" : ""),
        Map.of("current_version", String.valueOf(currentVersion)));
  }

  private long deadline(Duration timeout) {
    Duration t = timeout == null || timeout.compareTo(config.requestTimeout()) > 0 ? config.requestTimeout() : timeout;
    return nanoClock.getAsLong() + t.toNanos();
  }

  static KeyValue toApi(KeyEntry e, boolean keysOnly) {
    KeyValue.Builder b = KeyValue.newBuilder().setKey(e.getKey()).setVersion(e.getVersion())
        .setCreateVersion(e.getCreateIndex()).setModifyTimeMs(e.getModifyTimeMs());
    if (!keysOnly) {
      b.setValue(e.getValue());
    }
    return b.build();
  }

  @Override
  public void close() throws IOException {
    // The writers hold no resources of their own; channels belong to the map cache.
  }
}
