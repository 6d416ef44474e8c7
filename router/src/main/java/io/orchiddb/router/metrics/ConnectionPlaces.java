package io.orchiddb.router.metrics;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The places one server has for client connections under its connection limit: a connection
 * takes one when it opens and gives it back when it closes, and one that finds none is refused.
 * The count and the refusals are the server's meters ({@link RouterMetrics#connections}).
 * Thread-safe.
 */
public final class ConnectionPlaces {
  private final int max;
  private final AtomicInteger open;
  private final Counter refused;

  ConnectionPlaces(int max, AtomicInteger open, Counter refused) {
    this.max = max;
    this.open = open;
    this.refused = refused;
  }

  /** The most connections served at once. */
  public int max() {
    return max;
  }

  /** Takes a place for a new connection: false, and counted as a refusal, when all are taken. */
  public boolean take() {
    if (open.incrementAndGet() <= max) {
      return true;
    }
    open.decrementAndGet();
    refused.increment();
    return false;
  }

  /** Gives back a place that {@link #take} gave. */
  public void release() {
    open.decrementAndGet();
  }
}
