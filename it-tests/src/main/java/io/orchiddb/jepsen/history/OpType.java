package io.orchiddb.jepsen.history;

/**
 * The kind of a history event: an invocation, or one of the three ways it can complete.
 *
 * <p>The distinction between {@link #FAIL} and {@link #INFO} is what the checkers rest on: a FAIL
 * must only be recorded when the database guarantees that nothing was applied (a failed
 * condition, a rejected request); anything else that goes wrong (a timeout, a lost connection) is
 * an INFO, whose effect may or may not appear, now or later.
 */
public enum OpType {
  /** The client is about to send the request. */
  INVOKE,
  /** The operation took effect, and its result is known. */
  OK,
  /** The operation definitely did not take effect. */
  FAIL,
  /** The outcome is unknown: the operation may or may not have taken effect, even later. */
  INFO;

  /** Whether this type ends an operation (every type but {@link #INVOKE}). */
  public boolean isCompletion() {
    return this != INVOKE;
  }
}
