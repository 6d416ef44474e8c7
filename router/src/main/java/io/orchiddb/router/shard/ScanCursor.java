package io.orchiddb.router.shard;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The continuation token of a scan: where the next page resumes (just after this key). Encoded
 * as a version byte, a CRC32C of the key and the key, so a truncated or altered token is refused
 * instead of silently restarting or skipping part of the scan.
 */
final class ScanCursor {
  private static final byte VERSION = 1;

  private ScanCursor() {}

  static ByteString encode(ByteString lastKey) {
    ByteBuffer b = ByteBuffer.allocate(5 + lastKey.size());
    b.put(VERSION).putInt(crc(lastKey));
    lastKey.copyTo(b);
    return ByteString.copyFrom(b.array());
  }

  /** The key the previous page ended with; throws BAD_REQUEST for anything malformed. */
  static ByteString decode(ByteString token) {
    if (token.size() < 6 || token.byteAt(0) != VERSION) {
      throw RouterException.badRequest("continuation", "malformed continuation token");
    }
    int crc = token.substring(1, 5).asReadOnlyByteBuffer().getInt();
    ByteString key = token.substring(5);
    if (crc(key) != crc) {
      throw RouterException.badRequest("continuation", "malformed continuation token");
    }
    return key;
  }

  private static int crc(ByteString key) {
    CRC32C c = new CRC32C();
    c.update(key.asReadOnlyByteBuffer());
    return (int) c.getValue();
  }
}
