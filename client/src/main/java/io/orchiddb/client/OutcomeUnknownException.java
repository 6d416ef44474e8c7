package io.orchiddb.client;

import java.util.Map;

/**
 * A write may or may not have been applied: it timed out ({@code DEADLINE_EXCEEDED}, reason
 * {@code OUTCOME_UNKNOWN}), its connection failed after the request was sent, the router failed
 * internally, or the caller interrupted or cancelled it. The client does not retry such a write
 * (a retry could apply it twice); read the key to learn what happened, or retry with a
 * {@link Condition} that makes a second application harmless.
 */
public class OutcomeUnknownException extends OrchidException {
  private static final long serialVersionUID = 1L;

  public OutcomeUnknownException(
      String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, reason, metadata, cause);
  }
}
