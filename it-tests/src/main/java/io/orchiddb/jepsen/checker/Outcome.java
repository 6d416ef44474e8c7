package io.orchiddb.jepsen.checker;

/** What a checker concluded. UNKNOWN is never a pass: a search that ran out of budget says so. */
public enum Outcome {
  /** The history satisfies the property. */
  VALID,
  /** The history violates the property; the verdict's details show where. */
  INVALID,
  /** The checker could not decide (search budget exhausted, no final read, ...). */
  UNKNOWN;

  /** The worse of the two: INVALID over UNKNOWN over VALID. */
  public Outcome and(Outcome other) {
    if (this == INVALID || other == INVALID) {
      return INVALID;
    }
    return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
  }
}
