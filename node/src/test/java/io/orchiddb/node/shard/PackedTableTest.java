package io.orchiddb.node.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link PackedEntry} round-trips every field at its extremes; {@link PackedTable} behaves like a
 * {@link TreeMap} over unsigned key order through long runs of puts and removes (enough keys for
 * hundreds of leaf splits and merges), including ascending and descending bulk runs; and its
 * {@link RecordArena} holds exactly the live records' bytes, with no slab but the current one
 * below the compaction threshold after any write, so overwrites and deletes do not grow it.
 */
class PackedTableTest {

  @Property(tries = 300)
  void packedEntriesRoundTrip(@ForAll @Size(max = 300) byte[] key, @ForAll @Size(max = 300) byte[] value,
      @ForAll("versions") long version, @ForAll("versions") long createIndex, @ForAll long modifyTimeMs,
      @ForAll @IntRange(max = 50) int at) {
    long create = Math.min(createIndex, version);
    int size = PackedEntry.size(key, value, version, create, modifyTimeMs);
    ByteBuffer buf = ByteBuffer.allocate(at + size);
    assertThat(PackedEntry.write(buf, at, key, value, version, create, modifyTimeMs)).isEqualTo(at + size);
    assertThat(PackedEntry.length(buf, at)).isEqualTo(size);
    assertThat(PackedEntry.key(buf, at)).isEqualTo(key);
    assertThat(PackedEntry.compareKey(buf, at, key)).isZero();
    assertThat(PackedEntry.version(buf, at)).isEqualTo(version);
    assertThat(PackedEntry.createIndex(buf, at)).isEqualTo(create);
    assertThat(PackedEntry.entry(buf, at)).isEqualTo(new Entry(value, version, create, modifyTimeMs));
  }

