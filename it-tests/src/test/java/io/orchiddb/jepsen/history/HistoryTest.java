package io.orchiddb.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link History} stamps events in real-time order (also under concurrent
 * recording), enforces one operation in flight per process, builds self-describing completions,
 * and pairs invocations with completions (in-flight ones as INFO). Times come from an injected
 * counter clock.
 */
class HistoryTest {
  private long now = 1_000;
  private final History history = new History(() -> now += 10);

  @Test
  void stampsIndexesAndTimesInOrder() {
    Op w = history.invoke(1, Fn.WRITE, "k", 7L, null);
    Op r = history.invoke(Op.read(2, "k"));
    Op wOk = history.complete(w, OpType.OK, 7L, 120L, null, null);
    Op rOk = history.complete(r, OpType.OK, 7L, 120L, null, null);
    assertThat(history.ops()).containsExactly(w, r, wOk, rOk);
    assertThat(history.ops()).extracting(Op::index).containsExactly(0L, 1L, 2L, 3L);
    assertThat(history.ops()).extracting(Op::timeNanos).containsExactly(10L, 20L, 30L, 40L);
    assertThat(wOk).isEqualTo(new Op(2, 1, OpType.OK, Fn.WRITE, "k", 7L, null, 120L, null, 30, null));
    assertThat(history.size()).isEqualTo(4);
  }

  @Test
  void completionsCopyTheInputs() {
    Op cas = history.invoke(Op.cas(0, "k", 1, 2));
    Op failed = history.complete(cas, OpType.FAIL, null, null, null, "condition failed");
    assertThat(failed.expected()).isEqualTo(1L);
    assertThat(failed.value()).isEqualTo(2L);
    assertThat(failed.error()).isEqualTo("condition failed");
    Op add = history.invoke(Op.add(0, "set/5", 5));
    assertThat(history.complete(add, OpType.INFO, null, null, null, "timeout").value()).isEqualTo(5L);
    Op readAll = history.invoke(Op.readAll(0, "set/"));
    assertThat(history.complete(readAll, OpType.OK, null, null, Set.of(3L, 1L, 2L), null).elements())
        .containsExactly(1L, 2L, 3L);
  }

  @Test
  void oneOperationInFlightPerProcess() {
    Op w = history.invoke(Op.write(0, "k", 1));
    assertThatThrownBy(() -> history.invoke(Op.read(0, "k"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in flight");
    Op other = history.invoke(Op.read(1, "k"));
    assertThatThrownBy(() -> history.complete(other.withIndex(99), OpType.OK, null, null, null, null))
        .isInstanceOf(IllegalStateException.class);
    history.complete(w, OpType.INFO, null, null, null, "timeout");
    assertThatThrownBy(() -> history.complete(w, OpType.OK, null, null, null, null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> history.complete(history.ops().get(2), OpType.OK, null, null, null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not an invocation");
  }

  @Test
  void rejectsMalformedOps() {
    assertThatThrownBy(() -> Op.invoke(0, Fn.READ, "k", 1L, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Op.invoke(0, Fn.CAS, "k", 1L, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Op.invoke(0, Fn.WRITE, "k", null, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Op.invoke(-1, Fn.READ, "k", null, null)).isInstanceOf(IllegalArgumentException.class);
    Op w = Op.write(0, "k", 1);
    assertThatThrownBy(() -> w.complete(OpType.OK, 2L, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.complete(OpType.INVOKE, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Op.readAll(0, "s").complete(OpType.OK, null, null, null, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void pairsInvocationsWithCompletions() {
    Op a = history.invoke(Op.write(0, "k", 1));
    Op b = history.invoke(Op.read(1, "k"));
    Op bOk = history.complete(b, OpType.OK, null, null, null, null);
    Op c = history.invoke(Op.read(1, "k"));
    Op aInfo = history.complete(a, OpType.INFO, null, null, null, "timeout");
    Op d = history.invoke(Op.write(0, "k", 2));
    List<Operation> operations = history.operations();
    assertThat(operations).containsExactly(new Operation(a, aInfo), new Operation(b, bOk), new Operation(c, null),
        new Operation(d, null));
    assertThat(operations).extracting(Operation::type)
        .containsExactly(OpType.INFO, OpType.OK, OpType.INFO, OpType.INFO);
    assertThat(operations.get(2).completionIndex()).isEqualTo(Long.MAX_VALUE);
    // Any order in, index order out.
    List<Op> shuffled = new ArrayList<>(history.ops());
    java.util.Collections.reverse(shuffled);
    assertThat(History.operations(shuffled)).isEqualTo(operations);
  }

  @Test
  void pairingRejectsAMalformedHistory() {
    Op a = Op.read(0, "k").withIndex(0);
    Op b = Op.read(0, "k").withIndex(1);
    assertThatThrownBy(() -> History.operations(List.of(a, b))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("in flight");
    Op orphan = Op.read(0, "k").complete(OpType.OK, null, null, null, null).withIndex(0);
    assertThatThrownBy(() -> History.operations(List.of(orphan))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without an invocation");
    Op other = Op.read(0, "other").complete(OpType.OK, null, null, null, null).withIndex(1);
    assertThatThrownBy(() -> History.operations(List.of(a, other))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void concurrentRecordingKeepsIndexOrderEqualToTimeOrder() throws InterruptedException {
    AtomicLong clock = new AtomicLong();
    History shared = new History(clock::incrementAndGet);
    int threads = 4;
    int opsPerThread = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int process = t;
      Thread worker = new Thread(() -> {
        awaitQuietly(start);
        for (int i = 0; i < opsPerThread; i++) {
          Op w = shared.invoke(Op.write(process, "k" + process, i));
          shared.complete(w, OpType.OK, null, (long) i, null, null);
        }
      });
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    List<Op> ops = shared.ops();
    assertThat(ops).hasSize(2 * threads * opsPerThread);
    for (int i = 0; i < ops.size(); i++) {
      assertThat(ops.get(i).index()).isEqualTo(i);
      if (i > 0) {
        assertThat(ops.get(i).timeNanos()).isGreaterThan(ops.get(i - 1).timeNanos());
      }
    }
    assertThat(History.operations(ops)).hasSize(threads * opsPerThread)
        .allMatch(o -> o.type() == OpType.OK && o.completion().version().equals(o.invoke().value()));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void describesAnOpOnOneLine() {
    Op r = history.invoke(Op.read(3, "r3"));
    Op ok = history.complete(r, OpType.OK, 7L, 120L, null, null);
    assertThat(ok.describe()).isEqualTo("#1 p3 ok read r3 value=7 version=120 t=0.000ms");
    Op cas = history.invoke(Op.cas(4, "r3", 7, 8));
    assertThat(history.complete(cas, OpType.INFO, null, null, null, "timeout").describe())
        .isEqualTo("#3 p4 info cas r3 expected=7 value=8 error=\"timeout\" t=0.000ms");
  }
}
