package io.orchiddb.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently the client retries a request that is safe to retry. Every retry,
 * failover included, also stays within the request's deadline: the client never waits past it.
 *
 * <p>Between attempts the client waits an exponential backoff with jitter: before retry {@code n}
 * (1-based) a random duration in {@code [b/2, b]} where {@code b = min(maxBackoff, initialBackoff *
 * 2^(n-1))}. Moving to a router not yet tried for this request does not wait.
 *
 * <p>What is safe to retry: reads on {@code UNAVAILABLE} (any router, any reason) and on a
 * server-side {@code DEADLINE_EXCEEDED} while time remains; writes only when nothing can have
 * been written (the shard had no quorum, or the request provably never left this client).
 *
 * @param maxAttempts attempts per request including the first; 1..{@value #ATTEMPTS_MAX}
 * @param initialBackoff the wait before the first retry; positive
 * @param maxBackoff the longest wait between attempts; at least {@code initialBackoff}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /** A ceiling on attempts per request, so a misconfiguration cannot retry without bound. */
  public static final int ATTEMPTS_MAX = 100;

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(5, Duration.ofMillis(50), Duration.ofSeconds(1));

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1 || maxAttempts > ATTEMPTS_MAX) {
      throw new IllegalArgumentException(
          "maxAttempts must be in 1.." + ATTEMPTS_MAX + ", got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be at least initialBackoff (" + initialBackoff + ")");
    }
    if (maxBackoff.compareTo(OrchidClient.DEADLINE_MAX) > 0) {
      throw new IllegalArgumentException(
          "maxBackoff must be at most " + OrchidClient.DEADLINE_MAX + ", got " + maxBackoff);
    }
  }

  /** 5 attempts, backoff from 50 ms up to 1 s. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: never retry, never fail over. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, DEFAULTS.initialBackoff, DEFAULTS.maxBackoff);
  }

  public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
  }
}
