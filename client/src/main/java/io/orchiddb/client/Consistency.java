package io.orchiddb.client;

/** How fresh a read must be (see DESIGN.md, "Consistency levels"). */
public enum Consistency {
  /** Linearizable: sees every write acknowledged before the read started. Served by the shard's leader. */
  STRONG,
  /**
   * Read-your-writes and monotonic reads within this client: never older than what this client
   * has already written or read. Served by any replica that has caught up that far.
   */
  SESSION,
  /** Any replica's current state: possibly stale, never invented. */
  EVENTUAL
}
