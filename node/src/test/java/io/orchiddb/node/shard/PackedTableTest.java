package io.orchiddb.node.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * {@link PackedEntry} round-trips every field at its extremes, and {@link PackedTable} behaves
 * like a {@link TreeMap} over unsigned key order through long runs of puts and removes (enough
 * keys for hundreds of leaf splits and merges), including ascending and descending bulk runs.
 */
class PackedTableTest {

  @Property(tries = 300)
  void packedEntriesRoundTrip(@ForAll @Size(max = 300) byte[] key, @ForAll @Size(max = 300) byte[] value,
      @ForAll("versions") long version, @ForAll("versions") long createIndex, @ForAll long modifyTimeMs) {
    long create = Math.min(createIndex, version);
    byte[] rec = PackedEntry.pack(key, value, version, create, modifyTimeMs);
    assertThat(PackedEntry.key(rec)).isEqualTo(key);
    assertThat(PackedEntry.compareKey(rec, key)).isZero();
    assertThat(PackedEntry.version(rec)).isEqualTo(version);
    assertThat(PackedEntry.createIndex(rec)).isEqualTo(create);
    assertThat(PackedEntry.entry(rec)).isEqualTo(new Entry(value, version, create, modifyTimeMs));
  }

  @Provide
  Arbitrary<Long> versions() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 300),
        Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.just(Long.MAX_VALUE));
  }

  @Example
  void aPackedEntryIsTheRawBytesPlusAFewBytesOfMetadata() {
    byte[] rec = PackedEntry.pack(new byte[16], new byte[100], 5_000_000, 4_000_000, 1_764_000_000_000L);
    // 2 (key length) + 16 + 4 (version) + 3 (version - create) + 6 (time) + 100
    assertThat(rec).hasSize(131);
  }

  @Example
  void keysLongerThanTheLengthFieldAreRefused() {
    assertThatThrownBy(() -> PackedEntry.pack(new byte[PackedEntry.KEY_BYTES_MAX + 1], new byte[0], 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be stored");
    byte[] longest = new byte[PackedEntry.KEY_BYTES_MAX];
    longest[longest.length - 1] = 7;
    assertThat(PackedEntry.key(PackedEntry.pack(longest, new byte[0], 1, 1, 0))).isEqualTo(longest);
  }

  @Property(tries = 60)
  void tableMatchesATreeMap(@ForAll @IntRange(min = 2, max = 16) int leafCapacity,
      @ForAll @Size(min = 1, max = 4000) List<@IntRange(min = 0, max = 600) Integer> ops,
      @ForAll @IntRange(min = 0, max = 3) int runKind) {
    PackedTable table = new PackedTable(leafCapacity);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
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
        put(table, model, k, step);
      }
      step++;
      if (step % 97 == 0) {
        assertSame(table, model);
      }
    }
    assertSame(table, model);
    // Removing everything leaves an empty table that still works.
    for (byte[] key : new ArrayList<>(model.keySet())) {
      assertThat(table.remove(key)).isTrue();
    }
    assertThat(table.size()).isZero();
    assertThat(table.scan(new byte[0], null, 10, r -> { })).isFalse();
    put(table, new TreeMap<>(Arrays::compareUnsigned), 5, 1);
    assertThat(table.get(key(5))).isNotNull();
  }

  private static void put(PackedTable table, TreeMap<byte[], byte[]> model, int k, int version) {
    byte[] key = key(k);
    byte[] rec = PackedEntry.pack(key, new byte[] {(byte) version}, version + 1, 1, 0);
    table.put(key, rec);
    model.put(key, rec);
  }

  /** Keys whose high byte crosses 0x80, so signed order would differ from unsigned. */
  private static byte[] key(int k) {
    return ByteBuffer.allocate(2).putShort((short) (k * 109)).array();
  }

  private static void assertSame(PackedTable table, TreeMap<byte[], byte[]> model) {
    assertThat(table.size()).isEqualTo(model.size());
    List<byte[]> all = new ArrayList<>();
    table.forEach(all::add);
    assertThat(all).containsExactlyElementsOf(model.values());
    for (int k = 0; k < 600; k++) {
      assertThat(table.get(key(k))).isSameAs(model.get(key(k)));
    }
    // Scans from a few starts, with and without an end and a limit.
    for (int s = 0; s < 600; s += 37) {
      byte[] start = key(s);
      byte[] end = key((s + 200) % 600);
      List<byte[]> page = new ArrayList<>();
      boolean more = table.scan(start, end, 25, page::add);
      Map<byte[], byte[]> range = Arrays.compareUnsigned(start, end) < 0
          ? model.subMap(start, true, end, false) : model.tailMap(start, true);
      List<byte[]> expected = new ArrayList<>(range.values());
      if (Arrays.compareUnsigned(start, end) >= 0) {
        // Only the no-end form is meaningful for an inverted range; the store rejects it above.
        page.clear();
        more = table.scan(start, null, 25, page::add);
      }
      assertThat(page).containsExactlyElementsOf(expected.subList(0, Math.min(25, expected.size())));
      assertThat(more).isEqualTo(expected.size() > 25);
    }
  }
}
