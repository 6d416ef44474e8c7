package io.orchiddb.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.orchiddb.router.shard.RouterException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Proves how keys and values travel as text: path segments percent-decode to exact bytes (any
 * byte value, '+' kept literal), base64 is read in either alphabet with optional padding, and
 * bytes that are not UTF-8 are refused in UTF-8 mode rather than altered.
 */
class EncodingTest {
  private static ByteString bytes(int... b) {
    byte[] a = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      a[i] = (byte) b[i];
    }
    return ByteString.copyFrom(a);
  }

  private static String field(Runnable call) {
    RouterException e = catchThrowableOfType(RouterException.class, call::run);
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(RouterException.Reason.BAD_REQUEST);
    return e.metadata().get("field");
  }

  @Test
  void percentDecodingGivesExactBytes() {
    assertThat(PathKey.percentDecode("a%2Fb%20c").toStringUtf8()).isEqualTo("a/b c");
    assertThat(PathKey.percentDecode("%FF%00%7f")).isEqualTo(bytes(0xFF, 0x00, 0x7F));
    assertThat(PathKey.percentDecode("a+b").toStringUtf8()).isEqualTo("a+b");
    assertThat(PathKey.percentDecode("caf%C3%A9")).isEqualTo(ByteString.copyFromUtf8("café"));
    assertThat(PathKey.percentDecode("café😀")).isEqualTo(ByteString.copyFrom("café😀", StandardCharsets.UTF_8));
    assertThat(PathKey.percentDecode("")).isEqualTo(ByteString.EMPTY);
    for (String bad : new String[] {"%", "%4", "%zz", "a%G0"}) {
      assertThat(field(() -> PathKey.percentDecode(bad))).as(bad).isEqualTo("key");
    }
  }

  @Test
  void encodingParameter() {
    assertThat(Encoding.parse(null)).isEqualTo(Encoding.UTF8);
    assertThat(Encoding.parse("UTF-8")).isEqualTo(Encoding.UTF8);
    assertThat(Encoding.parse("Base64")).isEqualTo(Encoding.BASE64);
    assertThat(field(() -> Encoding.parse("hex"))).isEqualTo("encoding");
  }

  @Test
  void base64InEitherAlphabetWithOrWithoutPadding() {
    assertThat(Encoding.BASE64.decode("value", "/w==")).isEqualTo(bytes(0xFF));
    assertThat(Encoding.BASE64.decode("value", "_w")).isEqualTo(bytes(0xFF));
    assertThat(Encoding.BASE64.decode("value", "+-8")).isEqualTo(bytes(0xFB, 0xEF));
    assertThat(Encoding.BASE64.encode("value", bytes(0xFF))).isEqualTo("/w==");
    assertThat(Encoding.token(bytes(0xFF))).isEqualTo("_w");
    assertThat(field(() -> Encoding.BASE64.decode("ops[3].key", "not base64!"))).isEqualTo("ops[3].key");
  }

  @Test
  void utf8ModeRefusesBytesItCannotShow() {
    assertThat(Encoding.UTF8.encode("value", ByteString.copyFromUtf8("ключ"))).isEqualTo("ключ");
    assertThat(field(() -> Encoding.UTF8.encode("value", bytes(0xFF, 0xFE)))).isEqualTo("encoding");
    assertThat(Encoding.UTF8.decode("value", "ü")).isEqualTo(ByteString.copyFromUtf8("ü"));
  }
}
