package io.orchiddb.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.node.shard.WriteOp;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.WriteTxn;
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
 * A shard's Raft command, a {@link ShardWrite} of {@code batch} one-put transactions (16-byte
 * keys, {@code valueBytes} values): serialising it ({@code toByteArray}, done by the router and
 * again by the leader after stamping the time), parsing it ({@code parseFrom}, done by the leader
 * and by every replica's apply), turning it into the store's types ({@link ShardCodec#decodeTxns}),
 * and parse + decode together (a replica's apply minus the store). Time is per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class CodecBench {
  @Param({"1", "16", "256"})
  int batch;

  @Param({"100"})
  int valueBytes;

  private ShardWrite write;
  private byte[] bytes;

  @Setup
  public void setup() {
    SplittableRandom random = new SplittableRandom(Inputs.SEED);
    ByteString value = ByteString.copyFrom(Inputs.value(random, valueBytes));
    ShardWrite.Builder b = ShardWrite.newBuilder().setTimestampMs(1_764_000_000_000L).setEpoch(3);
    for (int t = 0; t < batch; t++) {
      b.addTxns(WriteTxn.newBuilder().addOps(io.orchiddb.proto.raft.WriteOp.newBuilder()
          .setPut(PutOp.newBuilder().setKey(ByteString.copyFrom(Inputs.key(random.nextLong(100_000)))).setValue(value))));
    }
    write = b.build();
    bytes = write.toByteArray();
  }

  @Benchmark
  public byte[] encode() {
    return write.toByteArray();
  }

  @Benchmark
  public ShardWrite parse() throws InvalidProtocolBufferException {
    return ShardWrite.parseFrom(bytes);
  }

  @Benchmark
  public List<List<WriteOp>> decodeTxns() {
    return ShardCodec.decodeTxns(write);
  }

  @Benchmark
  public List<List<WriteOp>> parseAndDecode() throws InvalidProtocolBufferException {
    return ShardCodec.decodeTxns(ShardWrite.parseFrom(bytes));
  }
}
