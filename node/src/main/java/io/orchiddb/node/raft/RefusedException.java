package io.orchiddb.node.raft;

import java.io.IOException;

/**
 * A request a node refused for a reason the caller can fix; the message names the rule first
 * (e.g. {@code key-bytes-max: key is 1025 bytes; the limit is 1024}). Nothing was written.
 *
 * <p>Public with a public {@code (String)} constructor so the Ratis client can rebuild it as the
 * cause of the {@code StateMachineException} it receives.
 */
public final class RefusedException extends IOException {
  public RefusedException(String message) {
    super(message);
  }
}
