package io.orchiddb.client;

/**
 * One put's outcome in {@link OrchidClient#putMany}: its result when it was applied, otherwise the
 * exception a put of its own would have thrown ({@link ConditionFailedException}, {@link
 * InvalidArgumentException}, {@link UnavailableException}: nothing written; {@link
 * OutcomeUnknownException}: it may have been applied).
 *
 * @param result the applied put's result, or null
 * @param error why it was not applied, or null
 */
public record PutOutcome(PutResult result, OrchidException error) {
  public PutOutcome {
    if ((result == null) == (error == null)) {
      throw new IllegalArgumentException("a put outcome has either a result or an error");
    }
  }

  /** Whether the put was applied. */
  public boolean applied() {
    return result != null;
  }

  /** The result of the applied put; throws its exception otherwise. */
  public PutResult orThrow() {
    if (error != null) {
      throw error;
    }
    return result;
  }
}
