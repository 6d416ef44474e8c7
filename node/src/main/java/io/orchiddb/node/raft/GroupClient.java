package io.orchiddb.node.raft;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * An async client of one Raft group, in bytes: what the router (and tests) use to reach a shard
 * or the meta group. Failures surface as the Ratis exception that caused them (e.g. a
 * {@code StateMachineException} wrapping a refusal, a {@code TimeoutIOException} when the outcome
 * is unknown). Retries on leader changes are bounded by the request timeout.
 *
 * <p>Two Ratis clients inside: one for requests to whichever node leads, one for requests aimed at
 * a named node. A Ratis client numbers its ordered requests per target (the leader, or each named
 * node) but sends them all over one gRPC stream per node, and the node's end of that stream
 * expects a single numbering: mixing the two kinds on one client to the same node leaves a request
 * unprocessed until its timeout resets the stream (seen as 5 s stalls in ClusterIT, and as failed
 * reads and writes in EpochIT).
 *
 * <p>The read retries keep time on {@code nanoClock} ({@code System::nanoTime} unless a test
 * injects one through the package-private constructor).
 */
public final class GroupClient implements Closeable {
  private static final long RETRY_SLEEP_MS = 100;
  private static final long READ_RETRY_FIRST_MS = 20;
  private static final long READ_RETRY_MAX_MS = 500;

  /** Writes and leader reads: requests to whichever node leads. */
  private final RaftClient client;
  /** Reads aimed at a named node ({@link #readOn}, {@link #readStale}). */
  private final RaftClient nodeClient;
  private final Duration timeout;
  private final LongSupplier nanoClock;

  public GroupClient(RaftGroup group, RaftProperties serverProperties, Duration timeout) {
    this(group, serverProperties, timeout, System::nanoTime);
  }

  /** @param nanoClock monotonic nanoseconds, for the read retries' deadline */
  GroupClient(RaftGroup group, RaftProperties serverProperties, Duration timeout, LongSupplier nanoClock) {
    this.timeout = timeout;
    this.nanoClock = nanoClock;
    RaftProperties p = new RaftProperties(serverProperties);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
    // Bounded: the default retries forever. Enough attempts to ride out an election or two.
    int attempts = (int) Math.max(3, 3 * timeout.toMillis() / RETRY_SLEEP_MS);
    RetryPolicy retry = RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
        TimeDuration.valueOf(RETRY_SLEEP_MS, TimeUnit.MILLISECONDS));
    this.client = RaftClient.newBuilder().setRaftGroup(group).setProperties(p).setRetryPolicy(retry).build();
    this.nodeClient = RaftClient.newBuilder().setRaftGroup(group).setProperties(p).setRetryPolicy(retry).build();
  }

  /** Proposes a write; completes with the state machine's reply once committed and applied. */
  public CompletableFuture<byte[]> write(byte[] command) {
    return unwrap(client.async().send(message(command)));
  }

  /**
   * A read through Ratis's own ReadIndex on the leader, which can skip the leadership check (see
   * {@link ReadIndex}): not linearizable while the leader is cut off. For tests and tools; the
   * router's STRONG reads go through {@link NodeReads}, which checks.
   */
  public CompletableFuture<byte[]> read(byte[] query) {
    return retryRead(() -> unwrap(client.async().sendReadOnly(message(query))));
  }

  /** As {@link #read}, served by {@code node}, which may be a follower (it asks the leader). */
  public CompletableFuture<byte[]> readOn(byte[] query, String node) {
    return retryRead(() -> unwrap(nodeClient.async().sendReadOnly(message(query), RaftPeerId.valueOf(node))));
  }

  /**
   * A read served by {@code node} from its own state once it has applied at least
   * {@code minIndex}: never older than that index, possibly older than the leader. Waits (within
   * the timeout) while the node is behind.
   */
  public CompletableFuture<byte[]> readStale(byte[] query, long minIndex, String node) {
    return retryRead(() ->
        unwrap(nodeClient.async().sendStaleRead(message(query), minIndex, RaftPeerId.valueOf(node))));
  }

  /**
   * Reads are idempotent, so they are retried until the timeout: "leader unknown" right after an
   * election or restart, a replica still behind the requested index, a transient connection
   * error. A refusal is final: a bad request ({@link RefusedException}) or one routed with an old
   * shard map ({@link StaleEpochException}; the caller must refresh its map, not repeat the read).
   * Package-private so tests can script the attempts ({@code send} makes one, already unwrapped).
   */
  CompletableFuture<byte[]> retryRead(Supplier<CompletableFuture<byte[]>> send) {
    long deadline = nanoClock.getAsLong() + timeout.toNanos();
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    attemptRead(send, deadline, READ_RETRY_FIRST_MS, result);
    return result;
  }

  private void attemptRead(Supplier<CompletableFuture<byte[]>> send, long deadline,
      long backoffMs, CompletableFuture<byte[]> result) {
    send.get().whenComplete((bytes, failure) -> {
      if (failure == null) {
        result.complete(bytes);
        return;
      }
      Throwable cause = rootCause(failure);
      boolean refused = cause instanceof RefusedException || cause instanceof StaleEpochException;
      if (refused || nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > deadline) {
        result.completeExceptionally(failure instanceof CompletionException ? failure.getCause() : failure);
        return;
      }
      CompletableFuture.delayedExecutor(backoffMs, TimeUnit.MILLISECONDS).execute(() ->
          attemptRead(send, deadline, Math.min(READ_RETRY_MAX_MS, backoffMs * 2), result));
    });
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
  }

  private CompletableFuture<byte[]> unwrap(CompletableFuture<RaftClientReply> reply) {
    return reply.orTimeout(3 * timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(r -> {
      if (!r.isSuccess()) {
        IOException e = r.getException() != null ? r.getException() : new IOException("request failed: " + r);
        throw new CompletionException(e);
      }
      return r.getMessage().getContent().toByteArray();
    });
  }

  @Override
  public void close() throws IOException {
    try {
      client.close();
    } finally {
      nodeClient.close();
    }
  }
}
