package io.orchiddb.node.shard;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.VerifyException;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.node.raft.SnapshotFile;
import io.orchiddb.proto.raft.KeyEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Proves that {@link ShardStore} behaves exactly like a plain ordered map with the documented
 * write semantics, and that a snapshot restores it exactly.
 *
 * <p>How: jqwik generates histories of log entries, each carrying 1-3 transactions of 1-3 puts
 * and deletes with conditions ({@code Always}, {@code Absent}, {@code VersionEquals},
 * {@code ValueEquals}), at strictly increasing but gapped indexes with arbitrary timestamps. Each
 * entry is applied both to the store and to {@link Model}, a few lines over a {@link TreeMap}
 * ordered by {@link Arrays#compareUnsigned} that spells out the rules independently: a
 * transaction's conditions are all checked against the state before it; if all hold its ops apply
 * in order, else none does; a written key's version is the entry's index, its createIndex is kept
 * across overwrites and reset by a delete. After every entry the test compares the outcomes, every
 * key of the key space, a generated scan (bounds, limit and {@code more}) and a full scan. Keys
 * are 1-2 bytes over {0x00, 0x7F, 0x80, 0xFF} (20 keys, so conditions and collisions are
 * frequent and bytes ≥ 0x80 exercise unsigned order); values come from a small set so that
 * {@code ValueEquals} often holds; four hot keys take two thirds of the writes. Some conditions
 * are resolved against the model just before the entry (e.g. "the key's current version, ±1") so
 * that they often hold. jqwik statistics check that transactions both commit and abort and that
 * every condition kind both holds and fails, so a generator change cannot quietly hollow the
 * property out.
 *
 * <p>Snapshots: a store is copied through {@link ShardStore#freeze} into a
 * {@link ShardStore.Loader}, and through the real file format ({@link SnapshotFile} with
 * {@link ShardCodec#encodeEntry}); the copy must hold the same entries and lastWriteIndex and then
 * behave identically under further random writes.
 *
 * <p>On failure jqwik prints the seed and the shrunk history; rerun with
 * {@code @Property(seed = "...")}.
 */
class ShardStorePropertyTest {

  // ---- key space and values ------------------------------------------------------------------

  private static final byte[] ALPHABET = {0x00, 0x7F, (byte) 0x80, (byte) 0xFF};
  private static final List<byte[]> KEYS = keySpace();
  private static final byte[][] VALUES = {{}, {1}, {2}, {(byte) 0x80}, {1, 2}};
  private static final Key NO_START = Key.wrap(new byte[0]);
  /** Indexes into {@link #KEYS} of 0x00, 0x7F00, 0x80, 0xFFFF. */
  private static final List<Integer> HOT_KEYS = List.of(0, 6, 10, 19);

  private static List<byte[]> keySpace() {
    List<byte[]> keys = new ArrayList<>();
    for (byte a : ALPHABET) {
      keys.add(new byte[] {a});
      for (byte b : ALPHABET) {
        keys.add(new byte[] {a, b});
      }
    }
    return List.copyOf(keys);
  }

  private static Key key(int i) {
    return Key.copyOf(KEYS.get(i));
  }

  // ---- generated commands ---------------------------------------------------------------------

  /** A condition as generated; some kinds are resolved against the current state before use. */
  sealed interface Cond {}

  record Always() implements Cond {}

  record Absent() implements Cond {}

  /** {@code VersionEquals(current version + delta)}; current version is 0 when absent. */
  record VersionOfCurrent(int delta) implements Cond {}

  record VersionLiteral(long version) implements Cond {}

  record ValueLiteral(int value) implements Cond {}

  /** {@code ValueEquals(current value)}, or of {@code VALUES[0]} when absent. */
  record ValueOfCurrent() implements Cond {}

  record OpSpec(boolean put, int key, int value, Cond cond) {}

  record Step(int indexGap, long timestampMs, List<List<OpSpec>> txns, int scanStart, int scanEnd,
      int scanLimit) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Cond> cond = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(new Always())),
        Tuple.of(2, Arbitraries.just(new Absent())),
        Tuple.of(3, Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(1, -1), Tuple.of(1, 1))
            .map(VersionOfCurrent::new)),
        Tuple.of(1, Arbitraries.longs().between(0, 40).map(VersionLiteral::new)),
        Tuple.of(1, Arbitraries.integers().between(0, VALUES.length - 1).map(ValueLiteral::new)),
        Tuple.of(2, Arbitraries.just(new ValueOfCurrent())));
    // A few hot keys are written over and over, so conditions on existing keys are common.
    Arbitrary<Integer> keyIndex = Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.of(HOT_KEYS)),
        Tuple.of(1, Arbitraries.integers().between(0, KEYS.size() - 1)));
    Arbitrary<OpSpec> op = Combinators.combine(
        Arbitraries.frequency(Tuple.of(4, true), Tuple.of(1, false)),
        keyIndex,
        Arbitraries.integers().between(0, VALUES.length - 1),
        cond).as(OpSpec::new);
    Arbitrary<List<List<OpSpec>>> entry = op.list().ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(1, 3),
        Arbitraries.longs(),
        entry,
        Arbitraries.integers().between(-1, KEYS.size() - 1),
        Arbitraries.integers().between(-1, KEYS.size() - 1),
        Arbitraries.integers().between(1, 6)).as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(40);
  }

  /** What a condition resolves against: the key's current entry, or null when absent. */
  private static Condition resolve(Cond c, Entry current) {
    if (c instanceof Always) {
      return Condition.ALWAYS;
    } else if (c instanceof Absent) {
      return Condition.ABSENT;
    } else if (c instanceof VersionOfCurrent v) {
      return new Condition.VersionEquals((current == null ? 0 : current.version()) + v.delta());
    } else if (c instanceof VersionLiteral v) {
      return new Condition.VersionEquals(v.version());
    } else if (c instanceof ValueLiteral v) {
      return new Condition.ValueEquals(VALUES[v.value()].clone());
    } else {
      return new Condition.ValueEquals(current == null ? VALUES[0].clone() : current.value().clone());
    }
  }

  /** The concrete transactions of a step; symbolic conditions are resolved through {@code state}. */
  private static List<List<WriteOp>> concrete(Step step, Function<Key, Entry> state) {
    List<List<WriteOp>> txns = new ArrayList<>();
    for (List<OpSpec> txn : step.txns()) {
      List<WriteOp> ops = new ArrayList<>();
      for (OpSpec o : txn) {
        Key k = key(o.key());
        Condition c = resolve(o.cond(), state.apply(k));
        ops.add(o.put() ? new WriteOp.Put(k, VALUES[o.value()].clone(), c) : new WriteOp.Delete(k, c));
      }
      txns.add(ops);
    }
    return txns;
  }

  // ---- the model ------------------------------------------------------------------------------

  /** The reference: a TreeMap in unsigned byte order and the write rules spelled out plainly. */
  static final class Model {
    record E(byte[] value, long version, long createIndex, long modifyTimeMs) {}

    final TreeMap<byte[], E> map = new TreeMap<>(Arrays::compareUnsigned);
    long lastWriteIndex;

    Entry get(Key key) {
      E e = map.get(key.bytes());
      return e == null ? null : new Entry(e.value(), e.version(), e.createIndex(), e.modifyTimeMs());
    }

    List<TxnOutcome> apply(long index, long timestampMs, List<List<WriteOp>> txns) {
      assertThat(index).isGreaterThan(lastWriteIndex);
      lastWriteIndex = index;
      List<TxnOutcome> outcomes = new ArrayList<>();
      for (List<WriteOp> txn : txns) {
        outcomes.add(applyTxn(index, timestampMs, txn));
      }
      return outcomes;
    }

    private TxnOutcome applyTxn(long index, long timestampMs, List<WriteOp> txn) {
      // Every condition sees the state before the transaction, so check them all before writing.
      List<TxnOutcome.OpOutcome> ops = new ArrayList<>();
      boolean all = true;
      for (WriteOp op : txn) {
        E before = map.get(op.key().bytes());
        boolean holds = holds(op.condition(), before);
        all = all && holds;
        ops.add(new TxnOutcome.OpOutcome(before != null, before == null ? 0 : before.version(), !holds));
      }
      if (all) {
        for (WriteOp op : txn) {
          byte[] k = op.key().bytes();
          if (op instanceof WriteOp.Put p) {
            E now = map.get(k);
            map.put(k, new E(p.value(), index, now == null ? index : now.createIndex(), timestampMs));
          } else {
            map.remove(k);
          }
        }
      }
      return new TxnOutcome(all, ops);
    }

    private static boolean holds(Condition c, E e) {
      if (c instanceof Condition.Always) {
        return true;
      } else if (c instanceof Condition.Absent) {
        return e == null;
      } else if (c instanceof Condition.VersionEquals v) {
        return e != null && e.version() == v.version();
      } else if (c instanceof Condition.ValueEquals v) {
        return e != null && Arrays.equals(e.value(), v.value());
      }
      throw new AssertionError("unknown condition " + c);
    }

    /** Expected page of {@code scan(start, end, limit)}. */
    List<Map.Entry<byte[], E>> scan(byte[] start, byte[] end, int limit, boolean[] more) {
      NavigableMap<byte[], E> range;
      if (end == null) {
        range = map.tailMap(start, true);
      } else if (Arrays.compareUnsigned(start, end) >= 0) {
        range = new TreeMap<>(Arrays::compareUnsigned);
      } else {
        range = map.subMap(start, true, end, false);
      }
      List<Map.Entry<byte[], E>> out = new ArrayList<>();
      for (Map.Entry<byte[], E> e : range.entrySet()) {
        if (out.size() < limit) {
          out.add(e);
        }
      }
      more[0] = range.size() > limit;
      return out;
    }
  }

  // ---- comparisons ----------------------------------------------------------------------------

  private static void assertSameEntry(String what, Entry actual, Model.E expected) {
    if (expected == null) {
      assertThat(actual).as(what).isNull();
      return;
    }
    assertThat(actual).as(what).isNotNull();
    assertThat(actual.value()).as(what + " value").isEqualTo(expected.value());
    assertThat(actual.version()).as(what + " version").isEqualTo(expected.version());
    assertThat(actual.createIndex()).as(what + " createIndex").isEqualTo(expected.createIndex());
    assertThat(actual.modifyTimeMs()).as(what + " modifyTimeMs").isEqualTo(expected.modifyTimeMs());
  }

  private static void assertPage(String what, ShardStore.ScanPage page, List<Map.Entry<byte[], Model.E>> expected,
      boolean more) {
    assertThat(page.entries()).as(what + " size").hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(page.entries().get(i).getKey().bytes()).as(what + " key #" + i)
          .isEqualTo(expected.get(i).getKey());
      assertSameEntry(what + " entry #" + i, page.entries().get(i).getValue(), expected.get(i).getValue());
    }
    assertThat(page.more()).as(what + " more").isEqualTo(more);
  }

  private static void assertMatchesModel(ShardStore store, Model model, Step step) {
    assertThat(store.lastWriteIndex()).as("lastWriteIndex").isEqualTo(model.lastWriteIndex);
    assertThat(store.size()).as("size").isEqualTo(model.map.size());
    for (int i = 0; i < KEYS.size(); i++) {
      Entry e = store.get(key(i));
      assertSameEntry("get " + key(i), e, model.map.get(KEYS.get(i)));
      if (e != null) {
        // Version semantics that must hold whatever the history.
        assertThat(e.createIndex()).isPositive().isLessThanOrEqualTo(e.version());
        assertThat(e.version()).isLessThanOrEqualTo(store.lastWriteIndex());
      }
    }
    byte[] start = step.scanStart() < 0 ? new byte[0] : KEYS.get(step.scanStart());
    byte[] end = step.scanEnd() < 0 ? null : KEYS.get(step.scanEnd());
    boolean[] more = new boolean[1];
    List<Map.Entry<byte[], Model.E>> expected = model.scan(start, end, step.scanLimit(), more);
    ShardStore.ScanPage page = store.scan(Key.copyOf(start), end == null ? null : Key.copyOf(end),
        step.scanLimit());
    assertPage("scan", page, expected, more[0]);
    // A full scan is the whole model in unsigned key order.
    List<Map.Entry<byte[], Model.E>> all = model.scan(new byte[0], null, Integer.MAX_VALUE, more);
    assertPage("full scan", store.scan(NO_START, null, 1000), all, false);
  }

  // ---- properties -----------------------------------------------------------------------------

  @Property(tries = 400)
  void storeMatchesTheModelAfterEveryEntry(@ForAll("histories") List<Step> history,
      @ForAll @IntRange(min = 2, max = 6) int leafCapacity, @ForAll @IntRange(min = 64, max = 160) int slabBytes) {
    // Tiny leaves and slabs, so that 20 keys split and merge leaves and compact slabs all the time.
    ShardStore store = new ShardStore(leafCapacity, slabBytes);
    Model model = new Model();
    long index = 0;
    for (Step step : history) {
      index += step.indexGap();
      List<List<WriteOp>> txns = concrete(step, model::get);
      List<TxnOutcome> expected = model.apply(index, step.timestampMs(), txns);
      List<TxnOutcome> actual = store.apply(index, step.timestampMs(), txns);
      assertThat(actual).as("outcomes at index %s", index).isEqualTo(expected);
      collectStatistics(txns, actual);
      assertMatchesModel(store, model, step);
    }
    // The generator must keep exercising both sides of every rule, or the property proves little.
    Statistics.label("transaction").coverage(c -> {
      c.check("committed").percentage(p -> p > 20);
      c.check("aborted").percentage(p -> p > 20);
    });
    Statistics.label("condition").coverage(c -> {
      for (String kind : List.of("Absent", "VersionEquals", "ValueEquals")) {
        c.check(kind, "held").percentage(p -> p > 1);
        c.check(kind, "failed").percentage(p -> p > 1);
      }
    });
  }

  private static void collectStatistics(List<List<WriteOp>> txns, List<TxnOutcome> outcomes) {
    for (int t = 0; t < txns.size(); t++) {
      TxnOutcome outcome = outcomes.get(t);
      Statistics.label("transaction").collect(outcome.committed() ? "committed" : "aborted");
      for (int i = 0; i < txns.get(t).size(); i++) {
        WriteOp op = txns.get(t).get(i);
        Statistics.label("condition").collect(op.condition().getClass().getSimpleName(),
            outcome.ops().get(i).conditionFailed() ? "failed" : "held");
      }
    }
  }

  /** Applies {@code history} to {@code stores} (same concrete txns, resolved against the first). */
  private static void applyAll(List<Step> history, ShardStore... stores) {
    for (Step step : history) {
      long index = stores[0].lastWriteIndex() + step.indexGap();
      List<List<WriteOp>> txns = concrete(step, stores[0]::get);
      List<TxnOutcome> first = stores[0].apply(index, step.timestampMs(), txns);
      for (int i = 1; i < stores.length; i++) {
        assertThat(stores[i].apply(index, step.timestampMs(), txns)).as("outcomes at %s", index)
            .isEqualTo(first);
      }
    }
  }

  private static List<Map.Entry<Key, Entry>> contents(ShardStore store) {
    List<Map.Entry<Key, Entry>> out = new ArrayList<>();
    try (ShardStore.Frozen frozen = store.freeze()) {
      frozen.forEachInOrder((k, e) -> out.add(Map.entry(k, e)));
    }
    return out;
  }

  private static void assertSameStore(ShardStore actual, ShardStore expected) {
    assertThat(actual.lastWriteIndex()).as("lastWriteIndex").isEqualTo(expected.lastWriteIndex());
    assertThat(actual.size()).as("size").isEqualTo(expected.size());
    // Entry and Key compare arrays by content, and forEachInOrder visits keys in order.
    assertThat(contents(actual)).isEqualTo(contents(expected));
    for (int i = 0; i < KEYS.size(); i++) {
      assertThat(actual.get(key(i))).as("get %s", key(i)).isEqualTo(expected.get(key(i)));
    }
  }

  @Property(tries = 200)
  void snapshotThroughTheLoaderRestoresTheSameStore(@ForAll("histories") List<Step> history,
      @ForAll("histories") List<Step> afterwards, @ForAll @IntRange(min = 2, max = 6) int leafCapacity,
      @ForAll @IntRange(min = 64, max = 160) int slabBytes) {
    ShardStore original = new ShardStore(leafCapacity, slabBytes);
    applyAll(history, original);

    ShardStore.Loader loader = new ShardStore.Loader(leafCapacity, slabBytes);
    try (ShardStore.Frozen frozen = original.freeze()) {
      frozen.forEachInOrder(loader::add);
    }
    ShardStore restored = loader.build(original.lastWriteIndex());

    assertSameStore(restored, original);
    applyAll(afterwards, original, restored);
    assertSameStore(restored, original);
  }

  /**
   * A frozen view (how a snapshot is written while the apply thread goes on) still reads the
   * entries of the moment it was taken after more writes overwrote, deleted and compacted them
   * (tiny slabs: most writes drop a slab, whose buffer would be reused at once if the view did not
   * hold it back); after it is closed the store goes on as one that was never frozen.
   */
  @Property(tries = 200)
  void frozenViewKeepsItsContentsWhileWritesGoOn(@ForAll("histories") List<Step> history,
      @ForAll("histories") List<Step> afterwards, @ForAll("histories") List<Step> afterClose,
      @ForAll @IntRange(min = 2, max = 6) int leafCapacity, @ForAll @IntRange(min = 64, max = 160) int slabBytes) {
    ShardStore store = new ShardStore(leafCapacity, slabBytes);
    ShardStore never = new ShardStore(leafCapacity, slabBytes);
    applyAll(history, store, never);
    List<Map.Entry<Key, Entry>> before = contents(never);
    long indexBefore = never.lastWriteIndex();

    List<Map.Entry<Key, Entry>> seen = new ArrayList<>();
    try (ShardStore.Frozen frozen = store.freeze()) {
      applyAll(afterwards, store, never);
      frozen.forEachInOrder((k, e) -> seen.add(Map.entry(k, e)));
      assertThat(frozen.lastWriteIndex()).isEqualTo(indexBefore);
      assertThat(frozen.size()).isEqualTo(before.size());
    }
    assertThat(seen).isEqualTo(before);
    assertSameStore(store, never);
    applyAll(afterClose, store, never);
    assertSameStore(store, never);
  }

  @Property(tries = 60)
  void snapshotThroughTheFileFormatRestoresTheSameStore(@ForAll("histories") List<Step> history,
      @ForAll("histories") List<Step> afterwards, @ForAll @LongRange(min = 1, max = 1_000) long term)
      throws IOException {
    Path dir = Files.createTempDirectory("shard-store-snapshot");
    try {
      ShardStore original = new ShardStore();
      applyAll(history, original);
      Path file = dir.resolve("snapshot");
      writeSnapshot(original, file, term);

      ShardStore.Loader loader = new ShardStore.Loader();
      SnapshotFile.Header header = SnapshotFile.read(file, record -> {
        KeyEntry e = KeyEntry.parseFrom(record);
        loader.add(Key.wrap(e.getKey().toByteArray()), ShardCodec.decodeEntry(e));
      });
      ShardStore restored = loader.build(header.index());

      assertThat(header).isEqualTo(new SnapshotFile.Header(term, original.lastWriteIndex()));
      assertSameStore(restored, original);
      // Snapshots are byte-identical across replicas holding the same state.
      Path again = dir.resolve("again");
      writeSnapshot(restored, again, term);
      assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));

      applyAll(afterwards, original, restored);
      assertSameStore(restored, original);
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void writeSnapshot(ShardStore store, Path file, long term) throws IOException {
    try (ShardStore.Frozen frozen = store.freeze()) {
      SnapshotFile.write(file, term, store.lastWriteIndex(), out -> ShardCodec.writeEntries(frozen, out));
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  // ---- examples: the rules one at a time ------------------------------------------------------

  private static WriteOp put(String k, String v, Condition c) {
    return new WriteOp.Put(Key.of(k), v.getBytes(UTF_8), c);
  }

  private static WriteOp delete(String k, Condition c) {
    return new WriteOp.Delete(Key.of(k), c);
  }

  @Example
  void versionIsTheLastWriteIndexAndCreateIndexSurvivesOverwritesButNotDeletes() {
    ShardStore s = new ShardStore();
    s.apply(5, 100, List.of(List.of(put("k", "a", Condition.ALWAYS))));
    assertThat(s.get(Key.of("k"))).isEqualTo(new Entry("a".getBytes(UTF_8), 5, 5, 100));
    s.apply(9, 200, List.of(List.of(put("k", "b", Condition.ALWAYS))));
    assertThat(s.get(Key.of("k"))).isEqualTo(new Entry("b".getBytes(UTF_8), 9, 5, 200));
    s.apply(12, 300, List.of(List.of(delete("k", Condition.ALWAYS))));
    assertThat(s.get(Key.of("k"))).isNull();
    s.apply(20, 400, List.of(List.of(put("k", "c", Condition.ABSENT))));
    assertThat(s.get(Key.of("k"))).isEqualTo(new Entry("c".getBytes(UTF_8), 20, 20, 400));
  }

  @Example
  void conditionsSeeTheStateBeforeTheTransaction() {
    ShardStore s = new ShardStore();
    // Both puts require "absent"; the second still holds although the first wrote the key.
    List<TxnOutcome> out = s.apply(1, 0, List.of(List.of(
        put("k", "first", Condition.ABSENT), put("k", "second", Condition.ABSENT))));
    assertThat(out).containsExactly(new TxnOutcome(true, List.of(
        new TxnOutcome.OpOutcome(false, 0, false), new TxnOutcome.OpOutcome(false, 0, false))));
    assertThat(s.get(Key.of("k")).value()).isEqualTo("second".getBytes(UTF_8));
  }

  @Example
  void oneFailedConditionAbortsTheWholeTransactionButNotTheNextOne() {
    ShardStore s = new ShardStore();
    s.apply(1, 0, List.of(List.of(put("a", "1", Condition.ALWAYS))));
    List<TxnOutcome> out = s.apply(2, 0, List.of(
        List.of(put("b", "2", Condition.ALWAYS), delete("a", new Condition.VersionEquals(7))),
        List.of(put("c", "3", Condition.ABSENT))));
    assertThat(out.get(0)).isEqualTo(new TxnOutcome(false, List.of(
        new TxnOutcome.OpOutcome(false, 0, false), new TxnOutcome.OpOutcome(true, 1, true))));
    assertThat(out.get(1).committed()).isTrue();
    assertThat(s.get(Key.of("a"))).isNotNull();
    assertThat(s.get(Key.of("b"))).isNull();
    assertThat(s.get(Key.of("c"))).isNotNull();
  }

  @Example
  void scanOrdersKeysAsUnsignedBytes() {
    ShardStore s = new ShardStore();
    List<WriteOp> txn = new ArrayList<>();
    for (byte[] k : new byte[][] {{(byte) 0xFF}, {0x7F}, {(byte) 0x80}, {0x00}, {0x7F, 0x00}}) {
      txn.add(new WriteOp.Put(Key.copyOf(k), new byte[0], Condition.ALWAYS));
    }
    s.apply(1, 0, List.of(txn));
    assertThat(s.scan(NO_START, null, 10).entries()).extracting(e -> e.getKey().bytes())
        .containsExactly(new byte[] {0x00}, new byte[] {0x7F}, new byte[] {0x7F, 0x00},
            new byte[] {(byte) 0x80}, new byte[] {(byte) 0xFF});
    ShardStore.ScanPage page = s.scan(Key.copyOf(new byte[] {0x7F}), Key.copyOf(new byte[] {(byte) 0xFF}), 2);
    assertThat(page.entries()).extracting(e -> e.getKey().bytes())
        .containsExactly(new byte[] {0x7F}, new byte[] {0x7F, 0x00});
    assertThat(page.more()).isTrue();
    assertThat(s.scan(Key.copyOf(new byte[] {0x7F}), Key.copyOf(new byte[] {(byte) 0xFF}), 3).more()).isFalse();
  }

  @Example
  void aNonIncreasingIndexIsRefusedAndChangesNothing() {
    ShardStore s = new ShardStore();
    s.apply(3, 0, List.of(List.of(put("k", "a", Condition.ALWAYS))));
    assertThatThrownBy(() -> s.apply(3, 0, List.of(List.of(put("k", "b", Condition.ALWAYS)))))
        .isInstanceOf(VerifyException.class);
    assertThatThrownBy(() -> s.apply(2, 0, List.of(List.of(put("x", "b", Condition.ALWAYS)))))
        .isInstanceOf(VerifyException.class);
    assertThat(s.lastWriteIndex()).isEqualTo(3);
    assertThat(s.get(Key.of("k")).value()).isEqualTo("a".getBytes(UTF_8));
    assertThat(s.size()).isEqualTo(1);
  }

  @Example
  void scanLimitMustBePositive() {
    assertThatThrownBy(() -> new ShardStore().scan(NO_START, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Example
  void loaderRefusesKeysOutOfUnsignedOrder() {
    Entry e = new Entry(new byte[0], 1, 1, 0);
    ShardStore.Loader loader = new ShardStore.Loader()
        .add(Key.copyOf(new byte[] {0x7F}), e)
        .add(Key.copyOf(new byte[] {(byte) 0x80}), e);
    assertThatThrownBy(() -> loader.add(Key.copyOf(new byte[] {(byte) 0x80}), e))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> loader.add(Key.copyOf(new byte[] {0x00}), e))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(loader.build(1).size()).isEqualTo(2);
  }
}
