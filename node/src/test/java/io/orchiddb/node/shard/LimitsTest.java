package io.orchiddb.node.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that every size limit lets through a request exactly at the limit and refuses one a
 * single unit over it, with a {@link LimitExceededException} whose {@code limit()} names the
 * setting; that empty writes and transactions are refused (a write carrying only an epoch fence is
 * not empty); and that limits cannot be configured past their hard ceilings (or below 1).
 *
 * <p>How: build the smallest request that sits on each boundary with {@link Limits#DEFAULTS} and
 * call {@link Limits#check} / {@link Limits#checkKey} directly.
 */
class LimitsTest {
  private static final Limits LIMITS = Limits.DEFAULTS;
  private static final int SMALL_REQUEST_BYTES = 100;

  private static Key key(int bytes) {
    byte[] k = new byte[bytes];
    Arrays.fill(k, (byte) 'k');
    return Key.wrap(k);
  }

  private static WriteOp put(Key key, int valueBytes) {
    return new WriteOp.Put(key, new byte[valueBytes], Condition.ALWAYS);
  }

  private static List<List<WriteOp>> one(WriteOp op) {
    return List.of(List.of(op));
  }

  private static void assertRefused(Runnable check, String limit) {
    assertThatThrownBy(check::run)
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(limit))
        .hasMessageStartingWith(limit + ": ");
  }

  @Test
  void defaultsAreTheDocumentedValues() {
    assertThat(LIMITS)
        .isEqualTo(new Limits(1024, 1024 * 1024, 1024, 4 * 1024 * 1024));
  }

  @Test
  void keyOfExactlyTheLimitIsAllowedOneByteOverIsRefused() {
    assertThatCode(() -> LIMITS.check(one(put(key(1024), 1)), SMALL_REQUEST_BYTES))
        .doesNotThrowAnyException();
    assertThatCode(() -> LIMITS.checkKey(1024)).doesNotThrowAnyException();
    assertRefused(() -> LIMITS.check(one(put(key(1025), 1)), SMALL_REQUEST_BYTES), "key-bytes-max");
    assertRefused(() -> LIMITS.checkKey(1025), "key-bytes-max");
  }

  @Test
  void deleteKeysAreCheckedToo() {
    assertRefused(() -> LIMITS.check(one(new WriteOp.Delete(key(1025), Condition.ALWAYS)),
        SMALL_REQUEST_BYTES), "key-bytes-max");
  }

  @Test
  void emptyKeyIsRefused() {
    assertRefused(() -> LIMITS.check(one(put(key(0), 1)), SMALL_REQUEST_BYTES), "key-bytes-max");
    assertRefused(() -> LIMITS.checkKey(0), "key-bytes-max");
  }

  @Test
  void valueOfExactlyOneMebibyteIsAllowedOneByteOverIsRefused() {
    int mib = 1024 * 1024;
    assertThatCode(() -> LIMITS.check(one(put(key(1), mib)), mib + SMALL_REQUEST_BYTES))
        .doesNotThrowAnyException();
    assertRefused(() -> LIMITS.check(one(put(key(1), mib + 1)), mib + SMALL_REQUEST_BYTES),
        "value-bytes-max");
  }

  @Test
  void emptyValueIsAllowed() {
    assertThatCode(() -> LIMITS.check(one(put(key(1), 0)), SMALL_REQUEST_BYTES))
        .doesNotThrowAnyException();
  }

  @Test
  void batchOfExactlyTheLimitIsAllowedOneOpOverIsRefused() {
    List<WriteOp> ops = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      ops.add(put(key(1), 1));
    }
    assertThatCode(() -> LIMITS.check(List.of(ops), SMALL_REQUEST_BYTES)).doesNotThrowAnyException();
    ops.add(put(key(1), 1));
    assertRefused(() -> LIMITS.check(List.of(ops), SMALL_REQUEST_BYTES), "batch-ops-max");
  }

  @Test
  void theBatchLimitAppliesPerTransaction() {
    List<WriteOp> full = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      full.add(put(key(1), 1));
    }
    // Two full transactions in one write: each is within the limit.
    assertThatCode(() -> LIMITS.check(List.of(full, full), SMALL_REQUEST_BYTES))
        .doesNotThrowAnyException();
  }

  @Test
  void requestOfExactlyTheLimitIsAllowedOneByteOverIsRefused() {
    int fourMib = 4 * 1024 * 1024;
    assertThatCode(() -> LIMITS.check(one(put(key(1), 1)), fourMib)).doesNotThrowAnyException();
    assertRefused(() -> LIMITS.check(one(put(key(1), 1)), fourMib + 1), "request-bytes-max");
  }

  @Test
  void emptyWriteIsRefused() {
    assertRefused(() -> LIMITS.check(List.of(), SMALL_REQUEST_BYTES), "ops");
  }

  @Test
  void writeWithOnlyAnEpochFenceIsAllowed() {
    assertThatCode(() -> LIMITS.check(List.of(), 2, SMALL_REQUEST_BYTES)).doesNotThrowAnyException();
    assertRefused(() -> LIMITS.check(List.of(), 0, SMALL_REQUEST_BYTES), "ops");
    // A fence does not excuse an empty transaction beside it, nor a request over the size limit.
    assertRefused(() -> LIMITS.check(List.of(List.of()), 2, SMALL_REQUEST_BYTES), "ops");
    assertRefused(() -> LIMITS.check(List.of(), 2, 4 * 1024 * 1024 + 1), "request-bytes-max");
  }

  @Test
  void emptyTransactionIsRefused() {
    assertRefused(() -> LIMITS.check(List.of(List.of()), SMALL_REQUEST_BYTES), "ops");
    assertRefused(() -> LIMITS.check(List.of(List.of(put(key(1), 1)), List.of()),
        SMALL_REQUEST_BYTES), "ops");
  }

  @Test
  void configuredLimitsAreEnforced() {
    Limits small = new Limits(4, 8, 2, 1000);
    assertThatCode(() -> small.check(List.of(List.of(put(key(4), 8), put(key(4), 8))), 1000))
        .doesNotThrowAnyException();
    assertRefused(() -> small.check(one(put(key(5), 1)), 10), "key-bytes-max");
    assertRefused(() -> small.check(one(put(key(1), 9)), 10), "value-bytes-max");
    assertRefused(() -> small.check(List.of(List.of(put(key(1), 1), put(key(1), 1), put(key(1), 1))),
        10), "batch-ops-max");
    assertRefused(() -> small.check(one(put(key(1), 1)), 1001), "request-bytes-max");
  }

  @Test
  void limitsCanBeConfiguredUpToTheirCeilings() {
    assertThatCode(() -> new Limits(Limits.KEY_BYTES_MAX_CEILING, Limits.VALUE_BYTES_MAX_CEILING,
        Limits.BATCH_OPS_MAX_CEILING, Limits.REQUEST_BYTES_MAX_CEILING)).doesNotThrowAnyException();
    assertThatCode(() -> new Limits(1, 1, 1, 1)).doesNotThrowAnyException();
  }

  @Test
  void limitsAboveTheirCeilingsOrBelowOneAreRefused() {
    int key = Limits.KEY_BYTES_MAX_DEFAULT;
    int value = Limits.VALUE_BYTES_MAX_DEFAULT;
    int batch = Limits.BATCH_OPS_MAX_DEFAULT;
    int request = Limits.REQUEST_BYTES_MAX_DEFAULT;
    assertThatThrownBy(() -> new Limits(16 * 1024 + 1, value, batch, request))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key-bytes-max: ");
    assertThatThrownBy(() -> new Limits(key, 16 * 1024 * 1024 + 1, batch, request))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("value-bytes-max: ");
    assertThatThrownBy(() -> new Limits(key, value, 64 * 1024 + 1, request))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("batch-ops-max: ");
    assertThatThrownBy(() -> new Limits(key, value, batch, 32 * 1024 * 1024 + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("request-bytes-max: ");
    assertThatThrownBy(() -> new Limits(0, value, batch, request))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key-bytes-max: ");
    assertThatThrownBy(() -> new Limits(key, value, batch, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("request-bytes-max: ");
  }

  @Test
  void conditionValueOneByteOverTheValueLimitIsRefused() {
    Key k = key(1);
    WriteOp atLimit = new WriteOp.Delete(k, new Condition.ValueEquals(new byte[Limits.VALUE_BYTES_MAX_DEFAULT]));
    assertThatCode(() -> LIMITS.check(one(atLimit), SMALL_REQUEST_BYTES)).doesNotThrowAnyException();
    WriteOp over = new WriteOp.Delete(k, new Condition.ValueEquals(new byte[Limits.VALUE_BYTES_MAX_DEFAULT + 1]));
    assertRefused(() -> LIMITS.check(one(over), SMALL_REQUEST_BYTES), "value-bytes-max");
  }
}
