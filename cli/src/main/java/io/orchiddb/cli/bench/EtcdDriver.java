package io.orchiddb.cli.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.orchiddb.client.Consistency;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loads etcd through jetcd, so that etcd and OrchidDB are measured by the same loop. Consistency:
 * {@code strong} is etcd's default linearizable range; {@code session} and {@code eventual} are
 * serializable ranges (served by whichever member the client talks to; etcd has no session level,
 * and serializable is what etcd's own benchmark calls its fast read). Writes are plain puts, each
 * acknowledged after etcd's raft commit (fsync'd on a majority with etcd's defaults).
 */
final class EtcdDriver implements Driver {
  /** etcd's default --max-txn-ops. */
  private static final int BATCH_OPS_MAX = 128;

  private final Client client;
  private final KV kv;
  private final GetOption getOption;
  private final long timeoutMs;

  EtcdDriver(List<String> endpoints, Consistency consistency, Duration timeout) {
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    this.kv = client.getKVClient();
    this.getOption = GetOption.builder().withSerializable(consistency != Consistency.STRONG).build();
    this.timeoutMs = timeout.toMillis();
  }

  @Override
  public String target() {
    return "etcd";
  }

  // jetcd has no per-call deadline; orTimeout fails the future (the request may still complete).
  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return kv.put(ByteSequence.from(key), ByteSequence.from(value)).orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<Read> get(byte[] key) {
    return kv.get(ByteSequence.from(key), getOption).thenApply(r -> r.getCount() > 0 ? Read.FOUND : Read.ABSENT)
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<?> putAll(List<byte[]> keys, byte[] value) {
    ByteSequence v = ByteSequence.from(value);
    Op[] ops = keys.stream().map(k -> Op.put(ByteSequence.from(k), v, PutOption.DEFAULT)).toArray(Op[]::new);
    return kv.txn().Then(ops).commit().orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
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
