package io.orchiddb.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the public value types are immutable values: arrays are copied in and out, equality is
 * by content, factories and withers validate their arguments with clear messages, and options keep
 * "unset" distinct from a value so client defaults apply.
 *
 * <p>How: plain construction and mutation of the arrays passed in or handed out.
 */
class ValuesTest {
  @Test
  void keyValueCopiesItsArraysAndComparesByContent() {
    byte[] key = "k".getBytes(UTF_8);
    byte[] value = "v".getBytes(UTF_8);
    KeyValue kv = KeyValue.of(key, value, 3, 2, 1000);
    key[0] = 'x';
    kv.value()[0] = 'x';

    assertThat(kv.keyUtf8()).isEqualTo("k");
    assertThat(kv.valueUtf8()).isEqualTo("v");
    assertThat(kv).isEqualTo(KeyValue.of("k".getBytes(UTF_8), "v".getBytes(UTF_8), 3, 2, 1000));
    assertThat(kv).hasSameHashCodeAs(KeyValue.of("k".getBytes(UTF_8), "v".getBytes(UTF_8), 3, 2, 1000));
    assertThat(kv).isNotEqualTo(KeyValue.of("k".getBytes(UTF_8), "v".getBytes(UTF_8), 4, 2, 1000));
    assertThat(kv.toString()).contains("\"k\"", "version=3");
  }

  @Test
  void conditionsValidateAndCompareByContent() {
    byte[] expected = "old".getBytes(UTF_8);
    Condition valueEquals = Condition.valueEquals(expected);
    expected[0] = 'x';

    assertThat(valueEquals.value()).isEqualTo("old".getBytes(UTF_8));
    assertThat(valueEquals).isEqualTo(Condition.valueEquals("old".getBytes(UTF_8)));
    assertThat(Condition.versionEquals(4).version()).isEqualTo(4);
    assertThat(Condition.absent().kind()).isEqualTo(Condition.Kind.ABSENT);
    assertThat(Condition.always().kind()).isEqualTo(Condition.Kind.ALWAYS);
    assertThatThrownBy(() -> Condition.versionEquals(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Condition.absent()");
  }

  @Test
  void batchOpsCopyTheirArrays() {
    byte[] key = "k".getBytes(UTF_8);
    BatchOp put = BatchOp.put(key, "v".getBytes(UTF_8), Condition.absent());
    key[0] = 'x';

    assertThat(put.key()).isEqualTo("k".getBytes(UTF_8));
    assertThat(put.type()).isEqualTo(BatchOp.Type.PUT);
    assertThat(put.condition()).isEqualTo(Condition.absent());
    assertThat(BatchOp.delete("k".getBytes(UTF_8)).value()).isEmpty();
    assertThat(BatchOp.delete("k".getBytes(UTF_8))).isEqualTo(BatchOp.delete("k".getBytes(UTF_8)));
  }

  @Test
  void scanSpecsValidateAndAreImmutable() {
    ScanSpec spec = ScanSpec.prefix("p/");
    ScanSpec paged = spec.withPageSize(10).keysOnly();

    assertThat(spec.pageSize()).isZero();
    assertThat(spec.isKeysOnly()).isFalse();
    assertThat(paged.pageSize()).isEqualTo(10);
    assertThat(paged.isKeysOnly()).isTrue();
    assertThat(paged.withContinuation(new byte[] {1}).continuation()).containsExactly(1);
    assertThat(spec).isEqualTo(ScanSpec.prefix("p/".getBytes(UTF_8)));
    assertThatThrownBy(() -> spec.withPageSize(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScanSpec.range("b".getBytes(UTF_8), "a".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is after its end");
    // Unsigned order: 0xff sorts after 0x01.
    assertThat(ScanSpec.range(new byte[] {1}, new byte[] {(byte) 0xff})).isNotNull();
    assertThat(ScanSpec.range("m".getBytes(UTF_8), new byte[0]).toString()).contains("∞");
  }

  @Test
  void optionsKeepUnsetDistinctFromSet() {
    assertThat(ReadOptions.defaults().consistency()).isEmpty();
    assertThat(ReadOptions.defaults().deadline()).isEmpty();
    ReadOptions session = ReadOptions.of(Consistency.SESSION).withDeadline(Duration.ofSeconds(2));
    assertThat(session.consistency()).contains(Consistency.SESSION);
    assertThat(session.deadline()).contains(Duration.ofSeconds(2));
    assertThat(session).isEqualTo(ReadOptions.defaults().withDeadline(Duration.ofSeconds(2))
        .withConsistency(Consistency.SESSION));
    assertThat(WriteOptions.defaults().deadline()).isEmpty();
    assertThat(WriteOptions.defaults().withDeadline(Duration.ofSeconds(1)).deadline()).contains(Duration.ofSeconds(1));
  }

  @Test
  void retryPoliciesValidate() {
    assertThat(RetryPolicy.defaults()).isEqualTo(RetryPolicy.of(5, Duration.ofMillis(50), Duration.ofSeconds(1)));
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    assertThat(RetryPolicy.defaults().attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(RetryPolicy.defaults().withAttemptTimeout(Duration.ofMillis(300)).attemptTimeout())
        .isEqualTo(Duration.ofMillis(300));
    for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1), OrchidClient.DEADLINE_MAX.plusNanos(1))) {
      assertThatThrownBy(() -> RetryPolicy.defaults().withAttemptTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
    }
    assertThat(RetryPolicy.defaults().withAttemptTimeout(OrchidClient.DEADLINE_MAX).attemptTimeout())
        .isEqualTo(OrchidClient.DEADLINE_MAX);
    assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .hasMessageContaining("maxAttempts must be in 1..100, got 0");
    assertThatThrownBy(() -> RetryPolicy.of(101, Duration.ofMillis(1), Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ZERO, Duration.ofMillis(1)))
        .hasMessageContaining("initialBackoff must be positive");
    assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("must be at least initialBackoff");
  }

  @Test
  void exceptionsReadTheirErrorInfoMetadata() {
    ConditionFailedException noVersion = new ConditionFailedException("m", "CONDITION_FAILED", Map.of(), null);
    assertThat(noVersion.currentVersion()).isEqualTo(-1);
    assertThat(new ConditionFailedException("m", "", Map.of("current_version", "x"), null).currentVersion()).isEqualTo(-1);
    InvalidArgumentException invalid =
        new InvalidArgumentException("m", "LIMIT_EXCEEDED", Map.of("limit", "value-bytes-max"), null);
    assertThat(invalid.limit()).contains("value-bytes-max");
    assertThat(invalid.metadata()).containsEntry("limit", "value-bytes-max");
    assertThat(new OrchidException("plain").reason()).isEmpty();
  }

  @Test
  void printableShowsTextAsTextAndBinaryAsHex() {
    assertThat(Codec.printable(ByteString.copyFromUtf8("user/1"))).isEqualTo("\"user/1\"");
    assertThat(Codec.printable(ByteString.copyFrom(new byte[] {0, (byte) 0xab}))).isEqualTo("0x00ab");
    assertThat(Codec.printable(ByteString.copyFrom(new byte[100]))).endsWith("…(100 bytes)");
  }
}
