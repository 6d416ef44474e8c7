package io.orchiddb.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ClosedServerWatch} exits once the server has closed itself, and not before. */
class ClosedServerWatchTest {
  @Test
  void exitsOnceWhenTheServerClosesItself() throws InterruptedException {
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger checks = new AtomicInteger();
    AtomicInteger exits = new AtomicInteger();
    CountDownLatch checked = new CountDownLatch(3);
    CountDownLatch exited = new CountDownLatch(1);
    ScheduledExecutorService watch = ClosedServerWatch.start(() -> {
      checks.incrementAndGet();
      checked.countDown();
      return closed.get();
    }, () -> {
      exits.incrementAndGet();
      exited.countDown();
    }, Duration.ofMillis(10));

    assertThat(checked.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(exits).hasValue(0); // checked three times, still open: no exit

    closed.set(true);
    assertThat(exited.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(watch.awaitTermination(5, TimeUnit.SECONDS)).isTrue(); // it stops watching
    assertThat(exits).hasValue(1);
  }
}
