package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.client.Consistency;
import io.orchiddb.client.UnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load loop against an in-memory driver: it sends exactly {@code --ops} measured requests,
 * never more than {@code --concurrency} at once, counts failures by type without stopping, counts
 * gets of absent keys, and draws the same operations and keys for the same seed. Runs are bounded
 * by op counts, never by time, and nothing here asserts on timing.
 */
class LoadRunTest {
  private final ExecutorService completer = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    completer.shutdownNow();
  }

  /** Completes requests on other threads; every {@code failEvery}-th fails; keys with an odd last digit are absent. */
  private class FakeDriver implements Driver {
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger inFlightMax = new AtomicInteger();
    final AtomicInteger sent = new AtomicInteger();
    final int failEvery;

    FakeDriver(int failEvery) {
      this.failEvery = failEvery;
    }

    private <T> CompletableFuture<T> answer(String request, T result) {
      requests.add(request);
      inFlightMax.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      int n = sent.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> {
        inFlight.decrementAndGet();
        if (failEvery > 0 && n % failEvery == 0) {
          throw new UnavailableException("no quorum", "NO_QUORUM", Map.of(), null);
        }
        return result;
      }, completer);
    }

    @Override
    public String target() {
      return "fake";
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
      return answer("put " + new String(key, StandardCharsets.UTF_8), null);
    }

    @Override
    public CompletableFuture<Read> get(byte[] key) {
      int digit = key[key.length - 1] - '0';
      return answer("get " + new String(key, StandardCharsets.UTF_8), new Read(digit % 2 == 0, digit % 3 == 0));
    }

    @Override
    public CompletableFuture<?> putAll(List<byte[]> keys, byte[] value) {
      long distinct = keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).distinct().count();
      return answer("putAll " + keys.size() + (distinct == keys.size() ? "" : " with a key twice"), null);
    }

    @Override
    public int batchOpsMax() {
      return 10;
    }

    @Override
    public void close() {}
  }

  private static BenchConfig config(BenchConfig.Workload workload, int readPercent, long ops, long rate, long seed) {
    return config(workload, readPercent, ops, rate, seed, 8);
  }

  private static BenchConfig config(BenchConfig.Workload workload, int readPercent, long ops, long rate, long seed,
      int concurrency) {
    return new BenchConfig(BenchConfig.Target.ORCHIDDB, List.of("fake:1"), workload, readPercent, 1000, 10,
        BenchConfig.KeyDist.ZIPFIAN, 0.99, concurrency, Consistency.STRONG, null, ops, Duration.ZERO, rate, false, seed,
        Duration.ofSeconds(10), "k/", null, true, true, 1);
  }

  private static Results run(BenchConfig config, Driver driver) throws InterruptedException {
    return new LoadRun(config, driver, System::nanoTime, new PrintStream(new ByteArrayOutputStream())).run();
  }

  @Test
  void closedLoopSendsExactlyOpsAndCountsFailuresAndMisses() throws Exception {
    FakeDriver driver = new FakeDriver(10);
    Results r = run(config(BenchConfig.Workload.MIXED, 50, 2000, 0, 1), driver);
    assertThat(driver.sent.get()).isEqualTo(2000);
    assertThat(r.ops() + r.errorsTotal()).isEqualTo(2000);
    assertThat(r.errors()).containsExactly(Map.entry("UnavailableException/NO_QUORUM", 200L));
    assertThat(r.abandoned()).isZero();
    assertThat(driver.inFlightMax.get()).isBetween(1, 8);
    long gets = driver.requests.stream().filter(s -> s.startsWith("get")).count();
    assertThat(gets).isBetween(800L, 1200L);
    assertThat(r.notFound()).isPositive().isLessThan(gets);
    assertThat(r.cachedGets()).isPositive().isLessThan(gets);
    assertThat(r.latencyByOp()).containsOnlyKeys(LoadRun.Op.PUT, LoadRun.Op.GET);
    assertThat(r.latencyByOp().get(LoadRun.Op.PUT).getTotalCount() + r.latencyByOp().get(LoadRun.Op.GET).getTotalCount())
        .isEqualTo(r.ops());
  }

  @Test
  void severalPutsPerRequestGoAsOneBatchOfDistinctKeysAndCountAsThatManyOps() throws Exception {
    FakeDriver driver = new FakeDriver(0);
    // 6 keys for 5 puts a request: drawn independently, almost every request would repeat one.
    BenchConfig c = new BenchConfig(BenchConfig.Target.ORCHIDDB, List.of("fake:1"), BenchConfig.Workload.PUT, 0, 6,
        10, BenchConfig.KeyDist.UNIFORM, 0.99, 8, Consistency.STRONG, Duration.ofMillis(300), 0, Duration.ZERO, 0,
        false, 5, Duration.ofSeconds(10), "k/", null, true, true, 5);
    Results r = run(c, driver);
    assertThat(driver.requests).isNotEmpty().allMatch(s -> s.equals("putAll 5"));
    assertThat(r.ops()).isPositive();
    // Every request that finished is 5 ops (none failed; none ran in a warm-up).
    assertThat(r.ops() + 5L * r.abandoned()).isEqualTo(5L * driver.sent.get());
    assertThat(r.warmupOps()).isZero();
  }

  @Test
  void sameSeedSameRequests() throws Exception {
    FakeDriver a = new FakeDriver(0);
    FakeDriver b = new FakeDriver(0);
    FakeDriver c = new FakeDriver(0);
    run(config(BenchConfig.Workload.MIXED, 30, 500, 0, 99), a);
    run(config(BenchConfig.Workload.MIXED, 30, 500, 0, 99), b);
    run(config(BenchConfig.Workload.MIXED, 30, 500, 0, 100), c);
    // Drawn in one sequence; eight clients send them in an order of their own.
    assertThat(sorted(a.requests)).isEqualTo(sorted(b.requests)).isNotEqualTo(sorted(c.requests));
  }

  @Test
  void oneClientSendsInDrawOrder() throws Exception {
    FakeDriver a = new FakeDriver(0);
    FakeDriver b = new FakeDriver(0);
    run(config(BenchConfig.Workload.MIXED, 30, 500, 0, 99, 1), a);
    run(config(BenchConfig.Workload.MIXED, 30, 500, 0, 99, 1), b);
    assertThat(a.requests).hasSize(500).isEqualTo(b.requests);
    assertThat(a.inFlightMax.get()).isEqualTo(1);
  }

  @Test
  void requestsFailingAtOnceDoNotGrowTheStack() throws Exception {
    // Each failure is complete before send returns; a client that called itself from the
    // completion would need a stack frame per request and overflow long before 200,000.
    Driver throwing = new FakeDriver(0) {
      @Override
      public CompletableFuture<Read> get(byte[] key) {
        return CompletableFuture.failedFuture(new IllegalStateException("refused"));
      }
    };
    Results r = run(config(BenchConfig.Workload.GET, 100, 200_000, 0, 5, 1), throwing);
    assertThat(r.errors()).containsExactly(Map.entry("IllegalStateException", 200_000L));
    assertThat(r.abandoned()).isZero();
  }

  private static List<String> sorted(List<String> requests) {
    return requests.stream().sorted().toList();
  }

  @Test
  void openLoopSendsExactlyOpsToo() throws Exception {
    FakeDriver driver = new FakeDriver(0);
    Results r = run(config(BenchConfig.Workload.PUT, 0, 300, 1_000_000, 5), driver);
    assertThat(driver.sent.get()).isEqualTo(300);
    assertThat(r.ops()).isEqualTo(300);
    assertThat(r.latencyByOp()).containsOnlyKeys(LoadRun.Op.PUT);
    assertThat(driver.inFlightMax.get()).isBetween(1, 8);
  }

  @Test
  void aDriverThatThrowsIsCountedNotFatal() throws Exception {
    Driver throwing = new FakeDriver(0) {
      @Override
      public CompletableFuture<?> put(byte[] key, byte[] value) {
        throw new IllegalStateException("client closed");
      }
    };
    Results r = run(config(BenchConfig.Workload.PUT, 0, 50, 0, 5), throwing);
    assertThat(r.ops()).isZero();
    assertThat(r.errors()).containsExactly(Map.entry("IllegalStateException", 50L));
  }

  @Test
  void prefillWritesEveryKeyInBatches() throws Exception {
    FakeDriver driver = new FakeDriver(0);
    BenchConfig c = config(BenchConfig.Workload.GET, 100, 10, 0, 1);
    Prefill.run(driver, c, new byte[10], System::nanoTime, new PrintStream(new ByteArrayOutputStream()));
    assertThat(driver.requests).hasSize(100).allMatch(s -> s.equals("putAll 10"));
  }
}
