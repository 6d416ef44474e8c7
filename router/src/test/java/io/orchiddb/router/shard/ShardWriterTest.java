package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.orchiddb.proto.raft.OpResult;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.ShardInfo;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link ShardWriter}'s coalescing with a scripted sender (no Raft): at most
 * {@link ShardWriter#IN_FLIGHT_MAX} proposals are outstanding; transactions that arrive meanwhile
 * go out together in one entry, bounded by ops and bytes; each caller gets its own result and
 * the entry's index; a failed proposal fails exactly its own callers. With a hold
 * ({@code write-gather-ms}), the next entry waits for the last one's writers, a lone writer never
 * waits, and the timer ends a hold nobody comes back to.
 */
class ShardWriterTest {
  private final List<ShardWrite> sent = new ArrayList<>();
  private final List<CompletableFuture<ShardWriteResult>> replies = new ArrayList<>();
  private final List<Integer> entrySizes = Collections.synchronizedList(new ArrayList<>());

  /** One permit per entry proposed, for a test that waits for the writer's timer. */
  private final Semaphore proposals = new Semaphore(0);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private ShardWriter writer(int entryBytesMax) {
    return writer(entryBytesMax, Coalescer.Gather.NONE);
  }

  private ShardWriter gathering(Duration hold) {
    return writer(1 << 20, new Coalescer.Gather(hold.toNanos(), timer, System::nanoTime));
  }

  private ShardWriter writer(int entryBytesMax, Coalescer.Gather gather) {
    ShardInfo shard = ShardInfo.newBuilder().setId(0).setEpoch(7).build();
    return new ShardWriter(0, entryBytesMax, id -> new ShardWriter.Route(null, shard), (map, s, write) -> {
      CompletableFuture<ShardWriteResult> f = new CompletableFuture<>();
      synchronized (sent) {
        sent.add(write);
        replies.add(f);
      }
      proposals.release();
      return f;
    }, entrySizes::add, gather);
  }

  private int sentCount() {
    synchronized (sent) {
      return sent.size();
    }
  }

  private List<String> keys(int entry) {
    synchronized (sent) {
      return sent.get(entry).getTxnsList().stream().map(t -> t.getOps(0).getPut().getKey().toStringUtf8()).toList();
    }
  }

  private static WriteTxn txn(String key, int valueBytes) {
    return WriteTxn.newBuilder().addOps(WriteOp.newBuilder().setPut(PutOp.newBuilder()
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(new byte[valueBytes])))).build();
  }

  /** Replies to proposal {@code i}: every transaction committed except those named. */
  private void reply(int i, long index) {
    ShardWriteResult.Builder r = ShardWriteResult.newBuilder().setIndex(index);
    for (WriteTxn t : sent.get(i).getTxnsList()) {
      boolean fail = t.getOps(0).getPut().getKey().toStringUtf8().startsWith("fail");
      r.addTxns(TxnResult.newBuilder().setCommitted(!fail)
          .addOps(OpResult.newBuilder().setConditionFailed(fail).setPreviousVersion(fail ? 3 : 0)));
    }
    replies.get(i).complete(r.build());
  }

  @Test
  void transactionsSubmittedTogetherGoInOneEntryEvenWithNothingInFlight() {
    ShardWriter w = writer(1 << 20);
    List<CompletableFuture<ShardWriter.Applied>> results =
        w.submitAll(List.of(txn("a", 10), txn("fail-b", 10), txn("c", 10)));
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).getTxnsList()).extracting(t -> t.getOps(0).getPut().getKey().toStringUtf8())
        .containsExactly("a", "fail-b", "c");
    reply(0, 40);
    assertThat(results).extracting(r -> r.join().index()).containsExactly(40L, 40L, 40L);
    assertThat(results).extracting(r -> r.join().txn().getCommitted()).containsExactly(true, false, true);
    // One at a time, the first would have gone alone.
    w.submit(txn("d", 10));
    w.submit(txn("e", 10));
    assertThat(sent.get(1).getTxnsCount()).isEqualTo(1);
    assertThat(entrySizes).as("each entry's size, as proposed").containsExactly(3, 1);
  }

  @Test
  void writesArrivingWhileProposalsAreInFlightShareOneEntry() {
    ShardWriter w = writer(1 << 20);
    List<CompletableFuture<ShardWriter.Applied>> results = new ArrayList<>();
    for (int i = 0; i < ShardWriter.IN_FLIGHT_MAX; i++) {
      results.add(w.submit(txn("k" + i, 10)));
    }
    assertThat(sent).hasSize(ShardWriter.IN_FLIGHT_MAX);
    assertThat(sent).allMatch(s -> s.getTxnsCount() == 1 && s.getEpoch() == 7);
    for (int i = 0; i < 50; i++) {
      results.add(w.submit(txn(i == 20 ? "fail" + i : "q" + i, 10)));
    }
    assertThat(sent).hasSize(ShardWriter.IN_FLIGHT_MAX);
    assertThat(w.queued()).isEqualTo(50);

    reply(0, 100);
    assertThat(sent).hasSize(ShardWriter.IN_FLIGHT_MAX + 1);
    assertThat(sent.get(ShardWriter.IN_FLIGHT_MAX).getTxnsCount()).isEqualTo(50);
    reply(ShardWriter.IN_FLIGHT_MAX, 101);
    for (int i = 1; i < ShardWriter.IN_FLIGHT_MAX; i++) {
      reply(i, 100 + i);
    }
    assertThat(results.get(0).join().index()).isEqualTo(100);
    for (int i = 0; i < 50; i++) {
      ShardWriter.Applied a = results.get(ShardWriter.IN_FLIGHT_MAX + i).join();
      assertThat(a.index()).isEqualTo(101);
      assertThat(a.txn().getCommitted()).as("txn %s", i).isEqualTo(i != 20);
    }
    assertThat(w.queued()).isZero();
    assertThat(entrySizes).hasSize(ShardWriter.IN_FLIGHT_MAX + 1).endsWith(50);
  }

  @Test
  void entriesStayWithinTheByteBudget() {
    int budget = 10_000;
    ShardWriter w = writer(budget);
    for (int i = 0; i < ShardWriter.IN_FLIGHT_MAX; i++) {
      w.submit(txn("first" + i, 10));
    }
    for (int i = 0; i < 20; i++) {
      w.submit(txn("big" + i, 3_000));
    }
    for (int i = 0; i < ShardWriter.IN_FLIGHT_MAX; i++) {
      reply(i, i + 1);
    }
    // Each later entry holds at most 3 of the 3000-byte transactions.
    for (int i = ShardWriter.IN_FLIGHT_MAX; i < sent.size(); i++) {
      assertThat(sent.get(i).getSerializedSize()).isLessThanOrEqualTo(budget);
      assertThat(sent.get(i).getTxnsCount()).isBetween(1, 3);
    }
  }

  @Test
  void aFailedProposalFailsOnlyItsOwnCallers() {
    ShardWriter w = writer(1 << 20);
    CompletableFuture<ShardWriter.Applied> a = w.submit(txn("a", 1));
    CompletableFuture<ShardWriter.Applied> b = w.submit(txn("b", 1));
    replies.get(0).completeExceptionally(new java.io.IOException("lost"));
    reply(1, 9);
    assertThat(a).isCompletedExceptionally();
    assertThat(b.join().index()).isEqualTo(9);
  }

  @Test
  void aReplyThatDoesNotFitTheEntryFailsItsCallersInsteadOfLeavingThemWaiting() {
    ShardWriter w = writer(1 << 20);
    CompletableFuture<ShardWriter.Applied> first = w.submit(txn("first", 1));
    CompletableFuture<ShardWriter.Applied> b = w.submit(txn("b", 1));
    CompletableFuture<ShardWriter.Applied> c = w.submit(txn("c", 1));
    reply(0, 4);
    assertThat(first.join().index()).isEqualTo(4);
    // The entry carried b and c; the reply has a result for b only.
    replies.get(1).complete(ShardWriteResult.newBuilder().setIndex(5)
        .addTxns(TxnResult.newBuilder().setCommitted(true)).build());
    assertThat(b.join().index()).isEqualTo(5);
    assertThat(c).isCompletedExceptionally();
    CompletableFuture<ShardWriter.Applied> d = w.submit(txn("d", 1));
    reply(2, 6);
    assertThat(d.join().index()).isEqualTo(6);
  }

  @Test
  void aProposalThatCannotBeBuiltFailsItsCallersAndDoesNotStickTheQueue() {
    ShardInfo shard = ShardInfo.newBuilder().setId(0).setEpoch(7).build();
    int[] routes = {0};
    ShardWriter w = new ShardWriter(0, 1 << 20, id -> {
      if (routes[0]++ == 0) {
        throw new IllegalStateException("no shard 0 in the map");
      }
      return new ShardWriter.Route(null, shard);
    }, (map, s, write) -> {
      sent.add(write);
      CompletableFuture<ShardWriteResult> f = new CompletableFuture<>();
      replies.add(f);
      return f;
    }, entrySizes::add, Coalescer.Gather.NONE);
    CompletableFuture<ShardWriter.Applied> a = w.submit(txn("a", 1));
    assertThat(a).isCompletedExceptionally();
    assertThat(a.handle((v, f) -> f.getMessage()).join()).contains("no shard 0");
    CompletableFuture<ShardWriter.Applied> b = w.submit(txn("b", 1));
    assertThat(sent).hasSize(1);
    reply(0, 5);
    assertThat(b.join().index()).isEqualTo(5);
  }

  @Test
  void gatheringHoldsTheNextEntryUntilTheLastOnesWritersAreBack() {
    ShardWriter w = gathering(Duration.ofHours(1));
    CompletableFuture<ShardWriter.Applied> a = w.submit(txn("a", 1));
    CompletableFuture<ShardWriter.Applied> b = w.submit(txn("b", 1));
    w.submit(txn("c", 1));
    assertThat(sentCount()).isEqualTo(1);
    reply(0, 10);
    assertThat(a).as("the entry's writer is answered before the next entry goes").isCompleted();
    assertThat(sentCount()).as("b and c wait for a's writer: 1 answered + 2 queued").isEqualTo(1);
    assertThat(b).isNotDone();
    w.submit(txn("a2", 1));
    assertThat(sentCount()).isEqualTo(2);
    assertThat(keys(1)).containsExactly("b", "c", "a2");
    reply(1, 11);
    assertThat(b.join().index()).isEqualTo(11);
    assertThat(entrySizes).containsExactly(1, 3);
  }

  @Test
  void aLoneWriterNeverWaitsForCompany() {
    ShardWriter w = gathering(Duration.ofHours(1));
    for (int i = 0; i < 5; i++) {
      CompletableFuture<ShardWriter.Applied> next = w.submit(txn("k" + i, 1));
      assertThat(sentCount()).as("write %s goes at once", i).isEqualTo(i + 1);
      reply(i, i + 1);
      assertThat(next.join().index()).isEqualTo(i + 1);
    }
  }

  @Test
  void aHoldEndsAfterWriteGatherWhenTheWritersDoNotComeBack() throws InterruptedException {
    Duration hold = Duration.ofMillis(50);
    ShardWriter w = gathering(hold);
    w.submit(txn("a", 1));
    CompletableFuture<ShardWriter.Applied> b = w.submit(txn("b", 1));
    long answered = System.nanoTime();
    reply(0, 10);
    assertThat(sentCount()).isEqualTo(1);
    proposals.acquire();
    assertThat(proposals.tryAcquire(10, TimeUnit.SECONDS)).as("the timer sent the held entry").isTrue();
    long held = System.nanoTime() - answered;
    assertThat(sentCount()).isEqualTo(2);
    assertThat(held).isGreaterThanOrEqualTo(hold.toNanos());
    assertThat(keys(1)).containsExactly("b");
    reply(1, 11);
    assertThat(b.join().index()).isEqualTo(11);
  }
}
