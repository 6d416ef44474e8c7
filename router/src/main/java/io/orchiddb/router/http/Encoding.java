package io.orchiddb.router.http;

import com.google.protobuf.ByteString;
import java.util.Base64;
import java.util.Locale;

/**
 * How keys and values travel as text in URLs and JSON: UTF-8 strings (the default), or base64
 * for any bytes ({@code ?encoding=base64}). Base64 is read in either alphabet (standard or
 * URL-safe), padding optional, and written in the standard alphabet with padding.
 */
enum Encoding {
  UTF8,
  BASE64;

  static final String PARAM = "encoding";

  /** The encoding a request asks for; {@code null} (parameter absent) means UTF-8. */
  static Encoding parse(String text) {
    if (text == null) {
      return UTF8;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "utf8", "utf-8" -> UTF8;
      case "base64" -> BASE64;
      default -> throw HttpErrors.badRequest(PARAM, "must be utf8 or base64, got '" + text + "'");
    };
  }

  /** The bytes the caller meant by {@code text}, sent in {@code field}. */
  ByteString decode(String field, String text) {
    return this == UTF8 ? ByteString.copyFromUtf8(text) : base64(field, text);
  }

  /**
   * {@code bytes} as text for {@code field} of a response. In UTF-8 mode, bytes that are not
   * valid UTF-8 cannot be shown faithfully, so the request fails (400, field "encoding") rather
   * than return altered data.
   */
  String encode(String field, ByteString bytes) {
    if (this == BASE64) {
      return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
    if (!bytes.isValidUtf8()) {
      throw HttpErrors.badRequest(PARAM, field + " is not valid UTF-8; ask again with encoding=base64");
    }
    return bytes.toStringUtf8();
  }

  /** Base64 in either alphabet, padding optional; a malformed one is refused naming {@code field}. */
  static ByteString base64(String field, String text) {
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(text.replace('-', '+').replace('_', '/')));
    } catch (IllegalArgumentException e) {
      throw HttpErrors.badRequest(field, "not valid base64");
    }
  }

  /** URL-safe base64 without padding: for opaque tokens that travel in URLs and headers. */
  static String token(ByteString bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }
}
