package io.orchiddb.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.Server;
import io.orchiddb.router.shard.RouterException;
import io.orchiddb.router.shard.RouterException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proves the gateway's one mapping from router failure reasons to HTTP statuses (every reason is
 * listed here, so adding one without deciding its status fails this test), the JSON error shape,
 * and that an unexpected failure, thrown or returned by a service behind a real Armeria server
 * with the gateway's error handler, answers 500 with a fixed message: no exception name, no
 * exception message, no stack trace.
 */
class HttpErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "secret-internal-detail";

  @Test
  void everyReasonMapsToItsStatus() {
    Map<Reason, Integer> expected = new EnumMap<>(Reason.class);
    expected.put(Reason.LIMIT_EXCEEDED, 400);
    expected.put(Reason.BAD_REQUEST, 400);
    expected.put(Reason.CONDITION_FAILED, 409);
    expected.put(Reason.NO_QUORUM, 503);
    expected.put(Reason.OUTCOME_UNKNOWN, 504);
    expected.put(Reason.DEADLINE_EXCEEDED, 504);
    expected.put(Reason.INTERNAL, 500);
    assertThat(expected.keySet()).containsExactlyInAnyOrder(Reason.values());
    for (Reason r : Reason.values()) {
      assertThat(HttpErrors.status(new RouterException(r, "m")).code()).as(r.name()).isEqualTo(expected.get(r));
    }
  }

  @Test
  void theRequestSizeLimitIs413WhicheverLayerSawIt() {
    RouterException request = new RouterException(Reason.LIMIT_EXCEEDED, "request-bytes-max: too big",
        Map.of("limit", "request-bytes-max"));
    RouterException value = new RouterException(Reason.LIMIT_EXCEEDED, "value-bytes-max: too big",
        Map.of("limit", "value-bytes-max"));
    assertThat(HttpErrors.status(request).code()).isEqualTo(413);
    assertThat(HttpErrors.status(value).code()).isEqualTo(400);
  }

  @Test
  void aConnectionLimitIs503ForHttpAndUnavailableForGrpc() {
    for (String limit : new String[] {"http-connections-max", "grpc-connections-max"}) {
      RouterException full = RouterException.capacity(limit, "full");
      assertThat(full.atCapacity()).isTrue();
      assertThat(HttpErrors.status(full).code()).isEqualTo(503);
      assertThat(full.toStatusProto().getCode()).isEqualTo(com.google.rpc.Code.UNAVAILABLE_VALUE);
    }
    RouterException key = RouterException.limit("key-bytes-max", "too long");
    assertThat(key.atCapacity()).isFalse();
    assertThat(key.toStatusProto().getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
  }

  @Test
  void errorBodyCarriesReasonMessageAndMetadata() throws Exception {
    AggregatedHttpResponse r = HttpErrors.response(new RouterException(Reason.CONDITION_FAILED,
        "condition failed; the key's current version is 42", Map.of("current_version", "42"))).aggregate().join();
    assertThat(r.status().code()).isEqualTo(409);
    assertThat(r.contentType().toString()).startsWith("application/json");
    JsonNode e = JSON.readTree(r.contentUtf8()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("CONDITION_FAILED");
    assertThat(e.get("message").asText()).isEqualTo("condition failed; the key's current version is 42");
    assertThat(e.get("current_version").isNumber()).isTrue();
    assertThat(e.get("current_version").asLong()).isEqualTo(42);

    JsonNode limit = JSON.readTree(HttpErrors.response(new RouterException(Reason.LIMIT_EXCEEDED,
        "key-bytes-max: key is 1025 bytes; the limit is 1024", Map.of("limit", "key-bytes-max")))
        .aggregate().join().contentUtf8()).get("error");
    assertThat(limit.get("limit").asText()).isEqualTo("key-bytes-max");

    AggregatedHttpResponse busy = HttpErrors.response(new RouterException(Reason.NO_QUORUM, "no leader"))
        .aggregate().join();
    assertThat(busy.headers().get("retry-after")).isEqualTo(HttpErrors.RETRY_AFTER_SECONDS);
  }

  @Test
  void anUnexpectedFailureIs500WithoutDetails() {
    Throwable failure = new IllegalStateException(SECRET, new IOException(SECRET + "-cause"));
    assertInternal(HttpErrors.response(null, failure).aggregate().join());
    assertInternal(HttpErrors.response(null, new java.util.concurrent.CompletionException(failure)).aggregate().join());
  }

  @Test
  void failuresEscapingAServiceAre500WithoutDetailsOnTheWire() throws Exception {
    Server server = Server.builder().http(0).errorHandler(HttpErrors.HANDLER)
        .service("/throws", (ctx, req) -> {
          throw new IllegalStateException(SECRET, new IOException(SECRET + "-cause"));
        })
        .service("/fails", (ctx, req) -> HttpResponse.ofFailure(new UncheckedIOException(new IOException(SECRET))))
        .service("/later", (ctx, req) -> HttpResponse.of(CompletableFuture.failedFuture(new NullPointerException(SECRET))))
        .build();
    server.start().join();
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (String path : new String[] {"/throws", "/fails", "/later"}) {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.activeLocalPort() + path))
            .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(500);
        assertCleanInternal(r.body());
      }
      // Armeria's own refusals come out as the same JSON shape.
      var missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.activeLocalPort() + "/x"))
          .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(missing.body()).get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    } finally {
      server.stop().join();
    }
  }

  private static void assertInternal(AggregatedHttpResponse r) {
    assertThat(r.status().code()).isEqualTo(500);
    assertCleanInternal(r.contentUtf8());
  }

  private static void assertCleanInternal(String body) {
    assertThat(body).doesNotContain(SECRET).doesNotContain("Exception").doesNotContain("\tat ")
        .doesNotContainPattern("\\bat [\\w.$]+\\(");
    try {
      JsonNode e = JSON.readTree(body).get("error");
      assertThat(e.get("code").asText()).isEqualTo("INTERNAL");
      assertThat(e.get("message").asText()).isEqualTo(HttpErrors.INTERNAL_MESSAGE);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
