package io.orchiddb.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orchiddb.router.DevCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the HTTP gateway end to end with a plain {@link HttpClient} against a real 3-node cluster
 * with 4 shards and a router on loopback: the curl shortcuts exactly as the README shows them,
 * every JSON endpoint, each error status with the limit or field named and nothing written, keys
 * with any bytes (percent-encoded or base64), and session reads that always see the client's own
 * writes. Error bodies are checked to never contain a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpGatewayIT {
  @TempDir
  static Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 20_251_125L;

  private DevCluster cluster;
  private HttpClient http;
  private String base;

  @BeforeAll
  void start() throws Exception {
    // A long idle timeout: the client's pooled connection must not be closed under it between
    // tests (HttpFailuresIT covers the idle timeout itself).
    cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "4", "election-timeout-ms", "500"),
        Map.of("grpc-port", "0", "http-port", "0", "http-idle-timeout-ms", "60000"));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    base = "http://127.0.0.1:" + cluster.router().httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  // ---- client helpers ---------------------------------------------------------------------------

  private HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
    return send("GET", pathAndQuery, null, headers);
  }

  private HttpResponse<byte[]> put(String pathAndQuery, String value) throws IOException, InterruptedException {
    return send("PUT", pathAndQuery, value.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<byte[]> post(String pathAndQuery, String body) throws IOException, InterruptedException {
    return send("POST", pathAndQuery, body.getBytes(StandardCharsets.UTF_8));
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return JSON.readTree(r.body());
  }

  /** Asserts an error response: status, code, and that the body is clean JSON without a stack trace. */
  static JsonNode error(HttpResponse<byte[]> r, int status, String code) throws IOException {
    assertThat(r.statusCode()).as(text(r)).isEqualTo(status);
    assertNoStackTrace(text(r));
    JsonNode e = json(r).get("error");
    assertThat(e.get("code").asText()).as(text(r)).isEqualTo(code);
    assertThat(e.get("message").asText()).isNotBlank();
    return e;
  }

  /** No stack frame ("at pkg.Class.method(File.java:12)") and no "Caused by". */
  static void assertNoStackTrace(String body) {
    assertThat(body).doesNotContainPattern("\\bat [\\w.$]+\\(").doesNotContain("Caused by").doesNotContain("\tat ");
  }

  /** Percent-encodes every byte except RFC 3986 unreserved characters. */
  static String pct(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
        s.append((char) c);
      } else {
        s.append('%').append(String.format("%02X", c));
      }
    }
    return s.toString();
  }

  static String pct(String s) {
    return pct(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // ---- the curl shortcuts -----------------------------------------------------------------------

  @Test
  void curlShortcutsWorkExactlyAsWritten() throws Exception {
    HttpResponse<byte[]> p = get("/put?key2=baz");
    assertThat(p.statusCode()).isIn(200, 201);
    assertThat(text(p)).isEqualTo("OK\n");

    HttpResponse<byte[]> g = get("/get/key2");
    assertThat(g.statusCode()).isEqualTo(200);
    assertThat(text(g)).isEqualTo("baz");
    assertThat(g.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));

    HttpResponse<byte[]> d = get("/delete/key2");
    assertThat(d.statusCode()).isEqualTo(200);
    assertThat(text(d)).isEqualTo("OK\n");
    error(get("/get/key2"), 404, "NOT_FOUND");

    // 201 when /put creates the key, 200 when it replaces it.
    assertThat(get("/put?shortcut-new=1").statusCode()).isEqualTo(201);
    assertThat(get("/put?shortcut-new=2").statusCode()).isEqualTo(200);
    assertThat(text(get("/get/shortcut-new"))).isEqualTo("2");
    error(get("/put?a=1&b=2"), 400, "BAD_REQUEST");
  }

  // ---- JSON API -----------------------------------------------------------------------------------

  @Test
  void putGetDeleteWithVersionsAndStatuses() throws Exception {
    HttpResponse<byte[]> p1 = put("/v1/kv/alpha", "1");
    assertThat(p1.statusCode()).isEqualTo(201);
    JsonNode j1 = json(p1);
    long v1 = j1.get("version").asLong();
    assertThat(v1).isPositive();
    assertThat(j1.get("previous_version").asLong()).isZero();
    assertThat(j1.get("created").asBoolean()).isTrue();
    assertThat(j1.get("session").asText()).isNotEmpty();
    assertThat(p1.headers().firstValue("x-orchid-session")).contains(j1.get("session").asText());

    HttpResponse<byte[]> p2 = put("/v1/kv/alpha", "2");
    assertThat(p2.statusCode()).isEqualTo(200);
    long v2 = json(p2).get("version").asLong();
    assertThat(v2).isGreaterThan(v1);
    assertThat(json(p2).get("previous_version").asLong()).isEqualTo(v1);
    assertThat(json(p2).get("created").asBoolean()).isFalse();

    HttpResponse<byte[]> g = get("/v1/kv/alpha");
    assertThat(g.statusCode()).isEqualTo(200);
    JsonNode kv = json(g);
    assertThat(kv.get("key").asText()).isEqualTo("alpha");
    assertThat(kv.get("value").asText()).isEqualTo("2");
    assertThat(kv.get("version").asLong()).isEqualTo(v2);
    assertThat(kv.get("create_version").asLong()).isEqualTo(v1);
    assertThat(kv.get("modify_time_ms").asLong()).isPositive();
    assertThat(kv.get("served_by").asText()).isIn("n1", "n2", "n3");
    assertThat(kv.get("applied_index").asLong()).isGreaterThanOrEqualTo(v2);
    assertThat(kv.get("session").asText()).isNotEmpty();

    for (String level : List.of("strong", "session", "eventual", "STRONG")) {
      HttpResponse<byte[]> r = get("/v1/kv/alpha?consistency=" + level, "X-Orchid-Session", kv.get("session").asText());
      assertThat(r.statusCode()).as(level).isEqualTo(200);
    }
    error(get("/v1/kv/alpha?consistency=linearizable"), 400, "BAD_REQUEST");

    HttpResponse<byte[]> d = send("DELETE", "/v1/kv/alpha", null);
    assertThat(d.statusCode()).isEqualTo(200);
    assertThat(json(d).get("deleted").asBoolean()).isTrue();
    assertThat(json(d).get("previous_version").asLong()).isEqualTo(v2);
    assertThat(json(d).get("index").asLong()).isGreaterThan(v2);
    error(get("/v1/kv/alpha"), 404, "NOT_FOUND");
    HttpResponse<byte[]> again = send("DELETE", "/v1/kv/alpha", null);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).get("deleted").asBoolean()).isFalse();
  }

  @Test
  void failedConditionsAre409WithTheCurrentVersion() throws Exception {
    long v = json(put("/v1/kv/cond", "a")).get("version").asLong();
    JsonNode e = error(put("/v1/kv/cond?if_absent=true", "b"), 409, "CONDITION_FAILED");
    assertThat(e.get("current_version").asLong()).isEqualTo(v);
    assertThat(e.get("current_version").isNumber()).isTrue();

    HttpResponse<byte[]> ok = put("/v1/kv/cond?if_version=" + v, "c");
    assertThat(ok.statusCode()).isEqualTo(200);
    long v2 = json(ok).get("version").asLong();
    assertThat(error(put("/v1/kv/cond?if_version=" + v, "d"), 409, "CONDITION_FAILED").get("current_version").asLong())
        .isEqualTo(v2);
    assertThat(error(send("DELETE", "/v1/kv/cond?if_value=not-c", null), 409, "CONDITION_FAILED")
        .get("current_version").asLong()).isEqualTo(v2);
    assertThat(json(get("/v1/kv/cond")).get("value").asText()).isEqualTo("c");
    assertThat(send("DELETE", "/v1/kv/cond?if_value=c", null).statusCode()).isEqualTo(200);
    assertThat(put("/v1/kv/cond?if_absent=true", "e").statusCode()).isEqualTo(201);

    // Two conditions, a typo'd parameter, a bad number: refused naming the parameter, nothing written.
    assertThat(error(put("/v1/kv/cond?if_absent=true&if_version=1", "x"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("if_version");
    assertThat(error(put("/v1/kv/cond?if_verison=1", "x"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("if_verison");
    assertThat(error(put("/v1/kv/cond?if_version=seven", "x"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("if_version");
    assertThat(json(get("/v1/kv/cond")).get("value").asText()).isEqualTo("e");
  }

  @Test
  void batchReportsEachOpAndIsAtomicPerShard() throws Exception {
    StringBuilder ops = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      ops.append("{\"op\":\"put\",\"key\":\"batch-").append(i).append("\",\"value\":\"v").append(i).append("\"},");
    }
    ops.append("{\"op\":\"put\",\"key\":\"batch-0\",\"value\":\"again\",\"if_version\":987654321}");
    HttpResponse<byte[]> r = post("/v1/batch", "{\"ops\":[" + ops + "]}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode results = json(r).get("results");
    assertThat(results).hasSize(41);
    assertThat(results.get(40).get("outcome").asText()).isEqualTo("CONDITION_FAILED");
    assertThat(results.get(0).get("outcome").asText()).isEqualTo("ABORTED");
    int applied = 0;
    for (int i = 0; i < 40; i++) {
      String outcome = results.get(i).get("outcome").asText();
      int status = get("/v1/kv/batch-" + i).statusCode();
      if (outcome.equals("APPLIED")) {
        applied++;
        assertThat(status).isEqualTo(200);
        assertThat(results.get(i).get("version").asLong()).isPositive();
      } else {
        assertThat(outcome).isEqualTo("ABORTED");
        assertThat(status).isEqualTo(404);
      }
    }
    assertThat(applied).isBetween(1, 39);

    HttpResponse<byte[]> del = post("/v1/batch", "{\"ops\":[{\"op\":\"delete\",\"key\":\"batch-1\"},"
        + "{\"op\":\"put\",\"key\":\"batch-new\",\"value\":\"n\",\"if_absent\":true}]}");
    assertThat(json(del).get("results").findValuesAsText("outcome")).containsOnly("APPLIED");
    assertThat(json(del).get("session").asText()).isNotEmpty();
  }

  @Test
  void getManyAnswersEveryKeyInOrderAndNamesBadFields() throws Exception {
    post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"gm-a\",\"value\":\"1\"},"
        + "{\"op\":\"put\",\"key\":\"gm-b\",\"value\":\"2\"}]}");
    HttpResponse<byte[]> r = post("/v1/getmany?consistency=strong", "{\"keys\":[\"gm-b\",\"gm-none\",\"gm-a\"]}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode results = json(r).get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).get("found").asBoolean()).isTrue();
    assertThat(results.get(0).get("key").asText()).isEqualTo("gm-b");
    assertThat(results.get(0).get("value").asText()).isEqualTo("2");
    assertThat(results.get(0).get("version").asLong()).isPositive();
    assertThat(results.get(1).get("found").asBoolean()).isFalse();
    assertThat(results.get(1).has("value")).isFalse();
    assertThat(results.get(2).get("value").asText()).isEqualTo("1");
    assertThat(json(r).get("session").asText()).isNotEmpty();

    assertThat(error(post("/v1/getmany", "{\"keys\":[\"a\",7]}"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("keys[1]");
    assertThat(error(post("/v1/getmany", "{\"key\":[\"a\"]}"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("key");
    assertThat(error(post("/v1/getmany", "{\"keys\":[]}"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("keys");
    assertThat(error(post("/v1/getmany?consistency=sometimes", "{\"keys\":[\"a\"]}"), 400, "BAD_REQUEST")
        .get("field").asText()).isEqualTo("consistency");
    StringBuilder many = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < 1025; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
    }
    assertThat(error(post("/v1/getmany", many + "]}"), 400, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("batch-ops-max");
  }

  @Test
  void putManyWritesEachPutAndAnswersEachAndNamesBadFields() throws Exception {
    post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"pm-taken\",\"value\":\"old\"}]}");
    HttpResponse<byte[]> r = post("/v1/putmany", "{\"puts\":[{\"key\":\"pm-a\",\"value\":\"1\"},"
        + "{\"key\":\"pm-taken\",\"value\":\"new\",\"if_absent\":true},{\"key\":\"pm-b\",\"value\":\"2\"}]}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode results = json(r).get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).get("version").asLong()).isPositive();
    assertThat(results.get(0).get("created").asBoolean()).isTrue();
    JsonNode conflict = results.get(1).get("error");
    assertThat(conflict.get("code").asText()).isEqualTo("CONDITION_FAILED");
    assertThat(conflict.get("current_version").asLong()).isPositive();
    assertThat(conflict.get("message").asText()).doesNotContain("Exception");
    assertThat(results.get(2).get("version").asLong()).isPositive();
    assertThat(json(r).get("session").asText()).isNotEmpty();
    HttpResponse<byte[]> got = post("/v1/getmany", "{\"keys\":[\"pm-a\",\"pm-taken\",\"pm-b\"]}");
    assertThat(json(got).get("results").findValuesAsText("value")).containsExactly("1", "old", "2");

    assertThat(error(post("/v1/putmany", "{\"puts\":[{\"key\":\"a\"}]}"), 400, "BAD_REQUEST").get("field").asText())
        .isEqualTo("puts[0].value");
    assertThat(error(post("/v1/putmany", "{\"puts\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"1\"}]}"), 400,
        "BAD_REQUEST").get("field").asText()).isEqualTo("puts[0].op");
    assertThat(error(post("/v1/putmany", "{\"put\":[]}"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("put");
    assertThat(error(post("/v1/putmany", "{\"puts\":[]}"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("puts");
    StringBuilder many = new StringBuilder("{\"puts\":[");
    for (int i = 0; i < 1025; i++) {
      many.append(i == 0 ? "" : ",").append("{\"key\":\"pm-limit-").append(i).append("\",\"value\":\"v\"}");
    }
    assertThat(error(post("/v1/putmany", many + "]}"), 400, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("batch-ops-max");
    assertThat(json(post("/v1/getmany", "{\"keys\":[\"pm-limit-0\"]}")).get("results").get(0).get("found").asBoolean())
        .isFalse();
  }

  @Test
  void malformedBatchesNameTheField() throws Exception {
    assertThat(error(post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"},{\"op\":\"upsert\",\"key\":\"k\"}]}"),
        400, "BAD_REQUEST").get("field").asText()).isEqualTo("ops[1].op");
    assertThat(error(post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"k\"}]}"), 400, "BAD_REQUEST")
        .get("field").asText()).isEqualTo("ops[0].value");
    assertThat(error(post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"if_version\":\"3\"}]}"),
        400, "BAD_REQUEST").get("field").asText()).isEqualTo("ops[0].if_version");
    assertThat(error(post("/v1/batch", "{\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"valeu\":\"v\"}]}"), 400, "BAD_REQUEST")
        .get("field").asText()).isEqualTo("ops[0].valeu");
    assertThat(error(post("/v1/batch", "{\"ops\":[]}"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("ops");
    JsonNode e = error(post("/v1/batch", "{\"ops\":[{\"op\":"), 400, "BAD_REQUEST");
    assertThat(e.get("field").asText()).isEqualTo("body");
    assertThat(e.get("message").asText()).doesNotContain("Source").doesNotContain("line:");
    assertThat(error(post("/v1/batch", "[1,2]"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("body");
    error(get("/v1/kv/k"), 404, "NOT_FOUND");
  }

  @Test
  void scanIsOrderedAndPaginatedAcrossShards() throws Exception {
    List<String> keys = new ArrayList<>();
    StringBuilder ops = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      String k = String.format("scan/%04d", i);
      keys.add(k);
      ops.append(i > 0 ? "," : "").append("{\"op\":\"put\",\"key\":\"").append(k).append("\",\"value\":\"v").append(i).append("\"}");
    }
    HttpResponse<byte[]> w = post("/v1/batch", "{\"ops\":[" + ops + "]}");
    assertThat(json(w).get("results").findValuesAsText("outcome")).containsOnly("APPLIED");

    List<String> seen = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      HttpResponse<byte[]> page = get("/v1/kv?prefix=scan/&limit=100" + (next == null ? "" : "&after=" + next));
      assertThat(page.statusCode()).as(text(page)).isEqualTo(200);
      JsonNode j = json(page);
      j.get("kvs").forEach(kv -> {
        seen.add(kv.get("key").asText());
        assertThat(kv.get("value").asText()).startsWith("v");
        assertThat(kv.get("version").asLong()).isPositive();
      });
      next = j.get("next").isNull() ? null : j.get("next").asText();
      pages++;
      assertThat(pages).isLessThanOrEqualTo(4);
    } while (next != null);
    assertThat(seen).containsExactlyElementsOf(keys);
    assertThat(pages).isEqualTo(3);

    // Eventual: the replica it reads may not have applied the batch yet (allowed); it catches up.
    JsonNode range;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    do {
      range = json(get("/v1/kv?start=scan/0100&end=scan/0103&keys_only=true&consistency=eventual"));
    } while (range.get("kvs").size() < 3 && System.nanoTime() < deadline);
    assertThat(range.get("kvs").findValuesAsText("key")).containsExactly("scan/0100", "scan/0101", "scan/0102");
    assertThat(range.get("kvs").findValues("value")).isEmpty();
    assertThat(range.get("next").isNull()).isTrue();

    // A continuation that is not base64, and one that is base64 but not a continuation: "after" named.
    assertThat(error(get("/v1/kv?prefix=scan/&after=!!!"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("after");
    assertThat(error(get("/v1/kv?prefix=scan/&after=" + b64url("garbage!".getBytes(StandardCharsets.UTF_8))), 400,
        "BAD_REQUEST").get("field").asText()).isEqualTo("after");
    assertThat(error(get("/v1/kv?limit=10001"), 400, "LIMIT_EXCEEDED").get("limit").asText()).isEqualTo("scan-limit-max");
    assertThat(error(get("/v1/kv?limit=-1"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("limit");
    assertThat(error(get("/v1/kv?start=b&end=a"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("end");
  }

  // ---- limits and errors --------------------------------------------------------------------------

  @Test
  void limitsAreRefusedWithTheLimitNamedAndNothingWritten() throws Exception {
    String key1025 = "k".repeat(1025);
    JsonNode e = error(put("/v1/kv/" + key1025, "v"), 400, "LIMIT_EXCEEDED");
    assertThat(e.get("limit").asText()).isEqualTo("key-bytes-max");
    assertThat(e.get("message").asText()).isEqualTo("key-bytes-max: key is 1025 bytes; the limit is 1024");
    assertThat(error(get("/v1/kv/" + key1025), 400, "LIMIT_EXCEEDED").get("limit").asText()).isEqualTo("key-bytes-max");
    assertThat(error(put("/v1/kv/", "v"), 400, "LIMIT_EXCEEDED").get("limit").asText()).isEqualTo("key-bytes-max");
    assertThat(error(get("/v1/kv/"), 400, "LIMIT_EXCEEDED").get("limit").asText()).isEqualTo("key-bytes-max");

    // 1 MiB + 1 fits the 4 MiB request cap, so the router's value limit answers: 400, not 413.
    byte[] value = new byte[1024 * 1024 + 1];
    assertThat(error(send("PUT", "/v1/kv/big", value), 400, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("value-bytes-max");
    // Over request-bytes-max the body is not even read: 413.
    byte[] huge = new byte[4 * 1024 * 1024 + 1];
    assertThat(error(send("PUT", "/v1/kv/big", huge), 413, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("request-bytes-max");

    StringBuilder ops = new StringBuilder();
    for (int i = 0; i < 1025; i++) {
      ops.append(i > 0 ? "," : "").append("{\"op\":\"put\",\"key\":\"b1025-").append(i).append("\",\"value\":\"v\"}");
    }
    assertThat(error(post("/v1/batch", "{\"ops\":[" + ops + "]}"), 400, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("batch-ops-max");

    error(get("/v1/kv/big"), 404, "NOT_FOUND");
    error(get("/v1/kv/b1025-0"), 404, "NOT_FOUND");
    // One byte under each limit is fine.
    assertThat(send("PUT", "/v1/kv/" + "k".repeat(1024), new byte[1024 * 1024]).statusCode()).isEqualTo(201);
  }

  @Test
  void unknownEndpointsMethodsAndParametersAreCleanJsonErrors() throws Exception {
    error(get("/nope"), 404, "NOT_FOUND");
    error(get("/v1/kv/a/b"), 404, "NOT_FOUND");
    error(send("POST", "/v1/kv/x", new byte[] {1}), 405, "METHOD_NOT_ALLOWED");
    assertThat(error(get("/v1/kv/x?bogus=1"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("bogus");
    assertThat(error(get("/v1/kv/x?encoding=hex"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("encoding");
    assertThat(error(get("/v1/kv/x?session=%21%21"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("session");
    // Armeria's own refusals (a path-traversal segment, a request line over 64 KiB) are JSON too.
    error(get("/v1/kv/%2E%2E"), 400, "BAD_REQUEST");
    assertThat(error(get("/v1/kv/" + "k".repeat(70_000)), 414, "LIMIT_EXCEEDED").get("limit").asText())
        .isEqualTo("url-bytes-max");
  }

  // ---- keys with any bytes ----------------------------------------------------------------------

  @Test
  void percentEncodedKeysKeepEveryByte() throws Exception {
    for (String key : List.of("a/b c", "users/42/name", "ключ ü €", "50%+;?#&=", "a+b", "日本/語", ".", "a..b")) {
      String path = pct(key);
      HttpResponse<byte[]> p = put("/v1/kv/" + path, "value of " + key);
      assertThat(p.statusCode()).as("%s: %s", key, text(p)).isEqualTo(201);
      JsonNode g = json(get("/v1/kv/" + path));
      assertThat(g.get("key").asText()).isEqualTo(key);
      assertThat(g.get("value").asText()).isEqualTo("value of " + key);
      assertThat(text(get("/get/" + path))).isEqualTo("value of " + key);
      // The stored key is exactly the UTF-8 bytes: the same key in base64 finds it.
      byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
      JsonNode b = json(get("/v1/kv/" + b64url(utf8) + "?encoding=base64"));
      assertThat(Base64.getDecoder().decode(b.get("key").asText())).isEqualTo(utf8);
      assertThat(Base64.getDecoder().decode(b.get("value").asText())).isEqualTo(("value of " + key).getBytes(StandardCharsets.UTF_8));
    }
    // The shortcut decodes its query as a form: '+' is a space there.
    assertThat(get("/put?" + pct("q/k é") + "=x+y").statusCode()).isEqualTo(201);
    assertThat(json(get("/v1/kv/" + pct("q/k é"))).get("value").asText()).isEqualTo("x y");
    // A bare ';' would cut the key short in Armeria's path handling: refused, not truncated.
    assertThat(error(put("/v1/kv/semi;colon", "v"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("key");
    error(get("/v1/kv/semi"), 404, "NOT_FOUND");
    // Bytes that are not UTF-8 can be percent-encoded too; JSON then needs base64 to show them.
    byte[] raw = {(byte) 0xFF, (byte) 0xFE, 'x'};
    assertThat(put("/v1/kv/" + pct(raw), "binary key").statusCode()).isEqualTo(201);
    assertThat(error(get("/v1/kv/" + pct(raw)), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("encoding");
    JsonNode b = json(get("/v1/kv/" + b64url(raw) + "?encoding=base64"));
    assertThat(Base64.getDecoder().decode(b.get("key").asText())).isEqualTo(raw);
    assertThat(text(get("/get/" + pct(raw)))).isEqualTo("binary key");
  }

  @Test
  void base64KeysAndValuesRoundTripAnyBytes() throws Exception {
    Random random = new Random(SEED);
    System.out.println("HttpGatewayIT seed " + SEED);
    for (int i = 0; i < 20; i++) {
      byte[] key = new byte[1 + random.nextInt(64)];
      random.nextBytes(key);
      key[0] = (byte) i; // distinct keys, and key 0 starts with a NUL byte
      byte[] value = new byte[random.nextInt(2048)];
      random.nextBytes(value);
      String k = b64url(key);
      HttpResponse<byte[]> p = send("PUT", "/v1/kv/" + k + "?encoding=base64", value);
      assertThat(p.statusCode()).as(text(p)).isIn(200, 201);
      JsonNode g = json(get("/v1/kv/" + k + "?encoding=base64"));
      assertThat(Base64.getDecoder().decode(g.get("key").asText())).isEqualTo(key);
      assertThat(Base64.getDecoder().decode(g.get("value").asText())).isEqualTo(value);
    }
    // Batch, conditions and scans take base64 too (either alphabet, padding optional).
    byte[] prefix = {0x00, (byte) 0xFF, 0x10};
    byte[] k1 = {0x00, (byte) 0xFF, 0x10, 0x01};
    byte[] k2 = {0x00, (byte) 0xFF, 0x10, 0x02};
    String body = "{\"ops\":[{\"op\":\"put\",\"key\":\"" + Base64.getEncoder().encodeToString(k1) + "\",\"value\":\"AAEC\"},"
        + "{\"op\":\"put\",\"key\":\"" + b64url(k2) + "\",\"value\":\"/w==\",\"if_absent\":true}]}";
    HttpResponse<byte[]> w = post("/v1/batch?encoding=base64", body);
    assertThat(json(w).get("results").findValuesAsText("outcome")).as(text(w)).containsOnly("APPLIED");
    JsonNode s = json(get("/v1/kv?encoding=base64&prefix=" + b64url(prefix)));
    assertThat(s.get("kvs").findValuesAsText("key"))
        .containsExactly(Base64.getEncoder().encodeToString(k1), Base64.getEncoder().encodeToString(k2));
    assertThat(s.get("kvs").findValuesAsText("value")).containsExactly("AAEC", "/w==");
    assertThat(send("PUT", "/v1/kv/" + b64url(k2) + "?encoding=base64&if_value=_w", new byte[] {7}).statusCode())
        .isEqualTo(200);
    assertThat(error(get("/v1/kv/!!?encoding=base64"), 400, "BAD_REQUEST").get("field").asText()).isEqualTo("key");
  }

  // ---- sessions, cluster, health ------------------------------------------------------------------

  @Test
  void sessionReadsAlwaysSeeTheClientsOwnWrites() throws Exception {
    Set<String> servedBy = new HashSet<>();
    String token = "";
    for (int i = 0; i < 30; i++) {
      HttpResponse<byte[]> p = send("PUT", "/v1/kv/session", ("v" + i).getBytes(StandardCharsets.UTF_8),
          "X-Orchid-Session", token);
      token = p.headers().firstValue("x-orchid-session").orElseThrow();
      long version = json(p).get("version").asLong();
      // Alternate the header and the query parameter.
      HttpResponse<byte[]> g = i % 2 == 0
          ? get("/v1/kv/session?consistency=session", "X-Orchid-Session", token)
          : get("/v1/kv/session?consistency=session&session=" + token);
      JsonNode j = json(g);
      assertThat(j.get("value").asText()).as("read %s", i).isEqualTo("v" + i);
      assertThat(j.get("version").asLong()).isEqualTo(version);
      servedBy.add(j.get("served_by").asText());
      token = j.get("session").asText();
    }
    // Right after a write a follower may not yet know it is committed, so that read goes to the
    // leader; once followers know, session reads spread over the replicas and still see it. The
    // router moves its stale reads to a replica drawn at random every 512 reads
    // (StaleReadTarget.REPICK_READS), so the spread takes hundreds of reads: with 15 s the test
    // failed when the draws kept one node for that long.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (servedBy.size() < 2 && System.nanoTime() < deadline) {
      JsonNode j = json(get("/v1/kv/session?consistency=session", "X-Orchid-Session", token));
      assertThat(j.get("value").asText()).isEqualTo("v29");
      servedBy.add(j.get("served_by").asText());
    }
    assertThat(servedBy).as("replicas that served session reads").hasSizeGreaterThanOrEqualTo(2);
    error(get("/v1/kv/session?session=" + token, "X-Orchid-Session", token), 400, "BAD_REQUEST");
  }

  @Test
  void clusterStatusShowsShardsLeadersAndIndexes() throws Exception {
    put("/v1/kv/status", "v");
    HttpResponse<byte[]> r = get("/v1/cluster");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode s = json(r);
    assertThat(s.get("map_epoch").asLong()).isPositive();
    assertThat(s.get("nodes").findValuesAsText("id")).containsExactly("n1", "n2", "n3");
    assertThat(s.get("nodes").findValues("reachable")).allMatch(JsonNode::asBoolean);
    assertThat(s.get("shards")).hasSize(4);
    s.get("shards").forEach(shard -> {
      List<String> replicas = new ArrayList<>();
      shard.get("replicas").forEach(n -> replicas.add(n.asText()));
      assertThat(shard.get("leader").asText()).isIn(replicas);
      assertThat(shard.get("commit_index").asLong()).isPositive();
      assertThat(shard.get("epoch").asLong()).isPositive();
      assertThat(shard.get("replica_applied")).hasSize(3);
      assertThat(shard.get("hash_start").isTextual()).isTrue();
    });
  }

  @Test
  void healthIsOkOverHttp1AndHttp2() throws Exception {
    HttpResponse<byte[]> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("status").asText()).isEqualTo("ok");
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r2 = h2.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r2.statusCode()).isEqualTo(200);
    assertThat(r2.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  // ---- /metrics ---------------------------------------------------------------------------------

  /** /metrics as series ("name{label="value",...}", labels sorted by name) → value. */
  private Map<String, Double> scrape() throws Exception {
    HttpResponse<byte[]> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t ->
        assertThat(t).startsWith("text/plain").contains("version=0.0.4"));
    Map<String, Double> series = new java.util.HashMap<>();
    for (String line : text(r).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String name = line.substring(0, space);
      int brace = name.indexOf('{');
      if (brace >= 0) {
        java.util.TreeSet<String> labels = new java.util.TreeSet<>(List.of(name.substring(brace + 1, name.length() - 1).split(",")));
        name = name.substring(0, brace) + "{" + String.join(",", labels) + "}";
      }
      series.put(name, Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
    assertThat(after).as("series %s", series).containsKey(series);
    return after.get(series) - before.getOrDefault(series, 0.0);
  }

  /** The sum of every series of {@code name} (whatever its labels) in {@code after}, less in {@code before}. */
  private static double deltaOfAll(Map<String, Double> before, Map<String, Double> after, String name) {
    double sum = 0;
    for (Map.Entry<String, Double> e : after.entrySet()) {
      if (e.getKey().startsWith(name + "{") || e.getKey().equals(name)) {
        sum += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      }
    }
    return sum;
  }

  @Test
  void metricsCountEveryCallByOperationConsistencyAndOutcomeAndTheEntriesThatCarriedThem() throws Exception {
    Map<String, Double> before = scrape();
    assertThat(put("/v1/kv/metrics-a", "1").statusCode()).isEqualTo(201);
    assertThat(get("/put?metrics-b=2").statusCode()).isEqualTo(201);
    error(put("/v1/kv/metrics-a?if_absent=true", "3"), 409, "CONDITION_FAILED");
    error(put("/v1/kv/" + "k".repeat(1025), "4"), 400, "LIMIT_EXCEEDED"); // one byte over key-bytes-max
    assertThat(get("/v1/kv/metrics-a?consistency=strong").statusCode()).isEqualTo(200);
    // An eventual read may go to a replica that has not applied the write yet: 404, still an "ok" call.
    assertThat(get("/v1/kv/metrics-b?consistency=eventual").statusCode()).isIn(200, 404);
    Map<String, Double> after = scrape();

    String calls = "orchiddb_router_requests_seconds_count";
    assertThat(delta(before, after, calls + "{consistency=\"none\",op=\"put\",outcome=\"ok\"}")).isEqualTo(2);
    assertThat(delta(before, after, calls + "{consistency=\"none\",op=\"put\",outcome=\"condition_failed\"}")).isEqualTo(1);
    assertThat(delta(before, after, calls + "{consistency=\"none\",op=\"put\",outcome=\"limit_exceeded\"}")).isEqualTo(1);
    assertThat(delta(before, after, calls + "{consistency=\"strong\",op=\"get\",outcome=\"ok\"}")).isEqualTo(1);
    assertThat(delta(before, after, calls + "{consistency=\"eventual\",op=\"get\",outcome=\"ok\"}")).isEqualTo(1);
    // The histogram: a strong get on loopback ends within 10 s, and every call is in the +Inf bucket.
    String strongGet = "consistency=\"strong\",le=\"%s\",op=\"get\",outcome=\"ok\"";
    assertThat(delta(before, after, "orchiddb_router_requests_seconds_bucket{" + strongGet.formatted("10.0") + "}")).isEqualTo(1);
    assertThat(delta(before, after, "orchiddb_router_requests_seconds_bucket{" + strongGet.formatted("+Inf") + "}")).isEqualTo(1);
    // Three transactions reached a shard's Raft log (the refused key never did), one get each went to a node.
    assertThat(deltaOfAll(before, after, "orchiddb_router_write_entry_txns_sum")).isEqualTo(3);
    assertThat(deltaOfAll(before, after, "orchiddb_router_read_batch_gets_sum")).isEqualTo(2);
    // The JVM's and the process's own.
    assertThat(after).containsKey("process_resident_memory_bytes");
    assertThat(after.get("process_resident_memory_bytes")).isGreaterThan(1 << 20);
    assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
    assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_gc_pause_seconds_count{") || k.startsWith("jvm_gc_memory_allocated_bytes"));

    // Like every endpoint, it refuses parameters it does not take.
    error(get("/metrics?format=json"), 400, "BAD_REQUEST");
  }
}
