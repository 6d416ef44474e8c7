package io.orchiddb.router.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.router.http.HttpErrors.Phase;
import io.orchiddb.router.metrics.RouterMetrics;
import io.orchiddb.router.shard.KvRouter;
import io.orchiddb.router.shard.RouterException;
import io.orchiddb.router.shard.StatusCollector;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The gateway's endpoints. Each one reads its parameters, builds the public API request and hands
 * it to {@link KvRouter} (validation, routing and limits live there, shared with gRPC), then
 * turns the response into JSON. Router calls run on Armeria's blocking executor, never on an
 * event loop: a Ratis client may block while its outstanding-request window is full.
 */
final class KvEndpoints {
  static final String KV_PREFIX = "/v1/kv/";
  static final String GET_PREFIX = "/get/";
  static final String DELETE_PREFIX = "/delete/";
  /** How long /v1/cluster waits for replicas to report (as the gRPC Cluster service does). */
  static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

  private static final String PREFIX = "prefix";
  private static final String START = "start";
  private static final String END = "end";
  private static final String LIMIT = "limit";
  private static final String AFTER = "after";
  private static final String KEYS_ONLY = "keys_only";

  private static final Set<String> READ_PARAMS = Set.of(Encoding.PARAM, Params.CONSISTENCY, Params.SESSION);
  private static final Set<String> WRITE_PARAMS = Set.of(Encoding.PARAM, Params.SESSION,
      Params.IF_ABSENT, Params.IF_VERSION, Params.IF_VALUE);
  private static final Set<String> SCAN_PARAMS = Set.of(Encoding.PARAM, Params.CONSISTENCY, Params.SESSION,
      PREFIX, START, END, LIMIT, AFTER, KEYS_ONLY);
  private static final Set<String> BATCH_PARAMS = Set.of(Encoding.PARAM, Params.SESSION);
  private static final Set<String> GET_MANY_PARAMS = Set.of(Encoding.PARAM, Params.SESSION, Params.CONSISTENCY);
  /** Scan fields the router names as in the proto, and the query parameters that carry them. */
  private static final Map<String, String> SCAN_FIELDS = Map.of("continuation", AFTER, "start_key", START, "end_key", END);
  private static final MediaType TEXT = MediaType.PLAIN_TEXT_UTF_8;
  /** Prometheus's text exposition format, version 0.0.4 (what RouterMetrics#scrape writes). */
  static final MediaType PROMETHEUS_TEXT = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final KvRouter kv;
  private final StatusCollector status;
  private final BooleanSupplier ready;
  private final Duration responseTimeout;
  private final RouterMetrics metrics;

  /**
   * @param responseTimeout how long a request may take once it has arrived: longer than the
   *     router's own deadline, so the router's precise error (e.g. OUTCOME_UNKNOWN) wins
   */
  KvEndpoints(KvRouter kv, StatusCollector status, BooleanSupplier ready, Duration responseTimeout,
      RouterMetrics metrics) {
    this.kv = kv;
    this.metrics = metrics;
    this.status = status;
    this.ready = ready;
    this.responseTimeout = responseTimeout;
  }

  // ---- /v1/kv/{key} -----------------------------------------------------------------------------

