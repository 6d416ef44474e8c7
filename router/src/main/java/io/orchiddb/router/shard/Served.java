package io.orchiddb.router.shard;

import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.proto.raft.ShardReadResult;

/** What a read learned from one replica: the shard's answer and which replica gave it. */
record Served(ShardReadResult result, String servedBy) {

  /** Parses a replica's reply to a read; a reply that does not parse is the replica's fault. */
  static Served of(GroupChannel.Reply reply) {
    try {
      return new Served(ShardReadResult.parseFrom(reply.bytes()), reply.servedBy());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "replica " + reply.servedBy() + " sent a malformed reply: " + e.getMessage(), e);
    }
  }
}
