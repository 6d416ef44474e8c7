package io.orchiddb.node.shard;

import java.util.List;

/**
 * What a transaction did. A failed condition is an outcome, not an exception: the Raft apply path
 * must never throw for a business failure (an exception there stops the server).
 *
 * @param committed false when some condition failed; then nothing was applied
 * @param ops one outcome per operation, in order
 */
public record TxnOutcome(boolean committed, List<OpOutcome> ops) {
  public TxnOutcome {
    ops = List.copyOf(ops);
  }

  /**
   * @param existed whether the key existed before the transaction
   * @param previousVersion the key's version before the transaction, 0 when absent
   * @param conditionFailed whether this operation's own condition failed
   */
  public record OpOutcome(boolean existed, long previousVersion, boolean conditionFailed) {}
}
