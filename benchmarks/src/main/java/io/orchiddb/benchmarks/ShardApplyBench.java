package io.orchiddb.benchmarks;

import io.orchiddb.node.shard.Condition;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.node.shard.TxnOutcome;
import io.orchiddb.node.shard.WriteOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state machine's apply: {@link ShardStore#apply} of one log entry carrying {@code batch}
 * transactions of one unconditional put each (what the router's coalescing produces), on a shard
 * already holding {@code keys} keys, so most puts overwrite. Time is per entry; divide by
 * {@code batch} for per put. Entries cycle through prepared ones holding {@link #PUTS_PREPARED}
 * puts of random keys in all, whatever the batch size, so that every batch size sees the same
 * (cache-cold) key pattern (decoding is measured in {@link CodecBench}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ShardApplyBench {
  /** Puts prepared in all: spread over the key space, so lookups miss the CPU caches as in production. */
  static final int PUTS_PREPARED = 1 << 16;

  @Param({"1", "16", "256"})
  int batch;

  @Param({"100000"})
  int keys;

  @Param({"100"})
  int valueBytes;

  private ShardStore store;
  private final List<List<List<WriteOp>>> entries = new ArrayList<>();
  private int entryMask;
  private long index;
  private int next;

  @Setup
  public void setup() {
    SplittableRandom random = new SplittableRandom(Inputs.SEED);
    byte[] value = Inputs.value(random, valueBytes);
    store = new ShardStore();
    for (int first = 0; first < keys; first += 1000) {
      List<List<WriteOp>> load = new ArrayList<>();
      for (int k = first; k < Math.min(keys, first + 1000); k++) {
        load.add(List.of(new WriteOp.Put(Key.wrap(Inputs.key(k)), value, Condition.ALWAYS)));
      }
      store.apply(++index, 0, load);
    }
    int entryCount = Math.max(64, Integer.highestOneBit(PUTS_PREPARED / batch));
    entryMask = entryCount - 1;
    for (int e = 0; e < entryCount; e++) {
      List<List<WriteOp>> txns = new ArrayList<>(batch);
      for (int t = 0; t < batch; t++) {
        txns.add(List.of(new WriteOp.Put(Key.wrap(Inputs.key(random.nextLong(keys))), value, Condition.ALWAYS)));
      }
      entries.add(txns);
    }
  }

  @Benchmark
  public List<TxnOutcome> applyEntry() {
    return store.apply(++index, index, entries.get(next++ & entryMask));
  }
}
