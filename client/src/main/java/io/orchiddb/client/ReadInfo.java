package io.orchiddb.client;

import java.util.Objects;

/**
 * Which replica served a read, and how far it had applied its shard's log.
 *
 * @param servedBy node id of the replica; empty if the router did not say
 * @param appliedIndex that replica's applied index for the shard when it served the read
 * @param cached true when the router answered an EVENTUAL read from its cache of recent reads;
 *     {@code servedBy} and {@code appliedIndex} are then those of the read it cached
 */
public record ReadInfo(String servedBy, long appliedIndex, boolean cached) {
  public ReadInfo {
    Objects.requireNonNull(servedBy, "servedBy");
  }

  /** A read a replica answered (not from the router's cache). */
  public ReadInfo(String servedBy, long appliedIndex) {
    this(servedBy, appliedIndex, false);
  }
}
