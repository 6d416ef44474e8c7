package io.orchiddb.client;

import java.util.Map;

/**
 * No router could serve the request, or its shard had no quorum ({@code UNAVAILABLE}), and retries
 * within the deadline did not help. For a write this always means nothing was written: a write
 * that may have reached a router before failing is an {@link OutcomeUnknownException} instead.
 */
public class UnavailableException extends OrchidException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(
      String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, reason, metadata, cause);
  }
}
