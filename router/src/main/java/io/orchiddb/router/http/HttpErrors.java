package io.orchiddb.router.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.CancellationException;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseCompleteException;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.HttpResponseException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import io.orchiddb.router.shard.RouterException;
import io.orchiddb.router.shard.RouterException.Reason;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error response of the gateway, in one place: the mapping from {@link RouterException}
 * reasons to HTTP statuses ({@link #status}), the JSON error body, and the server-wide
 * {@link #HANDLER} that renders what Armeria itself refuses (no route, body too large, request
 * timed out, malformed HTTP) in the same shape. A response never carries a stack trace or an
 * exception's text: unexpected failures are logged here and answered with a fixed message.
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  static final String NOT_FOUND = "NOT_FOUND";
  static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
  static final String INTERNAL_MESSAGE = "internal error (see the router log)";
  /** Seconds a client should wait before retrying after NO_QUORUM. */
  static final String RETRY_AFTER_SECONDS = "1";

  /**
   * What an arrived request is doing; decides what a request timeout means for it. Unset while
   * the request is still arriving.
   */
  enum Phase { READING, WRITING }

  static final AttributeKey<Phase> PHASE = AttributeKey.valueOf(HttpErrors.class, "phase");

  private HttpErrors() {}

  /** The HTTP status for a router failure: the one mapping, shared by every endpoint. */
  static HttpStatus status(RouterException e) {
    return switch (e.reason()) {
      // A request over request-bytes-max is "too large" however it was detected.
      case LIMIT_EXCEEDED -> e.atCapacity() ? HttpStatus.SERVICE_UNAVAILABLE
          : "request-bytes-max".equals(e.metadata().get("limit")) ? HttpStatus.REQUEST_ENTITY_TOO_LARGE
          : HttpStatus.BAD_REQUEST;
      case BAD_REQUEST -> HttpStatus.BAD_REQUEST;
      // Conditions are query parameters or batch fields, not If-Match headers, so 409 rather than 412.
      case CONDITION_FAILED -> HttpStatus.CONFLICT;
      case NO_QUORUM -> HttpStatus.SERVICE_UNAVAILABLE;
      case OUTCOME_UNKNOWN, DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  static RouterException badRequest(String field, String message) {
    return new RouterException(Reason.BAD_REQUEST, field + ": " + message, Map.of("field", field));
  }

  static HttpResponse response(RouterException e) {
    return respond(status(e), JsonCodec.error(e.reason().name(), e.getMessage(), e.metadata()));
  }

  static HttpResponse notFound(String message) {
    return respond(HttpStatus.NOT_FOUND, JsonCodec.error(NOT_FOUND, message, Map.of()));
  }

  /** The response for any failure of a request on {@code ctx}. */
  static HttpResponse response(ServiceRequestContext ctx, Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof RouterException e) {
      return response(e);
    }
    if (t instanceof ContentTooLargeException e) {
      return render(HttpStatus.REQUEST_ENTITY_TOO_LARGE, null, e).toHttpResponse();
    }
    if (t instanceof RequestTimeoutException) {
      return timedOut(ctx);
    }
    if (t instanceof HttpStatusException e) {
      return render(e.httpStatus(), null, e.getCause()).toHttpResponse();
    }
    if (t instanceof HttpResponseException e) {
      return e.httpResponse();
    }
    if (isGone(t)) {
      // The response was already sent (e.g. an early 413) or the client went away: nothing to answer.
      LOG.debug("request on {} ended early: {}", ctx == null ? "?" : ctx.path(), t.toString());
      return HttpResponse.ofFailure(t);
    }
    LOG.error("internal error serving {} {}", ctx == null ? "?" : ctx.method(), ctx == null ? "?" : ctx.path(), t);
    return response(new RouterException(Reason.INTERNAL, INTERNAL_MESSAGE));
  }

  /**
   * A request that ran out of time: 408 while it was still arriving (nothing was done), otherwise
   * as the router reports its own timeouts (a write's outcome is then unknown).
   */
  private static HttpResponse timedOut(ServiceRequestContext ctx) {
    Phase phase = ctx == null ? null : ctx.attr(PHASE);
    if (phase == null) {
      return render(HttpStatus.REQUEST_TIMEOUT, null, null).toHttpResponse();
    }
    return response(phase == Phase.WRITING
        ? new RouterException(Reason.OUTCOME_UNKNOWN,
            "the write did not complete in time; it may or may not have been applied")
        : new RouterException(Reason.DEADLINE_EXCEEDED, "the read did not complete in time"));
  }

  private static HttpResponse respond(HttpStatus status, ObjectNode body) {
    return aggregated(status, body).toHttpResponse();
  }

  private static AggregatedHttpResponse aggregated(HttpStatus status, ObjectNode body) {
    var headers = ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
    if (status == HttpStatus.SERVICE_UNAVAILABLE) {
      headers.add("retry-after", RETRY_AFTER_SECONDS);
    }
    return AggregatedHttpResponse.of(headers.build(), HttpData.wrap(JsonCodec.bytes(body)));
  }

  /** A JSON body for a status Armeria produced itself (no route, wrong method, limits, bad HTTP). */
  static AggregatedHttpResponse render(HttpStatus status, String path, Throwable cause) {
    int code = status.code();
    if (code == 404) {
      return aggregated(status, JsonCodec.error(NOT_FOUND, "no such endpoint" + (path == null ? "" : ": " + path)
          + " (a key is one path segment: percent-encode '/' in keys as %2F)", Map.of()));
    }
    if (code == 405) {
      return aggregated(status, JsonCodec.error(METHOD_NOT_ALLOWED, "this endpoint does not take that method", Map.of()));
    }
    if (code == 413) {
      String limit = cause instanceof ContentTooLargeException e && e.maxContentLength() > 0
          ? "the limit of " + e.maxContentLength() + " bytes" : "the limit";
      return aggregated(status, JsonCodec.error(Reason.LIMIT_EXCEEDED.name(),
          "request-bytes-max: the request body is larger than " + limit, Map.of("limit", "request-bytes-max")));
    }
    if (code == 414 || code == 431) {
      return aggregated(status, JsonCodec.error(Reason.LIMIT_EXCEEDED.name(),
          "url-bytes-max: the request line or headers are longer than " + HttpGateway.URL_BYTES_MAX + " bytes",
          Map.of("limit", "url-bytes-max")));
    }
    if (code == 408) {
      return aggregated(status, JsonCodec.error(Reason.DEADLINE_EXCEEDED.name(),
          "the request did not arrive in full within http-idle-timeout-ms; nothing was applied", Map.of()));
    }
    if (status.isClientError()) {
      return aggregated(status, JsonCodec.error(Reason.BAD_REQUEST.name(), status.reasonPhrase(), Map.of()));
    }
    return aggregated(status, JsonCodec.error(status.code() == 500 ? Reason.INTERNAL.name()
        : status.reasonPhrase().toUpperCase(Locale.ROOT).replace(' ', '_'), status.reasonPhrase(), Map.of()));
  }

  private static boolean isGone(Throwable t) {
    return t instanceof ResponseCompleteException || t instanceof ClosedSessionException
        || t instanceof ClosedStreamException || t instanceof AbortedStreamException
        || t instanceof CancellationException;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Renders Armeria's own errors and failures escaping a service the same way as the gateway's. */
  static final ServerErrorHandler HANDLER = new ServerErrorHandler() {
    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      return response(ctx, cause);
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
        RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
      return render(status, headers == null ? null : headers.path(), cause);
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers,
        HttpStatus status, String description, Throwable cause) {
      return render(status, null, cause);
    }
  };
}
