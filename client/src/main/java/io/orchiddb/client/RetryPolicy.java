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
 * <p>A router that stops answering without closing its connections (a paused or overloaded
 * process, a network that drops packets) is left after {@code attemptTimeout}: a read (other than
 * a scan page) waits at most that long for one router and is then sent to the next, and once a
 * router has had a request unanswered for that long, new requests go to the next router. A write
 * already sent is not sent again (it may have been applied): it waits out its deadline as before.
 *
 * @param maxAttempts attempts per request including the first; 1..{@value #ATTEMPTS_MAX}
 * @param initialBackoff the wait before the first retry; positive
 * @param maxBackoff the longest wait between attempts; at least {@code initialBackoff}
 * @param attemptTimeout how long a router may leave a request unanswered before the client turns to
 *     the next; positive
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration attemptTimeout) {
  /** A ceiling on attempts per request, so a misconfiguration cannot retry without bound. */
  public static final int ATTEMPTS_MAX = 100;

  /** The default {@link #attemptTimeout}: well above a healthy request's worst case here. */
  public static final Duration ATTEMPT_TIMEOUT_DEFAULT = Duration.ofSeconds(2);

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(5, Duration.ofMillis(50), Duration.ofSeconds(1), ATTEMPT_TIMEOUT_DEFAULT);

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
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
    if (attemptTimeout.isNegative() || attemptTimeout.isZero() || attemptTimeout.compareTo(OrchidClient.DEADLINE_MAX) > 0) {
      throw new IllegalArgumentException(
          "attemptTimeout must be positive and at most " + OrchidClient.DEADLINE_MAX + ", got " + attemptTimeout);
    }
  }

  /** With the default {@link #attemptTimeout}. */
  public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    this(maxAttempts, initialBackoff, maxBackoff, ATTEMPT_TIMEOUT_DEFAULT);
  }

  /** 5 attempts, backoff from 50 ms up to 1 s, routers left after 2 s without an answer. */
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

  /** This policy with another {@link #attemptTimeout}. */
  public RetryPolicy withAttemptTimeout(Duration timeout) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, timeout);
  }
}
