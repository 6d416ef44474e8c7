package io.orchiddb.client;

import java.util.Objects;

/**
 * What happened to one operation of a batch.
 *
 * @param outcome applied, or why not
 * @param version {@link Outcome#APPLIED}: the log index of the write (a put's new version);
 *     otherwise 0
 * @param previousVersion the key's version before the batch (for {@link Outcome#CONDITION_FAILED}:
 *     its current version); 0 when absent
 */
public record BatchResult(Outcome outcome, long version, long previousVersion) {
  /** What happened to an operation. */
  public enum Outcome {
    /** The operation was applied. */
    APPLIED,
    /** Its condition failed; nothing on its shard was applied. */
    CONDITION_FAILED,
    /** Another operation on the same shard failed its condition; this one was not applied. */
    ABORTED,
    /**
     * Its shard did not confirm in time (or could not be reached mid-request): the operation may
     * or may not have been applied. Read the key to find out. Operations of other shards in the
     * same batch still report their own outcome.
     */
    UNKNOWN
  }

  public BatchResult {
    Objects.requireNonNull(outcome, "outcome");
  }

  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }
}
