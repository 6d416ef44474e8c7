package io.orchiddb.client;

import java.util.Map;

/**
 * A put's or delete's {@link Condition} did not hold ({@code FAILED_PRECONDITION}, reason
 * {@code CONDITION_FAILED}). Nothing was written. {@link #currentVersion()} says what the key looks
 * like now, so a compare-and-set loop can re-read or retry with it.
 */
public class ConditionFailedException extends OrchidException {
  private static final long serialVersionUID = 1L;

  public ConditionFailedException(
      String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, reason, metadata, cause);
  }

  /**
   * The key's version when the condition was checked: 0 when the key does not exist, -1 if the
   * router did not say (metadata {@code current_version} missing or malformed).
   */
  public long currentVersion() {
    String version = metadata().get("current_version");
    if (version == null) {
      return -1;
    }
    try {
      return Long.parseUnsignedLong(version);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
