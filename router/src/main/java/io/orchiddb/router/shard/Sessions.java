package io.orchiddb.router.shard;

import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import java.util.Map;
import java.util.TreeMap;

/** Session tokens: the largest log index seen per shard. Merging takes the maximum per shard. */
final class Sessions {
  private Sessions() {}

  static long indexFor(SessionToken token, int shardId) {
    long max = 0;
    for (ShardIndex s : token.getSeenList()) {
      if (s.getShardId() == shardId) {
        max = Math.max(max, s.getIndex());
      }
    }
    return max;
  }

  /** {@code token} extended with {@code seen} (shard id → index), max per shard, sorted by shard. */
  static SessionToken merge(SessionToken token, Map<Integer, Long> seen) {
    Map<Integer, Long> all = new TreeMap<>();
    for (ShardIndex s : token.getSeenList()) {
      all.merge(s.getShardId(), s.getIndex(), Math::max);
    }
    seen.forEach((shard, index) -> all.merge(shard, index, Math::max));
    SessionToken.Builder b = SessionToken.newBuilder();
    all.forEach((shard, index) -> b.addSeen(ShardIndex.newBuilder().setShardId(shard).setIndex(index)));
    return b.build();
  }

  static SessionToken merge(SessionToken token, int shardId, long index) {
    return merge(token, Map.of(shardId, index));
  }
}
