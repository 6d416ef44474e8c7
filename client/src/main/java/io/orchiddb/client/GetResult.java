package io.orchiddb.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a get.
 *
 * @param keyValue the key, if it exists
 * @param readInfo which replica answered and how far it had applied the shard's log
 */
public record GetResult(Optional<KeyValue> keyValue, ReadInfo readInfo) {
  public GetResult {
    Objects.requireNonNull(keyValue, "keyValue");
    Objects.requireNonNull(readInfo, "readInfo");
  }

  /** Whether the key exists. */
  public boolean found() {
    return keyValue.isPresent();
  }
}
