package io.orchiddb.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** When an idle node trims its heap (on a clock the test moves), and that the trim gives heap back (a Serial JVM). */
class IdleHeapTest {
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final AtomicLong collections = new AtomicLong(3);
  private final AtomicInteger trims = new AtomicInteger();
  private final IdleHeap heap = new IdleHeap(Duration.ofSeconds(30), collections::get, now::get, () -> {
    trims.incrementAndGet();
    collections.incrementAndGet(); // the trim is a collection itself
  });

  private void advanceSeconds(long s) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(s));
  }

  @Test
  void trimsOnceAfterTheIdleTimeWithoutCollections() {
    heap.tick();
    advanceSeconds(29);
    heap.tick();
    assertThat(trims).hasValue(0);
    advanceSeconds(1);
    heap.tick();
    assertThat(trims).hasValue(1);
    // Still idle, and its own collection does not count as activity: no second trim.
    advanceSeconds(300);
    heap.tick();
    assertThat(trims).hasValue(1);
  }

  @Test
  void aCollectionRestartsTheIdleTime() {
    heap.tick();
    advanceSeconds(20);
    collections.incrementAndGet(); // something allocated: the node is busy
    heap.tick();
    advanceSeconds(20);
    heap.tick();
    assertThat(trims).as("20 s since the last collection").hasValue(0);
    advanceSeconds(10);
    heap.tick();
    assertThat(trims).hasValue(1);
    // Busy again, then idle again: another trim.
    collections.incrementAndGet();
    heap.tick();
    advanceSeconds(30);
    heap.tick();
    assertThat(trims).hasValue(2);
  }

  @Test
  void aSerialJvmGivesItsIdleHeapBack() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // The collector settings of node-jvm.options that matter here (a heap never shrinks below -Xms).
    Process p = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-Xms16m", "-Xmx512m", "-XX:MaxNewSize=16m",
        "-XX:MinHeapFreeRatio=40", "-XX:MaxHeapFreeRatio=70", "-XX:-ShrinkHeapInSteps",
        "-cp", System.getProperty("java.class.path"), GrowThenIdle.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("trimmed");
  }

  @Test
  void anotherCollectorIsLeftAlone() {
    // This test JVM runs Maven's default collector (G1 on these machines), not Serial.
    boolean serial = ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(c -> c.getName().equals("Copy"));
    IdleHeap started = IdleHeap.start(Duration.ofSeconds(30));
    try {
      assertThat(started == null).isEqualTo(!serial);
    } finally {
      if (started != null) {
        started.close();
      }
    }
  }

  /**
   * Holds 60 MiB in an old generation grown for 160 MiB, then waits for {@link IdleHeap} to shrink
   * it to about 60 / 0.9 MiB (exit 0) or not (exit 1).
   */
  public static final class GrowThenIdle {
    public static void main(String[] args) throws Exception {
      List<byte[]> live = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        live.add(new byte[1 << 20]);
      }
      System.gc(); // 160 MiB live, tenured, with 40% of the old generation free
      live.subList(60, live.size()).clear();
      System.gc(); // 60 MiB live: up to 70% free is allowed, so the old generation stays ~200 MiB
      long before = oldCommitted();
      try (IdleHeap heap = IdleHeap.start(Duration.ofMillis(500))) {
        if (heap == null) {
          System.out.println("not the Serial collector");
          System.exit(1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          long after = oldCommitted();
          if (after < before / 2) {
            System.out.println("trimmed: old generation " + before / 1024 + " KiB -> " + after / 1024 + " KiB"
                + " holding " + live.size() + " MiB");
            System.exit(0);
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        System.out.println("not trimmed: old generation " + before / 1024 + " KiB -> " + oldCommitted() / 1024 + " KiB");
        System.exit(1);
      }
    }

    private static long oldCommitted() {
      return ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(m -> m.getName().equals("Tenured Gen")).mapToLong(m -> m.getUsage().getCommitted()).sum();
    }
  }
}
