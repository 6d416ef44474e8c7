package io.orchiddb.node.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM's and the process's meters, the same for a node and a router: memory pools, garbage
 * collections, threads, classes, CPU, open files, uptime (Micrometer's binders), and the
 * process's resident memory ({@value #RESIDENT}, read from {@code /proc/self/statm}; absent where
 * there is no such file), which is what BENCHMARKS.md's memory figures are.
 */
public final class JvmMeters implements AutoCloseable {
  static final String RESIDENT = "process.resident.memory";
  private static final Path STATM = Path.of("/proc/self/statm");
  /** The page size /proc/self/statm counts in; 4 KiB on the Linux machines this runs on. */
  private static final long PAGE_BYTES = 4096;

  private final JvmGcMetrics gc;

  private JvmMeters(JvmGcMetrics gc) {
    this.gc = gc;
  }

  /** Binds every meter to {@code registry}; {@link #close()} stops the collection listener. */
  public static JvmMeters bind(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    if (Files.isReadable(STATM)) {
      Gauge.builder(RESIDENT, JvmMeters::residentBytes).baseUnit("bytes")
          .description("Resident set size of the process (from /proc/self/statm)").register(registry);
    }
    return new JvmMeters(gc);
  }

  /** Resident bytes: statm's second field (pages); NaN when it cannot be read. */
  static double residentBytes() {
    try {
      String[] fields = Files.readString(STATM, StandardCharsets.US_ASCII).trim().split(" ");
      return Long.parseLong(fields[1]) * PAGE_BYTES;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    gc.close();
  }
}
