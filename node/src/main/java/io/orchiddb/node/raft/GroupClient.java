package io.orchiddb.node.raft;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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
 */
public final class GroupClient implements Closeable {
  private static final long RETRY_SLEEP_MS = 100;

  private final RaftClient client;
  private final Duration timeout;

  public GroupClient(RaftGroup group, RaftProperties serverProperties, Duration timeout) {
    this.timeout = timeout;
    RaftProperties p = new RaftProperties(serverProperties);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
    // Bounded: the default retries forever. Enough attempts to ride out an election or two.
    int attempts = (int) Math.max(3, 3 * timeout.toMillis() / RETRY_SLEEP_MS);
    RetryPolicy retry = RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
        TimeDuration.valueOf(RETRY_SLEEP_MS, TimeUnit.MILLISECONDS));
    this.client = RaftClient.newBuilder().setRaftGroup(group).setProperties(p).setRetryPolicy(retry).build();
  }

  /** Proposes a write; completes with the state machine's reply once committed and applied. */
  public CompletableFuture<byte[]> write(byte[] command) {
    return unwrap(client.async().send(message(command)));
  }

  /** A linearizable read (ReadIndex on the leader). */
  public CompletableFuture<byte[]> read(byte[] query) {
    return unwrap(client.async().sendReadOnly(message(query)));
  }

  /** A linearizable read served by {@code node}, which may be a follower (ReadIndex from it). */
  public CompletableFuture<byte[]> readOn(byte[] query, String node) {
    return unwrap(client.async().sendReadOnly(message(query), RaftPeerId.valueOf(node)));
  }

  /**
   * A read served by {@code node} from its own state once it has applied at least
   * {@code minIndex}: never older than that index, possibly older than the leader.
   */
  public CompletableFuture<byte[]> readStale(byte[] query, long minIndex, String node) {
    return unwrap(client.async().sendStaleRead(message(query), minIndex, RaftPeerId.valueOf(node)));
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
    client.close();
  }
}
