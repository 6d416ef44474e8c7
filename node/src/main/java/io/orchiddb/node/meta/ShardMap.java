package io.orchiddb.node.meta;

import com.google.common.base.Preconditions;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.ShardInfo;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A lookup from key to shard over a {@link ClusterMap}: a floor search of the key's hash over the
 * shards' range starts (the model is RheaKV's {@code RegionRouteTable}). Immutable.
 *
 * <p>Invariant, checked on construction: the ranges cover the unsigned 64-bit space exactly, with
 * no gap and no overlap.
 */
public final class ShardMap {
  private final ClusterMap map;
  private final long[] starts;
  private final ShardInfo[] shards;

  public ShardMap(ClusterMap map) {
    this.map = map;
    this.shards = map.getShardsList().stream()
        .sorted(Comparator.comparing(ShardInfo::getHashStart, Long::compareUnsigned))
        .toArray(ShardInfo[]::new);
    Preconditions.checkArgument(shards.length > 0, "the cluster map has no shards");
    this.starts = Arrays.stream(shards).mapToLong(ShardInfo::getHashStart).toArray();
    Preconditions.checkArgument(starts[0] == 0, "the first shard starts at %s, not 0",
        Long.toUnsignedString(starts[0]));
    for (int i = 0; i < shards.length; i++) {
      long end = i + 1 < shards.length ? starts[i + 1] : 0;
      // hash_end 0 stands for 2^64, so an empty range [s, s) before the last shard would pass the
      // end check below; when s = 0 it reads as the whole space and overlaps every other shard.
      Preconditions.checkArgument(i + 1 == shards.length || Long.compareUnsigned(starts[i], end) < 0,
          "shard %s has an empty range: another shard also starts at %s", shards[i].getId(),
          Long.toUnsignedString(starts[i]));
      Preconditions.checkArgument(shards[i].getHashEnd() == end,
          "shard %s ends at %s but the next range starts at %s", shards[i].getId(),
          Long.toUnsignedString(shards[i].getHashEnd()), Long.toUnsignedString(end));
    }
  }

  public ClusterMap clusterMap() {
    return map;
  }

  public List<ShardInfo> shards() {
    return List.of(shards);
  }

  /** The shard that owns {@code key}. */
  public ShardInfo shardFor(byte[] key) {
    return shardForHash(KeyHash.of(key));
  }

  /** The shard whose range holds {@code hash} (unsigned). */
  public ShardInfo shardForHash(long hash) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(starts[mid], hash) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return shards[lo];
  }
}
