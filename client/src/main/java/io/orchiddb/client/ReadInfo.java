package io.orchiddb.client;

import java.util.Objects;

/**
 * Which replica served a read, and how far it had applied its shard's log.
 *
 * @param servedBy node id of the replica; empty if the router did not say
 * @param appliedIndex that replica's applied index for the shard when it served the read
 */
public record ReadInfo(String servedBy, long appliedIndex) {
  public ReadInfo {
    Objects.requireNonNull(servedBy, "servedBy");
  }
}
