package io.orchiddb.client.internal;

import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client's session token: for each shard, the highest log index this client has observed (a
 * write's version, a read's applied index), merged from every response. Sent with every request,
 * it makes a SESSION read never older than anything this client already saw, including writes
 * whose responses arrive concurrently and out of order.
 *
 * <p>Invariants: per shard the index only grows (merge takes the maximum, compared unsigned as the
 * proto's uint64); shards appear in ascending unsigned id order, so equal tokens are equal
 * messages. Lock-free: a merge is a compare-and-set of an immutable token.
 */
final class Session {
  private final AtomicReference<SessionToken> token =
      new AtomicReference<>(SessionToken.getDefaultInstance());

  SessionToken current() {
    return token.get();
  }

  /** Folds {@code seen} into the token; null or empty is a no-op. */
  void merge(SessionToken seen) {
    if (seen == null || seen.getSeenCount() == 0) {
      return;
    }
    while (true) {
      SessionToken current = token.get();
      SessionToken merged = merge(current, seen);
      if (merged == current || token.compareAndSet(current, merged)) {
        return;
      }
    }
  }

  /** The per-shard maximum of two tokens; returns {@code a} itself when {@code b} adds nothing. */
  static SessionToken merge(SessionToken a, SessionToken b) {
    Map<Integer, Long> byShard = new TreeMap<>(Integer::compareUnsigned);
    for (ShardIndex seen : a.getSeenList()) {
      byShard.merge(seen.getShardId(), seen.getIndex(), Session::maxUnsigned);
    }
    boolean grew = false;
    for (ShardIndex seen : b.getSeenList()) {
      Long before = byShard.get(seen.getShardId());
      if (before == null || Long.compareUnsigned(seen.getIndex(), before) > 0) {
        byShard.put(seen.getShardId(), seen.getIndex());
        grew = true;
      }
    }
    if (!grew) {
      return a;
    }
    SessionToken.Builder merged = SessionToken.newBuilder();
    byShard.forEach((shard, index) ->
        merged.addSeen(ShardIndex.newBuilder().setShardId(shard).setIndex(index)));
    return merged.build();
  }

  private static Long maxUnsigned(Long x, Long y) {
    return Long.compareUnsigned(x, y) >= 0 ? x : y;
  }
}
