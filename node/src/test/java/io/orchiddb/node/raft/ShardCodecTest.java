package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.node.shard.Entry;
import io.orchiddb.node.shard.Key;
import io.orchiddb.node.shard.ShardStore;
import io.orchiddb.proto.raft.KeyEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A snapshot's records are encoded straight from the store's slabs ({@link ShardCodec#writeEntries});
 * they must be byte for byte what protobuf makes of the same {@link KeyEntry}, so that files match
 * across versions and replicas and parse back with {@link KeyEntry#parseFrom}. Checked over
 * arbitrary entries: empty values, versions at varint edges and huge ones, zero and negative times
 * (a zero field is left out; a negative one takes ten bytes).
 */
class ShardCodecTest {
  @Provide
  Arbitrary<Map<Key, Entry>> entries() {
    Arbitrary<byte[]> keys = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
    Arbitrary<byte[]> values = Arbitraries.oneOf(Arbitraries.just(new byte[0]),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
    Arbitrary<Long> counts = Arbitraries.oneOf(Arbitraries.longs().between(1, 300),
        Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.of(1L, 127L, 128L, 16_383L, 16_384L));
    Arbitrary<Long> times = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L, Long.MIN_VALUE,
        1_764_000_000_000L));
    Arbitrary<Entry> entry = Combinators.combine(values, counts, counts, times)
        .as((value, a, b, time) -> new Entry(value, Math.max(a, b), Math.min(a, b), time));
    return Arbitraries.maps(keys.map(Key::wrap), entry).ofMaxSize(60).map(TreeMap::new);
  }

  @Property(tries = 300)
  void recordsAreExactlyProtobufsEncoding(@ForAll("entries") Map<Key, Entry> entries) throws Exception {
    ShardStore.Loader loader = new ShardStore.Loader();
    entries.forEach(loader::add);
    ShardStore store = loader.build(1);

    List<byte[]> written = new ArrayList<>();
    try (ShardStore.Frozen frozen = store.freeze()) {
      ShardCodec.writeEntries(frozen, new SnapshotFile.RecordWriter() {
        @Override
        public void write(byte[] record) {
          written.add(record);
        }

        @Override
        public void write(SnapshotFile.RecordBody body) {
          // Written into the middle of a larger array, whose other bytes must stay as they were.
          byte[] buf = new byte[body.length() + 10];
          Arrays.fill(buf, (byte) 0x5A);
          body.writeTo(buf, 3);
          assertThat(Arrays.copyOfRange(buf, 0, 3)).containsOnly(0x5A);
          assertThat(Arrays.copyOfRange(buf, buf.length - 7, buf.length)).containsOnly(0x5A);
          written.add(Arrays.copyOfRange(buf, 3, 3 + body.length()));
        }
      });
    }

    List<byte[]> expected = new ArrayList<>();
    entries.forEach((k, e) -> expected.add(ShardCodec.encodeEntry(k, e).toByteArray()));
    assertThat(written).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(written.get(i)).as("record %s", i).isEqualTo(expected.get(i));
    }
  }
}
