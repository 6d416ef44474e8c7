package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keys are the prefix and a fixed-width index, so they sort in index order. */
class KeyFormatTest {
  @Test
  void prefixAndTenDigits() {
    KeyFormat f = new KeyFormat("bench/");
    assertThat(new String(f.key(0), StandardCharsets.UTF_8)).isEqualTo("bench/0000000000");
    assertThat(new String(f.key(42), StandardCharsets.UTF_8)).isEqualTo("bench/0000000042");
    assertThat(new String(f.key(9_999_999_999L), StandardCharsets.UTF_8)).isEqualTo("bench/9999999999");
    assertThat(new String(new KeyFormat("").key(7), StandardCharsets.UTF_8)).isEqualTo("0000000007");
  }

  @Test
  void outOfRangeIndexesAreRefused() {
    assertThatThrownBy(() -> new KeyFormat("k").key(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyFormat("k").key(10_000_000_000L)).isInstanceOf(IllegalArgumentException.class);
  }
}
