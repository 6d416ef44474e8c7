package io.orchiddb.jepsen.history;

import java.util.Objects;

/**
 * An invocation paired with its completion. {@code completion} is null when the run ended with the
 * operation in flight; such an operation counts as {@link OpType#INFO} (it may or may not have
 * taken effect).
 */
public record Operation(Op invoke, Op completion) {
  public Operation {
    Objects.requireNonNull(invoke, "invoke");
    if (!invoke.isInvoke()) {
      throw new IllegalArgumentException("not an invocation: " + invoke.describe());
    }
    if (completion != null && (completion.isInvoke() || completion.process() != invoke.process()
        || completion.f() != invoke.f() || !completion.key().equals(invoke.key())
        || completion.index() <= invoke.index())) {
      throw new IllegalArgumentException("completion " + completion.describe() + " does not match "
          + invoke.describe());
    }
  }

  /** The outcome: the completion's type, or INFO when there is no completion. */
  public OpType type() {
    return completion == null ? OpType.INFO : completion.type();
  }

  public int process() {
    return invoke.process();
  }

  public Fn f() {
    return invoke.f();
  }

  public String key() {
    return invoke.key();
  }

  /** The completion's index, or {@link Long#MAX_VALUE} when there is none. */
  public long completionIndex() {
    return completion == null ? Long.MAX_VALUE : completion.index();
  }
}
