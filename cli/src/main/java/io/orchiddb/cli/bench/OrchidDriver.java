package io.orchiddb.cli.bench;

import io.orchiddb.client.BatchOp;
import io.orchiddb.client.BatchResult;
import io.orchiddb.client.Consistency;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.ReadOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Loads OrchidDB through the Java SDK ({@link OrchidClient}): what applications measure. */
final class OrchidDriver implements Driver {
  /** Prefill batch size: well under the default batch-ops-max (1024) and request-bytes-max. */
  private static final int BATCH_OPS_MAX = 256;

  private final OrchidClient client;
  private final ReadOptions readOptions;

  OrchidDriver(List<String> routers, Consistency consistency, Duration timeout, boolean coalesceGets,
      boolean pipeline) {
    this.client = OrchidClient.builder().endpoints(routers).defaultDeadline(timeout)
        .defaultConsistency(consistency).coalesceGets(coalesceGets).pipeline(pipeline).build();
    this.readOptions = ReadOptions.of(consistency);
  }

  @Override
  public String target() {
    return "orchiddb";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return client.putAsync(key, value);
  }

  @Override
  public CompletableFuture<Read> get(byte[] key) {
    return client.getAsync(key, readOptions).thenApply(r -> new Read(r.found(), r.readInfo().cached()));
  }

  @Override
  public CompletableFuture<?> putAll(List<byte[]> keys, byte[] value) {
    List<BatchOp> ops = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      ops.add(BatchOp.put(key, value));
    }
    return client.batchAsync(ops).thenAccept(results -> {
      for (BatchResult r : results) {
        if (!r.applied()) {
          throw new OrchidException("prefill batch: an operation was " + r.outcome());
        }
      }
    });
  }

  @Override
  public int batchOpsMax() {
    return BATCH_OPS_MAX;
  }

  @Override
  public void close() {
    client.close();
  }
}
