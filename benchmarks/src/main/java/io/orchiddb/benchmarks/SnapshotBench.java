package io.orchiddb.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.node.raft.SnapshotFile;
import io.orchiddb.node.shard.Condition;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.KeyEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A shard snapshot of {@code records} keys with 100-byte values, written and read the way the
 * shard state machine does it: {@code write} walks the store in key order, encodes each entry as
 * a {@link KeyEntry} and writes it through {@link SnapshotFile#write} (temp file, CRC32C, fsync,
 * rename, directory fsync: a real disk's fsync is part of the cost); {@code read} verifies and
 * parses the file with {@link SnapshotFile#read} into a new {@link ShardStore}; {@code freeze}
 * is the part of a snapshot the apply thread waits for ({@link ShardStore#freeze}), the write
 * running on a thread of its own. Time is per snapshot.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class SnapshotBench {
  @Param({"10000", "100000"})
  int records;

  private ShardStore store;
  private Path dir;
  private Path written;
  private Path readable;
  private long index;

  @Setup
  public void setup() throws IOException {
    SplittableRandom random = new SplittableRandom(Inputs.SEED);
    byte[] value = Inputs.value(random, 100);
    store = new ShardStore();
    for (int first = 0; first < records; first += 1000) {
      List<List<WriteOp>> load = new ArrayList<>();
      for (int k = first; k < Math.min(records, first + 1000); k++) {
        load.add(List.of(new WriteOp.Put(Key.wrap(Inputs.key(k)), value, Condition.ALWAYS)));
      }
      store.apply(++index, 1_764_000_000_000L, load);
    }
    dir = Files.createTempDirectory("orchiddb-snapshot-bench");
    written = dir.resolve("written.snap");
    readable = dir.resolve("readable.snap");
    writeSnapshot(readable);
  }

  @TearDown
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void writeSnapshot(Path target) throws IOException {
    try (ShardStore.Frozen frozen = store.freeze()) {
      SnapshotFile.write(target, 1, index, out -> ShardCodec.writeEntries(frozen, out));
    }
  }

  /** What a snapshot costs the apply thread: freezing the store (the write goes on elsewhere). */
  @Benchmark
  public int freeze() {
    try (ShardStore.Frozen frozen = store.freeze()) {
      return frozen.size();
    }
  }

  @Benchmark
  public Path write() throws IOException {
    writeSnapshot(written);
    return written;
  }

  @Benchmark
  public ShardStore read() throws IOException {
    ShardStore.Loader loader = new ShardStore.Loader();
    SnapshotFile.Header header = SnapshotFile.read(readable, record -> {
      try {
        KeyEntry e = KeyEntry.parseFrom(record);
        loader.add(Key.wrap(e.getKey().toByteArray()), ShardCodec.decodeEntry(e));
      } catch (InvalidProtocolBufferException ex) {
        throw new IllegalStateException(ex);
      }
    });
    return loader.build(header.index());
  }
}
