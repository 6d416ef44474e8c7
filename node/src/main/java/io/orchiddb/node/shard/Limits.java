package io.orchiddb.node.shard;

import java.util.List;

/**
 * Size limits on what a write may carry. Every limit has a default and a hard ceiling it can be
 * configured up to, never past; each is checked by the router before a request is accepted and
 * again on the shard leader before a command enters the log.
 */
public record Limits(int keyBytesMax, int valueBytesMax, int batchOpsMax, int requestBytesMax) {
  public static final int KEY_BYTES_MAX_DEFAULT = 1024;
  public static final int KEY_BYTES_MAX_CEILING = 16 * 1024;
  public static final int VALUE_BYTES_MAX_DEFAULT = 1024 * 1024;
  public static final int VALUE_BYTES_MAX_CEILING = 16 * 1024 * 1024;
  public static final int BATCH_OPS_MAX_DEFAULT = 1024;
  public static final int BATCH_OPS_MAX_CEILING = 64 * 1024;
  public static final int REQUEST_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;
  public static final int REQUEST_BYTES_MAX_CEILING = 32 * 1024 * 1024;

  public static final Limits DEFAULTS = new Limits(KEY_BYTES_MAX_DEFAULT, VALUE_BYTES_MAX_DEFAULT,
      BATCH_OPS_MAX_DEFAULT, REQUEST_BYTES_MAX_DEFAULT);

  public Limits {
    checkRange("key-bytes-max", keyBytesMax, KEY_BYTES_MAX_CEILING);
    checkRange("value-bytes-max", valueBytesMax, VALUE_BYTES_MAX_CEILING);
    checkRange("batch-ops-max", batchOpsMax, BATCH_OPS_MAX_CEILING);
    checkRange("request-bytes-max", requestBytesMax, REQUEST_BYTES_MAX_CEILING);
  }

  private static void checkRange(String name, int value, int ceiling) {
    if (value < 1 || value > ceiling) {
      throw new IllegalArgumentException(
          name + ": must be between 1 and " + ceiling + ", got " + value);
    }
  }

  /**
   * Throws {@link LimitExceededException} naming the first limit a write of {@code txns} without
   * an epoch fence breaks (what a router proposes for its callers).
   */
  public void check(List<List<WriteOp>> txns, int encodedBytes) {
    check(txns, 0, encodedBytes);
  }

  /**
   * Throws {@link LimitExceededException} naming the first limit a write breaks. A write carries
   * transactions, an epoch fence ({@code fenceEpoch} non-zero), or both; one with neither is
   * refused.
   */
  public void check(List<List<WriteOp>> txns, long fenceEpoch, int encodedBytes) {
    if (encodedBytes > requestBytesMax) {
      throw new LimitExceededException("request-bytes-max",
          "request is " + encodedBytes + " bytes; the limit is " + requestBytesMax);
    }
    if (txns.isEmpty() && fenceEpoch == 0) {
      throw new LimitExceededException("ops", "a write must carry at least one operation or an epoch fence");
    }
    for (List<WriteOp> txn : txns) {
      if (txn.isEmpty()) {
        throw new LimitExceededException("ops", "a transaction must carry at least one operation");
      }
      if (txn.size() > batchOpsMax) {
        throw new LimitExceededException("batch-ops-max",
            "batch has " + txn.size() + " operations; the limit is " + batchOpsMax);
      }
      for (WriteOp op : txn) {
        checkKey(op.key().length());
        if (op instanceof WriteOp.Put put && put.value().length > valueBytesMax) {
          throw new LimitExceededException("value-bytes-max",
              "value is " + put.value().length + " bytes; the limit is " + valueBytesMax);
        }
        if (op.condition() instanceof Condition.ValueEquals v && v.value().length > valueBytesMax) {
          throw new LimitExceededException("value-bytes-max",
              "condition value is " + v.value().length + " bytes; the limit is " + valueBytesMax);
        }
      }
    }
  }

  /** Throws {@link LimitExceededException} unless a key of this length is allowed. */
  public void checkKey(int keyBytes) {
    if (keyBytes == 0) {
      throw new LimitExceededException("key-bytes-max", "key must not be empty");
    }
    if (keyBytes > keyBytesMax) {
      throw new LimitExceededException("key-bytes-max",
          "key is " + keyBytes + " bytes; the limit is " + keyBytesMax);
    }
  }
}