  @Provide
  Arbitrary<Long> versions() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 300),
        Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.just(Long.MAX_VALUE));
  }

  @Property(tries = 300)
  void keysCompareAsUnsignedBytes(@ForAll @Size(max = 20) byte[] stored, @ForAll @Size(max = 20) byte[] other) {
    ByteBuffer buf = ByteBuffer.allocateDirect(PackedEntry.size(stored, new byte[0], 1, 1, 0));
    PackedEntry.write(buf, 0, stored, new byte[0], 1, 1, 0);
    assertThat(Integer.signum(PackedEntry.compareKey(buf, 0, other)))
        .isEqualTo(Integer.signum(Arrays.compareUnsigned(stored, other)));
  }

  @Example
  void aPackedEntryIsTheRawBytesPlusAFewBytesOfMetadata() {
    // 1 (key length) + 1 (value length) + 16 + 4 (version) + 3 (version - create) + 6 (time) + 100
    assertThat(PackedEntry.size(new byte[16], new byte[100], 5_000_000, 4_000_000, 1_764_000_000_000L))
        .isEqualTo(131);
  }

  @Example
  void theLargestKeysAndValuesFitAndALargeRecordGetsASlabOfItsOwn() {
    byte[] key = new byte[Limits.KEY_BYTES_MAX_CEILING];
    key[key.length - 1] = 7;
    byte[] value = new byte[Limits.VALUE_BYTES_MAX_CEILING];
    value[value.length - 1] = 9;
    PackedTable table = new PackedTable(4, 1024);
    table.put(key, value, 2, 1);
    table.put(key, value, 3, 1);
    table.put(new byte[] {1}, new byte[] {2}, 4, 1);
    RecordArena records = table.records();
    assertThat(records.entry(table.find(key))).isEqualTo(new Entry(value, 3, 2, 1));
    long held = records.slabBytes();
    assertThat(held).isGreaterThan(value.length).isLessThan(value.length + key.length + 1024 + 64);
    // Removing it gives its slab up.
    table.remove(key);
    assertThat(records.slabBytes()).isEqualTo(1024);
    assertThat(records.entry(table.find(new byte[] {1}))).isEqualTo(new Entry(new byte[] {2}, 4, 4, 1));
  }

  @Property(tries = 60)
  void tableMatchesATreeMap(@ForAll @IntRange(min = 2, max = 16) int leafCapacity,
      @ForAll @IntRange(min = 64, max = 512) int slabBytes,
      @ForAll @Size(min = 1, max = 4000) List<@IntRange(min = 0, max = 600) Integer> ops,
      @ForAll @IntRange(min = 0, max = 3) int runKind) {
    PackedTable table = new PackedTable(leafCapacity, slabBytes);
    TreeMap<byte[], Entry> model = new TreeMap<>(Arrays::compareUnsigned);
    // A bulk run first (ascending, descending or none), then random puts and removes.
    for (int i = 0; i < 300 && runKind > 0; i++) {
      int k = runKind == 1 ? i : runKind == 2 ? 599 - i : (i * 7) % 600;
      put(table, model, k, i);
    }
    int step = 0;
    for (int op : ops) {
      int k = op % 300 * 2 + (op & 1); // keys 0..599 with unsigned-order surprises below
      if (op % 3 == 0) {
        byte[] key = key(k);
        assertThat(table.remove(key)).isEqualTo(model.remove(key) != null);
      } else {
        put(table, model, k, 300 + step);
      }
      step++;
      assertThat(table.records().sparseSlabs()).isZero();
      if (step % 97 == 0) {
        assertSame(table, model);
      }
    }
    assertSame(table, model);
    // Removing everything leaves an empty table, at most one slab, that still works.
    for (byte[] key : new ArrayList<>(model.keySet())) {
      assertThat(table.remove(key)).isTrue();
    }
    assertThat(table.size()).isZero();
    assertThat(table.records().liveBytes()).isZero();
    assertThat(table.records().slabBytes()).isLessThanOrEqualTo(slabBytes);
    assertThat(table.scan(new byte[0], null, 10, r -> { })).isFalse();
    put(table, new TreeMap<>(Arrays::compareUnsigned), 5, 1);
    assertThat(table.find(key(5))).isNotEqualTo(PackedTable.NONE);
  }

  @Example
  void overwritingTheSameKeysDoesNotGrowTheArena() {
    PackedTable table = new PackedTable(16, 1024);
    TreeMap<byte[], Entry> model = new TreeMap<>(Arrays::compareUnsigned);
    for (int round = 0; round < 2_000; round++) {
      for (int k = 0; k < 50; k++) {
        put(table, model, k, round);
      }
    }
    assertSame(table, model);
    RecordArena records = table.records();
    // Every slab but the current one is at least 60% live, so what is held stays within
    // live / 0.6 plus the current slab and the one a record did not fit at the end of.
    assertThat(records.slabBytes()).isLessThanOrEqualTo((long) (records.liveBytes() / 0.6) + 2 * 1024);
  }

  private static void put(PackedTable table, TreeMap<byte[], Entry> model, int k, int version) {
    byte[] key = key(k);
    byte[] value = new byte[1 + version % 7];
    value[0] = (byte) version;
    Entry old = model.get(key);
    long create = old == null ? version + 1 : old.createIndex();
    table.put(key, value, version + 1, version * 1000L);
    model.put(key, new Entry(value, version + 1, create, version * 1000L));
  }

  /** Keys whose high byte crosses 0x80, so signed order would differ from unsigned. */
  private static byte[] key(int k) {
    return ByteBuffer.allocate(2).putShort((short) (k * 109)).array();
  }

  private static void assertSame(PackedTable table, TreeMap<byte[], Entry> model) {
    RecordArena records = table.records();
    assertThat(table.size()).isEqualTo(model.size());
    List<Entry> all = new ArrayList<>();
    long liveBytes = 0;
    for (Map.Entry<byte[], Entry> e : model.entrySet()) {
      Entry v = e.getValue();
      liveBytes += PackedEntry.size(e.getKey(), v.value(), v.version(), v.createIndex(), v.modifyTimeMs());
    }
    table.forEach(r -> all.add(records.entry(r)));
    assertThat(all).containsExactlyElementsOf(model.values());
    assertThat(records.liveBytes()).isEqualTo(liveBytes);
    for (int k = 0; k < 600; k++) {
      long r = table.find(key(k));
      assertThat(r == PackedTable.NONE ? null : records.entry(r)).isEqualTo(model.get(key(k)));
    }
    // Scans from a few starts, with and without an end and a limit.
    for (int s = 0; s < 600; s += 37) {
      byte[] start = key(s);
      byte[] end = key((s + 200) % 600);
      List<Entry> page = new ArrayList<>();
      boolean more = table.scan(start, end, 25, r -> page.add(records.entry(r)));
      Map<byte[], Entry> range = Arrays.compareUnsigned(start, end) < 0
          ? model.subMap(start, true, end, false) : model.tailMap(start, true);
      List<Entry> expected = new ArrayList<>(range.values());
      if (Arrays.compareUnsigned(start, end) >= 0) {
        // Only the no-end form is meaningful for an inverted range; the store rejects it above.
        page.clear();
        more = table.scan(start, null, 25, r -> page.add(records.entry(r)));
      }
      assertThat(page).containsExactlyElementsOf(expected.subList(0, Math.min(25, expected.size())));
      assertThat(more).isEqualTo(expected.size() > 25);
    }
  }
}
