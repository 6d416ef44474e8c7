package io.orchiddb.router.shard;

import io.orchiddb.node.raft.NodeReads;
import io.orchiddb.node.raft.OrchidNode;
import java.util.concurrent.CompletableFuture;

/**
 * The node a router runs inside ({@code orchiddb node --router}): its reads are called in-process,
 * without a transport, and the router sends its stale reads (session and eventual) there first.
 * A client talking to such a router reaches a replica in one network hop, as an etcd client
 * reaches its member: eventual gets at concurrency 1 ran about twice as fast as through a router in a
 * process of its own (BENCHMARKS.md).
 *
 * @param id the node's id, as in the router's peers
 * @param reads the node's {@link NodeReads}: the same request and reply bytes as over gRPC
 */
public record LocalNode(String id, Reads reads) {
  /** A node's two read methods, as {@link NodeReads} serves them in-process. */
  public interface Reads {
    /**
     * One read, as {@link NodeReads#METHOD}; fails with {@link NodeReads.Refused} when the node
     * cannot serve it.
     */
    CompletableFuture<byte[]> read(byte[] request);

    /** Several reads, as {@link NodeReads#METHOD_MANY}; fails as {@link #read} does. */
    CompletableFuture<byte[]> readMany(byte[] batch);
  }

  /** The node {@code node}, started in this JVM. */
  public static LocalNode of(OrchidNode node) {
    NodeReads reads = node.reads();
    return new LocalNode(node.config().nodeId(), new Reads() {
      @Override
      public CompletableFuture<byte[]> read(byte[] request) {
        return reads.read(request);
      }

      @Override
      public CompletableFuture<byte[]> readMany(byte[] batch) {
        return reads.readMany(batch);
      }
    });
  }
}
