package io.orchiddb.router.shard;

import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.ScanRequest;

/**
 * The key range [start, end) a scan request asks for, resumed after its continuation token.
 * {@code end} empty means no upper bound. A prefix p becomes [p, p+1) where p+1 is the smallest
 * key greater than every key starting with p.
 */
record ScanRange(ByteString start, ByteString end) {
  static ScanRange of(ScanRequest req) {
    boolean hasRange = !req.getStartKey().isEmpty() || !req.getEndKey().isEmpty();
    if (!req.getPrefix().isEmpty() && hasRange) {
      throw RouterException.badRequest("prefix", "set either prefix or start_key/end_key, not both");
    }
    ByteString start = hasRange ? req.getStartKey() : req.getPrefix();
    ByteString end = hasRange ? req.getEndKey() : prefixEnd(req.getPrefix());
    if (!end.isEmpty() && ByteString.unsignedLexicographicalComparator().compare(start, end) > 0) {
      throw RouterException.badRequest("end_key", "end_key sorts before start_key");
    }
    if (!req.getContinuation().isEmpty()) {
      ByteString last = ScanCursor.decode(req.getContinuation());
      var cmp = ByteString.unsignedLexicographicalComparator();
      if (cmp.compare(last, start) < 0 || (!end.isEmpty() && cmp.compare(last, end) >= 0)) {
        throw RouterException.badRequest("continuation", "the continuation token does not belong to this scan");
      }
      start = last.concat(ByteString.copyFrom(new byte[] {0})); // just after the last key
    }
    return new ScanRange(start, end);
  }

  /** The smallest key greater than every key with this prefix; empty when there is none. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] b = prefix.toByteArray();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xFF) {
        b[i]++;
        return ByteString.copyFrom(b, 0, i + 1);
      }
    }
    return ByteString.EMPTY;
  }
}
