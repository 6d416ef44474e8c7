package io.orchiddb.benchmarks;

import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.node.meta.KeyHash;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.ShardInfo;
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
 * Key to shard, as the router does it for every request: Murmur3 of the key ({@link KeyHash}),
 * then a binary search over the shards' range starts ({@link ShardMap#shardForHash}), and the
 * two together ({@link ShardMap#shardFor}). Keys cycle through 4096 prepared 16-byte keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ShardLookupBench {
  private static final int KEYS = 4096;

  @Param({"8", "64", "1024"})
  int shards;

  private ShardMap map;
  private final byte[][] keys = new byte[KEYS][];
  private final long[] hashes = new long[KEYS];
  private int next;

  @Setup
  public void setup() {
    List<Member> nodes = List.of(
        Member.newBuilder().setId("n1").setAddress("127.0.0.1:7001").build(),
        Member.newBuilder().setId("n2").setAddress("127.0.0.1:7002").build(),
        Member.newBuilder().setId("n3").setAddress("127.0.0.1:7003").build());
    map = new ShardMap(ClusterLayout.initial("bench", nodes, shards, 3));
    SplittableRandom random = new SplittableRandom(Inputs.SEED);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Inputs.key(random.nextLong(100_000));
      hashes[i] = KeyHash.of(keys[i]);
    }
  }

  @Benchmark
  public ShardInfo shardFor() {
    return map.shardFor(keys[next++ & (KEYS - 1)]);
  }

  @Benchmark
  public long keyHash() {
    return KeyHash.of(keys[next++ & (KEYS - 1)]);
  }

  @Benchmark
  public ShardInfo shardForHash() {
    return map.shardForHash(hashes[next++ & (KEYS - 1)]);
  }
}