  HttpResponse get(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.READING, body -> {
      Params p = Params.of(ctx, READ_PARAMS);
      Encoding enc = p.encoding();
      GetRequest r = GetRequest.newBuilder().setKey(PathKey.of(ctx, KV_PREFIX, enc))
          .setConsistency(p.consistency()).setSession(p.session()).build();
      return kv.get(r, null).thenApply(g -> g.getFound()
          ? json(HttpStatus.OK, JsonCodec.get(g, enc), g.getSession())
          : json(HttpStatus.NOT_FOUND, JsonCodec.error(HttpErrors.NOT_FOUND, "no such key", Map.of()), g.getSession()));
    });
  }

  HttpResponse put(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      Params p = Params.of(ctx, WRITE_PARAMS);
      Encoding enc = p.encoding();
      // The body is the value's raw bytes in either encoding.
      PutRequest r = PutRequest.newBuilder().setKey(PathKey.of(ctx, KV_PREFIX, enc))
          .setValue(ByteString.copyFrom(body.content().array())).setCondition(p.condition(enc))
          .setSession(p.session()).build();
      return kv.put(r, null).thenApply(w ->
          json(w.getPreviousVersion() == 0 ? HttpStatus.CREATED : HttpStatus.OK, JsonCodec.put(w), w.getSession()));
    });
  }

  HttpResponse delete(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      Params p = Params.of(ctx, WRITE_PARAMS);
      Encoding enc = p.encoding();
      DeleteRequest r = DeleteRequest.newBuilder().setKey(PathKey.of(ctx, KV_PREFIX, enc))
          .setCondition(p.condition(enc)).setSession(p.session()).build();
      return kv.delete(r, null).thenApply(d -> json(HttpStatus.OK, JsonCodec.delete(d), d.getSession()));
    });
  }

  // ---- /v1/kv, /v1/batch, /v1/cluster, /health ------------------------------------------------

  HttpResponse scan(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.READING, body -> {
      Params p = Params.of(ctx, SCAN_PARAMS);
      Encoding enc = p.encoding();
      String after = p.text(AFTER);
      boolean keysOnly = p.flag(KEYS_ONLY);
      ScanRequest r = ScanRequest.newBuilder().setPrefix(p.bytes(PREFIX, enc))
          .setStartKey(p.bytes(START, enc)).setEndKey(p.bytes(END, enc))
          .setLimit((int) p.whole(LIMIT, 0, Integer.MAX_VALUE, 0))
          .setContinuation(after == null || after.isEmpty() ? ByteString.EMPTY : Encoding.base64(AFTER, after))
          .setConsistency(p.consistency()).setSession(p.session()).setKeysOnly(keysOnly).build();
      CompletableFuture<ScanResponse> scanned;
      try {
        scanned = kv.scan(r, null);
      } catch (RouterException e) {
        throw scanField(e);
      }
      return scanned.handle((s, failure) -> {
        if (failure != null) {
          throw scanField(failure);
        }
        return json(HttpStatus.OK, JsonCodec.scan(s, keysOnly, enc), s.getSession());
      });
    });
  }

  /** A router error naming a scan field by its proto name, renamed to the query parameter. */
  private static RuntimeException scanField(Throwable failure) {
    Throwable t = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    if (t instanceof RouterException e && e.reason() == RouterException.Reason.BAD_REQUEST) {
      String field = e.metadata().get("field");
      String param = field == null ? null : SCAN_FIELDS.get(field);
      if (param != null) {
        String message = e.getMessage().startsWith(field + ": ")
            ? e.getMessage().substring(field.length() + 2) : e.getMessage();
        return HttpErrors.badRequest(param, message);
      }
    }
    return t instanceof RuntimeException r ? r : new CompletionException(t);
  }

  HttpResponse batch(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      Params p = Params.of(ctx, BATCH_PARAMS);
      BatchRequest r = JsonCodec.batchRequest(body.content().array(), p.encoding(), p.session());
      return kv.batch(r, null).thenApply(b -> json(HttpStatus.OK, JsonCodec.batch(b), b.getSession()));
    });
  }

  HttpResponse putMany(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      Params p = Params.of(ctx, BATCH_PARAMS);
      PutManyRequest r = JsonCodec.putManyRequest(body.content().array(), p.encoding(), p.session());
      return kv.putMany(r, null).thenApply(m -> json(HttpStatus.OK, JsonCodec.putMany(m), m.getSession()));
    });
  }

  HttpResponse getMany(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.READING, body -> {
      Params p = Params.of(ctx, GET_MANY_PARAMS);
      Encoding enc = p.encoding();
      GetManyRequest r = JsonCodec.getManyRequest(body.content().array(), enc, p.consistency(), p.session());
      return kv.getMany(r, null).thenApply(g -> json(HttpStatus.OK, JsonCodec.getMany(g, enc), g.getSession()));
    });
  }

  HttpResponse cluster(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.READING, body -> {
      Params.of(ctx, Set.of());
      return status.status(STATUS_TIMEOUT).thenApply(s -> json(HttpStatus.OK, JsonCodec.status(s), null));
    });
  }

  /** The router's metrics in Prometheus's text format (RouterMetrics). */
  HttpResponse metrics(ServiceRequestContext ctx, HttpRequest req) {
    Params.of(ctx, Set.of());
    return HttpResponse.of(HttpStatus.OK, PROMETHEUS_TEXT, metrics.scrape());
  }

  HttpResponse health(ServiceRequestContext ctx, HttpRequest req) {
    Params.of(ctx, Set.of());
    return ready.getAsBoolean()
        ? json(HttpStatus.OK, JsonCodec.object().put("status", "ok"), null)
        : json(HttpStatus.SERVICE_UNAVAILABLE, JsonCodec.object().put("status", "unavailable")
            .put("message", "the router has not read the shard map yet"), null);
  }

  // ---- curl shortcuts -------------------------------------------------------------------------

  /** {@code /put?key2=baz}: stores key2 = baz; answers "OK" (201 when the key is new). */
  HttpResponse putShortcut(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      QueryParams q = ctx.queryParams();
      if (q.names().size() != 1 || q.getAll(q.names().iterator().next()).size() != 1) {
        throw HttpErrors.badRequest("query", "give exactly one key=value, as in /put?key2=baz");
      }
      String key = q.names().iterator().next();
      PutRequest r = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
          .setValue(ByteString.copyFromUtf8(q.get(key))).build();
      return kv.put(r, null).thenApply(w ->
          HttpResponse.of(w.getPreviousVersion() == 0 ? HttpStatus.CREATED : HttpStatus.OK, TEXT, "OK\n"));
    });
  }

  /** {@code /get/key2}: the raw value, nothing else; 404 when the key does not exist. */
  HttpResponse getShortcut(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.READING, body -> {
      Params p = Params.of(ctx, Set.of(Params.CONSISTENCY));
      GetRequest r = GetRequest.newBuilder().setKey(PathKey.of(ctx, GET_PREFIX, Encoding.UTF8))
          .setConsistency(p.consistency()).build();
      return kv.get(r, null).thenApply(g -> {
        if (!g.getFound()) {
          return HttpErrors.notFound("no such key");
        }
        ByteString value = g.getKv().getValue();
        return HttpResponse.of(HttpStatus.OK, value.isValidUtf8() ? TEXT : MediaType.OCTET_STREAM,
            HttpData.wrap(value.toByteArray()));
      });
    });
  }

  /** {@code /delete/key2}: removes key2; answers "OK" whether or not it existed. */
  HttpResponse deleteShortcut(ServiceRequestContext ctx, HttpRequest req) {
    return call(ctx, req, Phase.WRITING, body -> {
      Params.of(ctx, Set.of());
      DeleteRequest r = DeleteRequest.newBuilder().setKey(PathKey.of(ctx, DELETE_PREFIX, Encoding.UTF8)).build();
      return kv.delete(r, null).thenApply(d -> HttpResponse.of(HttpStatus.OK, TEXT, "OK\n"));
    });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /**
   * Reads the whole body (Armeria refuses one over request-bytes-max with 413), then runs
   * {@code handler} off the event loop with the response deadline; any failure becomes an error
   * response through {@link HttpErrors}.
   */
  private HttpResponse call(ServiceRequestContext ctx, HttpRequest req, Phase phase,
      Function<AggregatedHttpRequest, CompletableFuture<HttpResponse>> handler) {
    return HttpResponse.of(req.aggregate().thenComposeAsync(body -> {
      ctx.setAttr(HttpErrors.PHASE, phase);
      ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, responseTimeout);
      return handler.apply(body);
    }, ctx.blockingTaskExecutor()).exceptionally(failure -> HttpErrors.response(ctx, failure)));
  }

  private static HttpResponse json(HttpStatus status, ObjectNode body, SessionToken session) {
    ResponseHeadersBuilder h = ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
    if (session != null) {
      h.add(Params.SESSION_HEADER, JsonCodec.session(session));
    }
    return HttpResponse.of(h.build(), HttpData.wrap(JsonCodec.bytes(body)));
  }
}
