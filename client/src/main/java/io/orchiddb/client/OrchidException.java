package io.orchiddb.client;

import java.util.Map;

/**
 * An OrchidDB request failed. The base of every exception the client throws for a failed
 * request (programming errors such as a null key are the usual {@link NullPointerException} /
 * {@link IllegalArgumentException}); its subclasses name the cases worth handling on their own:
 *
 * <ul>
 *   <li>{@link InvalidArgumentException}: the request broke a limit or was malformed; nothing was
 *       written.
 *   <li>{@link ConditionFailedException}: a put's or delete's condition did not hold; nothing was
 *       written.
 *   <li>{@link UnavailableException}: no router or no shard quorum, even after retries; nothing
 *       was written.
 *   <li>{@link OutcomeUnknownException}: a write may or may not have been applied.
 *   <li>{@link DeadlineExceededException}: a read (or a write that provably never left the client)
 *       ran out of time.
 * </ul>
 *
 * The rest (e.g. {@code PERMISSION_DENIED}, {@code INTERNAL} on a read) are plain
 * {@code OrchidException}s. When the router sent a {@code google.rpc.ErrorInfo} (domain
 * {@code orchiddb.io}), its reason and metadata are here; the gRPC
 * {@link io.grpc.StatusRuntimeException}, if any, is the cause.
 */
public class OrchidException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final transient Map<String, String> metadata;

  public OrchidException(String message) {
    this(message, "", Map.of(), null);
  }

  /**
   * @param reason the ErrorInfo reason (e.g. {@code "LIMIT_EXCEEDED"}); empty if none
   * @param metadata the ErrorInfo metadata; empty if none
   */
  public OrchidException(String message, String reason, Map<String, String> metadata, Throwable cause) {
    super(message, cause);
    this.reason = reason == null ? "" : reason;
    this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** The machine-readable reason the router gave (ErrorInfo.reason); empty if none. */
  public String reason() {
    return reason;
  }

  /** Specifics the router gave (ErrorInfo.metadata); empty if none. */
  public Map<String, String> metadata() {
    return metadata == null ? Map.of() : metadata;
  }
}
