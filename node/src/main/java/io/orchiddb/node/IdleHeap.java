package io.orchiddb.node;

import com.google.common.base.Preconditions;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gives a node's idle heap back: once no collection has run for {@code idleAfter} (nothing is
 * allocating, so nothing is being served), one full collection with the heap's free share capped at
 * {@link #IDLE_FREE_PERCENT}, after which the collector's usual free ratios apply again. The
 * Serial collector's counterpart of G1's periodic collection ({@code G1PeriodicGCInterval}, which
 * the launchers give every other process).
 *
 * <p>Why: under load a node's old generation needs room. Its promotions are mostly Raft entries
 * (Ratis keeps an open log segment's entries in memory until the segment rolls) and requests in
 * flight, and with 10-20% of the old generation free (what keeps it small when idle) a node
 * leading puts at 256 clients ran a full collection every 1-2 s. {@code node-jvm.options} gives it
 * 40-70% free instead, and this takes the difference back when the load stops (BENCHMARKS.md,
 * "Memory").
 *
 * <p>It changes {@code MinHeapFreeRatio} and {@code MaxHeapFreeRatio}, which the JVM lets a running
 * process change, only around its own collection. It runs only under the Serial collector; under
 * any other {@link #start} returns null.
 */
final class IdleHeap implements AutoCloseable {
  /** Most of the heap left free after an idle node's collection, in percent. */
  static final int IDLE_FREE_PERCENT = 10;
  private static final String SERIAL_YOUNG = "Copy";

  private final LongSupplier collections;
  private final LongSupplier nanoClock;
  private final Runnable trim;
  private final long idleNanos;
  private final ScheduledExecutorService timer;
  private long lastCount = -1;
  private long lastChange;
  private boolean trimmed;

  /** For tests: {@link #tick} by hand, no timer. */
  IdleHeap(Duration idleAfter, LongSupplier collections, LongSupplier nanoClock, Runnable trim) {
    this(idleAfter, collections, nanoClock, trim, null);
  }

  private IdleHeap(Duration idleAfter, LongSupplier collections, LongSupplier nanoClock, Runnable trim,
      ScheduledExecutorService timer) {
    Preconditions.checkArgument(!idleAfter.isNegative() && !idleAfter.isZero(), "idleAfter must be positive");
    this.idleNanos = idleAfter.toNanos();
    this.collections = collections;
    this.nanoClock = nanoClock;
    this.trim = trim;
    this.timer = timer;
  }

  /**
   * Starts watching this JVM's collections, checking every tenth of {@code idleAfter} (at most every
   * 10 s); null when the collector is not Serial.
   */
  static IdleHeap start(Duration idleAfter) {
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    if (collectors.stream().noneMatch(c -> c.getName().equals(SERIAL_YOUNG))) {
      return null;
    }
    LongSupplier count = () -> collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "idle-heap");
      t.setDaemon(true);
      return t;
    });
    IdleHeap heap = new IdleHeap(idleAfter, count, System::nanoTime, IdleHeap::collectTight, timer);
    long periodMs = Math.max(100, Math.min(idleAfter.toMillis() / 10, 10_000));
    timer.scheduleWithFixedDelay(heap::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
    return heap;
  }

  /** Trims if no collection has run for the idle time since the last check that saw one. */
  synchronized void tick() {
    long count = collections.getAsLong();
    long now = nanoClock.getAsLong();
    if (count != lastCount) {
      lastCount = count;
      lastChange = now;
      trimmed = false;
      return;
    }
    if (!trimmed && now - lastChange >= idleNanos) {
      trim.run();
      trimmed = true;
      lastCount = collections.getAsLong(); // the trim's own collection is not activity
    }
  }

  /** One full collection that leaves at most {@link #IDLE_FREE_PERCENT}% of the heap free. */
  private static void collectTight() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    String min = vm.getVMOption("MinHeapFreeRatio").getValue();
    String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
    String idle = String.valueOf(IDLE_FREE_PERCENT);
    // The JVM refuses a minimum above the maximum: lower the minimum first, restore it last.
    vm.setVMOption("MinHeapFreeRatio", String.valueOf(Math.min(Integer.parseInt(min), IDLE_FREE_PERCENT)));
    try {
      vm.setVMOption("MaxHeapFreeRatio", idle);
      try {
        System.gc();
      } finally {
        vm.setVMOption("MaxHeapFreeRatio", max);
      }
    } finally {
      vm.setVMOption("MinHeapFreeRatio", min);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
