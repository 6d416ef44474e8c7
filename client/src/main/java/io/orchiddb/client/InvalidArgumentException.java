package io.orchiddb.client;

import java.util.Map;
import java.util.Optional;

/**
 * The router rejected the request ({@code INVALID_ARGUMENT}): it broke a limit (reason
 * {@code LIMIT_EXCEEDED}, see {@link #limit()}) or was malformed (reason {@code BAD_REQUEST}, see
 * {@link #field()}). Nothing was written; retrying the same request fails the same way.
 */
public class InvalidArgumentException extends OrchidException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(
      String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, reason, metadata, cause);
  }

  /** The limit that was exceeded, e.g. {@code "key-bytes-max"}, {@code "batch-ops-max"}. */
  public Optional<String> limit() {
    return Optional.ofNullable(metadata().get("limit"));
  }

  /** The offending request field, for a malformed request. */
  public Optional<String> field() {
    return Optional.ofNullable(metadata().get("field"));
  }
}
