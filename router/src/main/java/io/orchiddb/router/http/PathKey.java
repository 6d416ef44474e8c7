package io.orchiddb.router.http;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The key named by a request path: exactly one path segment after a route's prefix,
 * percent-decoded (RFC 3986 §2.1) straight to bytes, so every byte value can be written as
 * {@code %XX}; with {@code encoding=base64} the decoded segment is then read as base64.
 *
 * <p>Armeria has already matched the route on its normalized path, in which reserved escapes such
 * as {@code %2F} stay encoded; the segment is taken from that path. A bare {@code ;} is refused
 * because Armeria reads it as the start of path parameters and would drop the rest of the key.
 */
final class PathKey {
  static final String FIELD = "key";

  private PathKey() {}

  /** The key in {@code ctx}'s path after {@code prefix} (which ends with '/'). */
  static ByteString of(ServiceRequestContext ctx, String prefix, Encoding encoding) {
    if (ctx.rawPath().indexOf(';') >= 0) {
      throw HttpErrors.badRequest(FIELD, "a ';' in a key must be percent-encoded as %3B");
    }
    String path = ctx.path();
    if (!path.startsWith(prefix)) {
      throw new IllegalStateException("route " + prefix + " matched path " + path);
    }
    ByteString bytes = percentDecode(path.substring(prefix.length()));
    return encoding == Encoding.BASE64 ? Encoding.base64(FIELD, bytes.toStringUtf8()) : bytes;
  }

  /** Decodes {@code %XX} escapes to bytes; other characters stand for their UTF-8 bytes. */
  static ByteString percentDecode(String segment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
    int i = 0;
    while (i < segment.length()) {
      char c = segment.charAt(i);
      if (c == '%') {
        int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw HttpErrors.badRequest(FIELD, "'%' must start an escape of two hex digits (write '%' itself as %25)");
        }
        out.write(hi << 4 | lo);
        i += 3;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < segment.length() ? i + 2 : i + 1;
        out.writeBytes(segment.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end;
      }
    }
    return ByteString.copyFrom(out.toByteArray());
  }
}
