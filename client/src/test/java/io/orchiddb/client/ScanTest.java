package io.orchiddb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the scan iterator fetches pages lazily, follows continuation tokens across pages
 * (including empty pages that still have more), sends the same spec with each token, stops after
 * the page with an empty token, refuses a router that makes no progress, and surfaces a failed page
 * as a typed exception; and that callers can paginate themselves with {@code scanPage}.
 *
 * <p>How: a {@link FakeRouter} serves pages from a map keyed by the continuation token it
 * receives, and records each request.
 */
class ScanTest {
  private FakeRouter router;
  private OrchidClient client;

  @BeforeEach
  void start() {
    router = FakeRouter.start("router");
    client = FakeRouter.clientFor(router.endpoint).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    router.close();
  }

  private static ScanResponse page(String continuation, String... keys) {
    ScanResponse.Builder page = ScanResponse.newBuilder().setContinuation(ByteString.copyFromUtf8(continuation));
    for (String key : keys) {
      page.addKvs(io.orchiddb.api.v1.KeyValue.newBuilder()
          .setKey(ByteString.copyFromUtf8(key))
          .setValue(ByteString.copyFromUtf8("v-" + key))
          .setVersion(1));
    }
    return page.build();
  }

  /** Serves the page stored under the request's continuation token. */
  private void servePages(Map<String, Object> pagesByToken) {
    router.script("Scan", (Function<ScanRequest, Object>) request ->
        pagesByToken.get(request.getContinuation().toStringUtf8()));
  }

  @Test
  void theIteratorFollowsContinuationTokensAcrossPages() {
    servePages(Map.of(
        "", page("t1", "a", "b"),
        "t1", page("t2"), // an empty page that is not the last one
        "t2", page("t3", "c"),
        "t3", page("", "d", "e")));

    ScanIterator keys = client.scan(ScanSpec.prefix("").withPageSize(2).keysOnly(),
        ReadOptions.of(Consistency.EVENTUAL));
    List<String> seen = new ArrayList<>();
    keys.forEachRemaining(kv -> seen.add(kv.keyUtf8()));

    assertThat(seen).containsExactly("a", "b", "c", "d", "e");
    assertThat(keys.pagesFetched()).isEqualTo(4);
    List<ScanRequest> sent = router.received("Scan").stream().map(r -> (ScanRequest) r.request()).toList();
    assertThat(sent).extracting(r -> r.getContinuation().toStringUtf8()).containsExactly("", "t1", "t2", "t3");
    // Every page repeats the first request's spec and options.
    assertThat(sent).allSatisfy(r -> {
      assertThat(r.getLimit()).isEqualTo(2);
      assertThat(r.getKeysOnly()).isTrue();
      assertThat(r.getConsistency()).isEqualTo(io.orchiddb.api.v1.Consistency.EVENTUAL);
    });
    assertThat(keys.hasNext()).isFalse();
    assertThatThrownBy(keys::next).isInstanceOf(NoSuchElementException.class);
    assertThat(router.received("Scan")).hasSize(4);
  }

  @Test
  void pagesAreFetchedOnlyWhenNeeded() {
    servePages(Map.of("", page("t1", "a"), "t1", page("", "b")));

    ScanIterator keys = client.scan(ScanSpec.all());
    assertThat(router.received()).isEmpty();

    assertThat(keys.next().keyUtf8()).isEqualTo("a");
    assertThat(router.received("Scan")).hasSize(1);
    assertThat(keys.next().keyUtf8()).isEqualTo("b");
    assertThat(router.received("Scan")).hasSize(2);
  }

  @Test
  void anEmptyFirstPageWithoutTokenEndsTheScan() {
    servePages(Map.of("", page("")));

    ScanIterator keys = client.scan(ScanSpec.prefix("nothing/"));

    assertThat(keys.hasNext()).isFalse();
    assertThat(keys.hasNext()).isFalse();
    assertThat(router.received("Scan")).hasSize(1);
  }

  @Test
  void theIteratorResumesFromTheSpecsContinuation() {
    servePages(Map.of("t5", page("", "z")));

    List<KeyValue> rest = client.scan(ScanSpec.all().withContinuation("t5".getBytes())).stream().toList();

    assertThat(rest).extracting(KeyValue::keyUtf8).containsExactly("z");
    assertThat(rest.get(0).valueUtf8()).isEqualTo("v-z");
  }

  @Test
  void anEmptyPageReturningTheSameTokenIsAnError() {
    servePages(Map.of("", page("t1", "a"), "t1", page("t1")));

    ScanIterator keys = client.scan(ScanSpec.all());
    assertThat(keys.next().keyUtf8()).isEqualTo("a");

    assertThatThrownBy(keys::hasNext)
        .isInstanceOf(OrchidException.class)
        .hasMessageContaining("no progress");
    assertThat(router.received("Scan")).hasSize(2);
  }

  @Test
  void aFailedPageSurfacesFromTheIterator() {
    servePages(Map.of(
        "", page("t1", "a"),
        "t1", Status.UNAVAILABLE.withDescription("down").asRuntimeException()));

    ScanIterator keys = client.scan(ScanSpec.all());
    assertThat(keys.next().keyUtf8()).isEqualTo("a");

    assertThatThrownBy(keys::next).isInstanceOf(UnavailableException.class);
  }

  @Test
  void callersCanPaginateThemselves() {
    servePages(Map.of("", page("t1", "a", "b"), "t1", page("", "c")));
    ScanSpec spec = ScanSpec.range("a".getBytes(), "d".getBytes()).withPageSize(2);

    List<String> keys = new ArrayList<>();
    ScanPage page = client.scanPage(spec);
    page.keyValues().forEach(kv -> keys.add(kv.keyUtf8()));
    while (page.hasMore()) {
      page = client.scanPage(spec.withContinuation(page.continuation()));
      page.keyValues().forEach(kv -> keys.add(kv.keyUtf8()));
    }

    assertThat(keys).containsExactly("a", "b", "c");
    assertThat(router.received("Scan")).hasSize(2);
    ScanRequest second = (ScanRequest) router.received("Scan").get(1).request();
    assertThat(second.getStartKey().toStringUtf8()).isEqualTo("a");
    assertThat(second.getEndKey().toStringUtf8()).isEqualTo("d");
    assertThat(second.getContinuation().toStringUtf8()).isEqualTo("t1");
  }
}
