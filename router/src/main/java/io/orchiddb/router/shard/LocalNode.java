package io.orchiddb.router.shard;

import io.orchiddb.node.raft.NodeReads;
import io.orchiddb.node.raft.OrchidNode;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The node a router runs inside ({@code orchiddb node --router}): its reads are called in-process,
 * without a transport, and the router sends its stale reads (session and eventual) there first.
 * A client talking to such a router reaches a replica in one network hop, as an etcd client
 * reaches its member: eventual gets at concurrency 1 ran about twice as fast as through a router in a
 * process of its own (BENCHMARKS.md). Writes to a group this node leads are submitted to it
 * in-process too ({@link Writes}), instead of through Ratis's client and the loopback.
 *
 * @param id the node's id, as in the router's peers
 * @param reads the node's {@link NodeReads}: the same request and reply bytes as over gRPC
 * @param writes the node's in-process writes
 */
public record LocalNode(String id, Reads reads, Writes writes) {
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

  /** Writes submitted to the node in-process while it leads the group ({@link NodeReads#write}). */
  public interface Writes {
    /** A node that takes no writes in-process: every write goes through Ratis's client. */
    Writes NONE = new Writes() {
      @Override
      public boolean leads(RaftGroupId group) {
        return false;
      }

      @Override
      public CompletableFuture<RaftClientReply> write(RaftClientRequest request) {
        return CompletableFuture.failedFuture(new IllegalStateException("no in-process writes"));
      }
    };

    /** Whether the node leads {@code group} now, as far as it can tell without waiting. */
    boolean leads(RaftGroupId group);

    /** Submits a write; the reply is the one a Ratis client would get. */
    CompletableFuture<RaftClientReply> write(RaftClientRequest request);
  }

  /** A node whose reads are called in-process and whose writes go through Ratis's client. */
  public LocalNode(String id, Reads reads) {
    this(id, reads, Writes.NONE);
  }

  /** The node {@code node}, started in this JVM. */
  public static LocalNode of(OrchidNode node) {
    NodeReads nodeReads = node.reads();
    return new LocalNode(node.config().nodeId(), new Reads() {
      @Override
      public CompletableFuture<byte[]> read(byte[] request) {
        return nodeReads.read(request);
      }

      @Override
      public CompletableFuture<byte[]> readMany(byte[] batch) {
        return nodeReads.readMany(batch);
      }
    }, new Writes() {
      @Override
      public boolean leads(RaftGroupId group) {
        return nodeReads.leads(group);
      }

      @Override
      public CompletableFuture<RaftClientReply> write(RaftClientRequest request) {
        return nodeReads.write(request);
      }
    });
  }
}
