package io.orchiddb.cli.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the load generator needs from a store: async puts and gets of byte keys, plus batched puts
 * for the prefill. One implementation per target (OrchidDB through its SDK, etcd through jetcd)
 * so every target is measured by the same loop, histograms and report.
 *
 * <p>Contract: methods never block and never throw for a failed request; a failure completes the
 * future exceptionally (the load generator counts it by type). Futures may complete on any
 * thread, which must not be blocked. A driver is thread-safe. The read consistency is fixed when
 * the driver is made.
 */
public interface Driver extends AutoCloseable {
  /** The target's name as it appears in reports, e.g. {@code orchiddb}. */
  String target();

  /** Writes {@code value} under {@code key}; completes when the write is acknowledged. */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** Reads {@code key}; completes with whether it exists, and whether a cache answered. */
  CompletableFuture<Read> get(byte[] key);

  /**
   * A get's answer as the load tool counts it.
   *
   * @param found whether the key exists
   * @param cached whether a cache in front of the replicas answered (OrchidDB's router read cache)
   */
  record Read(boolean found, boolean cached) {
    public static final Read FOUND = new Read(true, false);
    public static final Read ABSENT = new Read(false, false);
  }

  /**
   * Writes {@code value} under every key, in as few requests as the target allows; completes
   * when all are acknowledged, exceptionally if any was not. At most {@link #batchOpsMax()} keys.
   */
  CompletableFuture<?> putAll(List<byte[]> keys, byte[] value);

  /** The most keys one {@link #putAll} may take. */
  int batchOpsMax();

  /** Waits (bounded) for requests in flight and releases connections. */
  @Override
  void close();
}
