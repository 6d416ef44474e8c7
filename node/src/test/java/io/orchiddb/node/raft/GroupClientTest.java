package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link GroupClient}'s read retries keep time on the clock it is built with: a read
 * whose failed attempt leaves less time than the next backoff gives up at once with that attempt's
 * failure; one that leaves more time stays pending for a retry.
 *
 * <p>How: the attempts are scripted through the package-private {@code retryRead} (no Raft server;
 * the client's Ratis clients are built but never used); an attempt may move the fake clock. Every
 * decision is taken synchronously inside the attempt's callback, so the tests look at
 * the future right after the call and never wait. The fake clock starts far above any real
 * {@link System#nanoTime()} reading, so a client that read the real clock would find the whole
 * timeout left and fail the first test; the second catches a client that took its deadline from
 * the injected clock but compared it with the real one.
 */
class GroupClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** The first backoff between read attempts in GroupClient. */
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private long nowNanos;
  private final AtomicInteger attempts = new AtomicInteger();
  private final GroupClient client = new GroupClient(
      RaftGroup.valueOf(RaftGroupId.randomId(), RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:1").build()),
      new RaftProperties(), TIMEOUT, () -> nowNanos);

  @AfterEach
  void close() throws IOException {
    client.close();
  }

  @Test
  void givesUpWhenTheNextBackoffWouldPassTheDeadline() {
    nowNanos = Long.MAX_VALUE / 2; // the real clock would leave the whole timeout
    long deadline = nowNanos + TIMEOUT.toNanos();
    IOException noLeader = new IOException("no leader yet");

    CompletableFuture<byte[]> result = client.retryRead(() -> {
      attempts.incrementAndGet();
      nowNanos = deadline - FIRST_BACKOFF_NANOS / 2; // the attempt took nearly the whole timeout
      return CompletableFuture.failedFuture(noLeader);
    });

    assertThat(result).isCompletedExceptionally();
    assertThat(catchThrowable(result::join)).getCause().isSameAs(noLeader);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void withTimeLeftAFailedReadWaitsForARetry() {
    nowNanos = Long.MIN_VALUE / 2; // any real clock reading is far past this deadline
    // The first attempt fails; the retry (after a real backoff, on another thread) never answers,
    // so whenever it runs, the read can only end by giving up after the first failure.
    CompletableFuture<byte[]> result = client.retryRead(() -> attempts.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IOException("no leader yet"))
        : new CompletableFuture<>());

    assertThat(result).isNotDone();
  }
}
