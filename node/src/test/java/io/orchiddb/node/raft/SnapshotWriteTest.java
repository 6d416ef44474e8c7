package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link OrchidStateMachine#takeSnapshot} works with Ratis: the first call freezes the state
 * and returns at once while the snapshot is written on another thread (applies go on); later calls
 * return {@link RaftLog#INVALID_LOG_INDEX} until the file is on disk (without an MD5: Ratis makes
 * one while sending a snapshot to a follower), then the
 * snapshot's index, once. A snapshot waits for its share of log since the last one. A failed
 * write is reported once and not retried for a while; pausing (before a snapshot install) waits
 * for a write in progress and starts no new one.
 *
 * <p>How: a state machine whose frozen state is one record and whose write waits on a latch the
 * test opens, over a real formatted {@link RaftStorage} in a temporary directory. Ratis's server
 * is a stand-in that only names the peer (the state machine asks nothing else of it here).
 */
class SnapshotWriteTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private RaftStorage raftStorage;
  private GatedMachine machine;

  /** Its state is a counter; a snapshot writes the counter's value when frozen, once the gate opens. */
  private static final class GatedMachine extends OrchidStateMachine {
    final AtomicInteger freezes = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile boolean failWrites;
    long logBytesMin;
    long state;

    /** The machine's monotonic clock, which the test moves (the retry pause after a failed write). */
    final AtomicLong nanos;

    GatedMachine() {
      this(new AtomicLong());
    }

    private GatedMachine(AtomicLong nanos) {
      super(Duration.ofSeconds(1), nanos::get);
      this.nanos = nanos;
    }

    @Override
    byte[] prepare(ByteBuffer request) {
      return new byte[0];
    }

    @Override
    byte[] apply(long index, ByteBuffer command) {
      return new byte[0];
    }

    @Override
    byte[] read(ByteBuffer query) {
      return new byte[0];
    }

    @Override
    SnapshotSource freeze() {
      freezes.incrementAndGet();
      long frozen = state;
      CountDownLatch waitFor = gate;
      boolean fail = failWrites;
      return new SnapshotSource() {
        @Override
        public void writeTo(SnapshotFile.RecordWriter out) throws IOException {
          try {
            waitFor.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
          if (fail) {
            throw new IOException("disk full (test)");
          }
          out.write(Long.toString(frozen).getBytes());
        }

        @Override
        public void close() {}
      };
    }

    @Override
    long snapshotLogBytesMin() {
      return logBytesMin;
    }

    @Override
    SnapshotLoad loadSnapshot() {
      return new SnapshotLoad() {
        @Override
        public void read(byte[] record) {
          state = Long.parseLong(new String(record));
        }

        @Override
        public void commit(long index) {}
      };
    }

    @Override
    void reset() {
      state = 0;
    }

    /** Stands for applying entries up to {@code index}: the state and the applied index move on. */
    void appliedUpTo(long index) {
      state = index * 100;
      notifyTermIndexUpdated(1, index);
    }
  }

  private GatedMachine started() throws IOException {
    raftStorage = SnapshotStorageTest.formatted(dir);
    RaftPeerId peer = RaftPeerId.valueOf("n1");
    RaftServer server = (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(),
        new Class<?>[] {RaftServer.class}, (proxy, method, args) -> {
          if (method.getName().equals("getId")) {
            return peer;
          }
          throw new UnsupportedOperationException(method.getName());
        });
    machine = new GatedMachine();
    machine.initialize(server, RaftGroupId.randomId(), raftStorage);
    return machine;
  }

  @AfterEach
  void close() throws IOException {
    if (machine != null) {
      machine.gate.countDown();
      machine.close();
    }
    if (raftStorage != null) {
      raftStorage.close();
    }
  }

  /** Calls {@code takeSnapshot} as Ratis does after each round of applies, until it returns an index. */
  private static long pollUntilReported(LongSupplier take) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      long index = take.getAsLong();
      if (index != RaftLog.INVALID_LOG_INDEX) {
        return index;
      }
      TimeUnit.MILLISECONDS.sleep(5); // a round of applies
    }
    throw new AssertionError("no snapshot index within " + DEADLINE);
  }

  private static long take(OrchidStateMachine sm) {
    try {
      return sm.takeSnapshot();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private List<String> snapshotFiles() throws IOException {
    List<String> names = new ArrayList<>();
    try (var files = Files.list(raftStorage.getStorageDir().getStateMachineDir().toPath())) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }

  @Test
  void snapshotIsWrittenWhileAppliesGoOnAndReportedOnceWritten() throws Exception {
    GatedMachine sm = started();
    sm.appliedUpTo(10);
    sm.gate = new CountDownLatch(1);

    // Returns at once although the write cannot finish yet: it is not on the calling thread.
    long first = assertTimeoutPreemptively(Duration.ofSeconds(5), sm::takeSnapshot);
    assertThat(first).isEqualTo(RaftLog.INVALID_LOG_INDEX);

    sm.appliedUpTo(11);
    sm.appliedUpTo(12);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(1); // still the one write, of index 10
    assertThat(sm.getLatestSnapshot()).isNull();

    sm.gate.countDown();
    assertThat(pollUntilReported(() -> take(sm))).isEqualTo(10);
    assertThat(sm.getLatestSnapshot().getIndex()).isEqualTo(10);
    assertThat(snapshotFiles()).containsExactly("snapshot.1_10");
    assertThat(sm.getLatestSnapshot().getFiles()).singleElement()
        .satisfies(f -> assertThat(f.getFileDigest()).isNull());
    // The file holds the state as frozen at index 10, not as applied since.
    GatedMachine reader = new GatedMachine();
    SnapshotFile.read(new File(raftStorage.getStorageDir().getStateMachineDir(), "snapshot.1_10").toPath(),
        reader.loadSnapshot());
    assertThat(reader.state).isEqualTo(1_000);

    // Reported once: the next call starts the next snapshot, at what is applied now.
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(pollUntilReported(() -> take(sm))).isEqualTo(12);
    assertThat(sm.freezes).hasValue(2);
  }

  /** Applies a log entry whose command has {@code bytes} bytes, as Ratis's apply thread does. */
  private static void applyEntry(GatedMachine sm, long index, int bytes) {
    LogEntryProto entry = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(ByteString.copyFrom(new byte[bytes])))
        .build();
    sm.applyTransaction(TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
        .setStateMachine(sm).setLogEntry(entry).build()).join();
    sm.state = index * 100;
  }

  @Test
  void snapshotWaitsForItsShareOfLogSinceTheLastOne() throws Exception {
    GatedMachine sm = started();
    sm.logBytesMin = 1_000;
    applyEntry(sm, 1, 400);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(0);

    applyEntry(sm, 2, 700);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(1);
    assertThat(pollUntilReported(() -> take(sm))).isEqualTo(2);

    // The count starts again from the frozen state.
    applyEntry(sm, 3, 900);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(1);
    applyEntry(sm, 4, 100);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(pollUntilReported(() -> take(sm))).isEqualTo(4);
    assertThat(sm.freezes).hasValue(2);
  }

  @Test
  void failedWriteIsReportedOnceAndNotRetriedAtOnce() throws Exception {
    GatedMachine sm = started();
    sm.appliedUpTo(5);
    sm.failWrites = true;
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);

    long deadline = System.nanoTime() + DEADLINE.toNanos();
    IOException failure = null;
    while (failure == null && System.nanoTime() < deadline) {
      try {
        assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
        TimeUnit.MILLISECONDS.sleep(5);
      } catch (IOException e) {
        failure = e;
      }
    }
    assertThat(failure).hasMessageContaining("disk full (test)");
    assertThat(sm.getLatestSnapshot()).isNull();
    assertThat(snapshotFiles()).noneMatch(name -> name.matches("snapshot\\.\\d+_\\d+"));

    // Asked again right away (the next round of applies), and just before the second is over: no
    // new attempt yet.
    sm.failWrites = false;
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    sm.nanos.addAndGet(TimeUnit.SECONDS.toNanos(1) - 1);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(1);
    // A second later it tries again, and succeeds.
    sm.nanos.addAndGet(1);
    assertThat(pollUntilReported(() -> take(sm))).isEqualTo(5);
    assertThat(sm.freezes).hasValue(2);
  }

  @Test
  void pauseWaitsForTheWriteInProgressAndStartsNoNewOne() throws Exception {
    GatedMachine sm = started();
    sm.appliedUpTo(7);
    sm.gate = new CountDownLatch(1);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);

    CompletableFuture<Void> paused = CompletableFuture.runAsync(sm::pause);
    assertThatThrownBy(() -> paused.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    sm.gate.countDown();
    paused.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    // The write finished into the directory before the pause returned.
    assertThat(sm.getLatestSnapshot().getIndex()).isEqualTo(7);
    assertThat(snapshotFiles()).contains("snapshot.1_7");
    // Paused: Ratis may still ask, but nothing is frozen or written until the state is reloaded.
    sm.appliedUpTo(9);
    assertThat(sm.takeSnapshot()).isEqualTo(RaftLog.INVALID_LOG_INDEX);
    assertThat(sm.freezes).hasValue(1);
  }
}
