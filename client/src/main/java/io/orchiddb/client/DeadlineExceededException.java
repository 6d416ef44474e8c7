package io.orchiddb.client;

import java.util.Map;

/**
 * A read ran out of time ({@code DEADLINE_EXCEEDED}) within its deadline and retries. Also thrown
 * for a write whose deadline passed before the request ever left the client (so nothing was
 * written); a write that timed out after it was sent is an {@link OutcomeUnknownException}.
 */
public class DeadlineExceededException extends OrchidException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(
      String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, reason, metadata, cause);
  }
}
