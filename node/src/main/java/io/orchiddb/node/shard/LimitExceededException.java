package io.orchiddb.node.shard;

/** A request broke a limit. {@link #limit()} names it as in the configuration (e.g. {@code key-bytes-max}). */
public final class LimitExceededException extends IllegalArgumentException {
  private final String limit;

  public LimitExceededException(String limit, String message) {
    super(limit + ": " + message);
    this.limit = limit;
  }

  public String limit() {
    return limit;
  }
}
