package io.orchiddb.router.shard;

import io.orchiddb.proto.raft.ShardReadResult;

/** What a read learned from one replica: the shard's answer and which replica gave it. */
record Served(ShardReadResult result, String servedBy) {}
