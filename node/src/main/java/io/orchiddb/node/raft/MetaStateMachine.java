package io.orchiddb.node.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.MetaRead;
import io.orchiddb.proto.raft.MetaReadResult;
import io.orchiddb.proto.raft.MetaWrite;
import io.orchiddb.proto.raft.MetaWriteResult;
import io.orchiddb.proto.raft.SetShardEpoch;
import io.orchiddb.proto.raft.ShardInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The meta group's state machine: holds the {@link ClusterMap} (nodes, shards, their ranges,
 * groups, replicas and epochs). Changed only through its Raft log; snapshotted as one record.
 * Whenever a write changes the map, the map's epoch becomes that write's log index.
 */
final class MetaStateMachine extends OrchidStateMachine {
  private volatile ClusterMap map = ClusterMap.getDefaultInstance();

  MetaStateMachine(Duration staleReadWait, LongSupplier nanoClock) {
    super(staleReadWait, nanoClock);
  }

  @Override
  byte[] prepare(ByteBuffer request) {
    MetaWrite write;
    try {
      write = MetaWrite.parseFrom(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed meta write: " + e.getMessage());
    }
    switch (write.getKindCase()) {
      case BOOTSTRAP -> {
        if (write.getBootstrap().getShardsCount() == 0 || write.getBootstrap().getNodesCount() == 0) {
          throw new IllegalArgumentException("bootstrap: the map needs nodes and shards");
        }
      }
      case SET_SHARD_EPOCH -> {
        if (write.getSetShardEpoch().getEpoch() == 0) {
          throw new IllegalArgumentException("set-shard-epoch: the epoch must be positive");
        }
      }
      case KIND_NOT_SET -> throw new IllegalArgumentException("meta write has no kind");
    }
    return write.toByteArray();
  }

  @Override
  byte[] apply(long index, ByteBuffer command) throws InvalidProtocolBufferException {
    MetaWrite write = MetaWrite.parseFrom(command);
    boolean applied = false;
    if (write.hasBootstrap() && map.getEpoch() == 0) {
      // The first bootstrap wins; every node of a fresh cluster sends the same one.
      map = write.getBootstrap().toBuilder().setEpoch(index).build();
      applied = true;
    } else if (write.hasSetShardEpoch()) {
      applied = setShardEpoch(index, write.getSetShardEpoch());
    }
    return MetaWriteResult.newBuilder().setApplied(applied).setMap(map).build().toByteArray();
  }

  /** Raises the shard's epoch (never lowers it); false when the shard is unknown or already there. */
  private boolean setShardEpoch(long index, SetShardEpoch set) {
    for (int i = 0; i < map.getShardsCount(); i++) {
      ShardInfo shard = map.getShards(i);
      if (shard.getId() != set.getShardId()) {
        continue;
      }
      if (Long.compareUnsigned(set.getEpoch(), shard.getEpoch()) <= 0) {
        return false;
      }
      map = map.toBuilder().setShards(i, shard.toBuilder().setEpoch(set.getEpoch())).setEpoch(index).build();
      return true;
    }
    return false;
  }

  @Override
  byte[] read(ByteBuffer query) {
    MetaRead read;
    try {
      read = MetaRead.parseFrom(query);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed meta read: " + e.getMessage());
    }
    if (!read.hasGetClusterMap()) {
      throw new IllegalArgumentException("meta read has no kind");
    }
    return MetaReadResult.newBuilder().setAppliedIndex(appliedIndex()).setMap(map).build().toByteArray();
  }

  @Override
  SnapshotSource freeze() {
    ClusterMap frozen = map; // immutable
    return new SnapshotSource() {
      @Override
      public void writeTo(SnapshotFile.RecordWriter out) throws IOException {
        out.write(frozen.toByteArray());
      }

      @Override
      public void close() {}
    };
  }

  @Override
  SnapshotLoad loadSnapshot() {
    ClusterMap[] loaded = {ClusterMap.getDefaultInstance()};
    return new SnapshotLoad() {
      @Override
      public void read(byte[] record) {
        try {
          loaded[0] = ClusterMap.parseFrom(record);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e.getMessage());
        }
      }

      @Override
      public void commit(long index) {
        map = loaded[0];
      }
    };
  }

  @Override
  void reset() {
    map = ClusterMap.getDefaultInstance();
  }
}
