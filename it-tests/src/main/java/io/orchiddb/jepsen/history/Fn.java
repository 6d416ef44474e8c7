package io.orchiddb.jepsen.history;

/**
 * What an operation does. {@link #READ}, {@link #WRITE} and {@link #CAS} act on one register key;
 * {@link #ADD} adds one element to the set and {@link #READ_ALL} reads the whole set.
 */
public enum Fn {
  /** Reads a register: the OK completion carries the value (null = absent) and its version. */
  READ,
  /** Writes {@code value} to a register; the OK completion may carry the new version. */
  WRITE,
  /** Writes {@code value} iff the register currently holds {@code expected}. */
  CAS,
  /** Adds the element {@code value} to the set. */
  ADD,
  /** Reads the whole set: the OK completion carries its {@code elements}. */
  READ_ALL
}
