package io.orchiddb.router.shard;

import io.orchiddb.node.raft.RefusedException;
import io.orchiddb.node.raft.StaleEpochException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where failures from Ratis and the shards become {@link RouterException}s. The
 * rule for writes: unless a shard said it refused the request before it entered the log, the
 * write may have been applied, so the outcome is unknown.
 */
final class Failures {
  private Failures() {}

  /** The request was routed with an old map; re-read the map and route again. */
  static final class StaleRoute extends RuntimeException {
    StaleRoute(String message) {
      super(message, null, false, false);
    }
  }

  static RouterException classify(Throwable failure, boolean write, int shardId) {
    Throwable t = unwrap(failure);
    if (t instanceof RouterException re) {
      return re;
    }
    RefusedException refused = find(t, RefusedException.class);
    if (refused != null) {
      String message = refused.getMessage();
      int colon = message.indexOf(':');
      String rule = colon > 0 ? message.substring(0, colon) : "request";
      return rule.endsWith("-max") ? RouterException.limit(rule, message)
          : RouterException.badRequest(rule, message.substring(colon + 1).trim());
    }
    if (write) {
      return new RouterException(RouterException.Reason.OUTCOME_UNKNOWN,
          "shard " + shardId + " did not confirm the write (" + describe(t) + "); it may or may not have been applied",
          Map.of("shard", String.valueOf(shardId)));
    }
    if (t instanceof TimeoutException) {
      return new RouterException(RouterException.Reason.DEADLINE_EXCEEDED,
          "shard " + shardId + " did not answer the read in time", Map.of("shard", String.valueOf(shardId)));
    }
    return new RouterException(RouterException.Reason.NO_QUORUM,
        "shard " + shardId + " has no replica able to serve the read now (" + describe(t) + ")",
        Map.of("shard", String.valueOf(shardId)));
  }

  /** A failure no other replica or retry can fix. */
  static boolean isFinal(Throwable t) {
    return find(t, RefusedException.class) != null || isStaleRoute(t);
  }

  static boolean isStaleRoute(Throwable t) {
    return find(t, StaleRoute.class) != null || find(t, StaleEpochException.class) != null;
  }

  static String describe(Throwable t) {
    Throwable root = unwrap(t);
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + firstLine(m));
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
