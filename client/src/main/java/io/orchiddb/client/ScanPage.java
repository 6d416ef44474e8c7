package io.orchiddb.client;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * One page of a scan: keys in ascending unsigned-byte order, and the token for the next page.
 * Each page is consistent per shard at the requested level; a multi-page scan is not a snapshot.
 *
 * <pre>{@code
 * ScanPage page = client.scanPage(spec);
 * while (page.hasMore()) {
 *   page = client.scanPage(spec.withContinuation(page.continuation()));
 * }
 * }</pre>
 */
public final class ScanPage {
  private final List<KeyValue> keyValues;
  private final ByteString continuation;

  ScanPage(List<KeyValue> keyValues, ByteString continuation) {
    this.keyValues = List.copyOf(keyValues);
    this.continuation = Objects.requireNonNull(continuation, "continuation");
  }

  /** The keys of this page (unmodifiable); may be empty even when {@link #hasMore()}. */
  public List<KeyValue> keyValues() {
    return keyValues;
  }

  /** Whether there are more pages: then pass {@link #continuation()} to get the next one. */
  public boolean hasMore() {
    return !continuation.isEmpty();
  }

  /** A copy of the token for the next page; empty when the scan is complete. */
  public byte[] continuation() {
    return continuation.toByteArray();
  }

  ByteString continuationBytes() {
    return continuation;
  }

  @Override
  public String toString() {
    return "ScanPage{" + keyValues.size() + " keys, hasMore=" + hasMore() + "}";
  }
}
