package io.orchiddb.node.raft;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis side of every OrchidDB state machine: log entries in, replies out, snapshots to disk
 * and back. Subclasses hold the data and implement {@link #prepare}, {@link #apply},
 * {@link #read} and the snapshot record hooks, in terms of plain bytes.
 *
 * <p>Lifecycle: {@code initialize} loads the newest valid snapshot, then Ratis replays the log
 * after it; {@code reinitialize} does the same after the leader installed a snapshot on this
 * replica. Ratis calls {@code takeSnapshot} on the apply thread once the log has grown past the
 * configured threshold, and again after each round of applies until it gets an index back. The
 * first call freezes the state ({@link #freeze}: a copy of addresses, no data) and starts writing
 * it on a thread of its own; applies go on meanwhile. A later call, once the file is on disk,
 * returns the snapshot's index, and only then may Ratis purge the log up to it. So
 * the log always holds every entry after the newest snapshot Ratis was told of, and a snapshot
 * written but not yet told of (a crash in between) is only a newer starting point. A snapshot
 * also waits for {@link #snapshotLogBytesMin} bytes of log since the last one.
 *
 * <p>Failures: a request that breaks a rule is refused in {@link #startTransaction} on the leader,
 * before it enters the log. {@link #apply} must not throw for anything a client can cause: an
 * exception there stops the whole server. Refusals are the caller's to fix and final (see
 * {@link #refusal}); they reach the client as the cause of a {@code StateMachineException}, for
 * writes and reads alike.
 */
abstract class OrchidStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(OrchidStateMachine.class);

  private final SnapshotStorage storage = new SnapshotStorage();
  private final IndexWaiters appliedWaiters = new IndexWaiters();
  /** Entries this replica applied since it started (the metrics); written by the apply thread only. */
  private volatile long appliedEntries;
  private final Duration staleReadWait;
  /** Monotonic nanoseconds: the snapshot retry pause and the write's logged duration. */
  private final LongSupplier nanoClock;
  private RaftStorage raftStorage;

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime} on a node) */
  OrchidStateMachine(Duration staleReadWait, LongSupplier nanoClock) {
    this.staleReadWait = staleReadWait;
    this.nanoClock = nanoClock;
  }

  // ---- hooks for subclasses -------------------------------------------------------------------

  /**
   * Validates a client's write on the leader and returns the bytes to put in the log (e.g. with
   * the leader's timestamp). To refuse, throws {@link IllegalArgumentException} (or a subclass) for
   * a malformed or over-limit request, or {@link StaleEpochException} for one routed with an old
   * shard map.
   */
  abstract byte[] prepare(ByteBuffer request) throws IOException;

  /**
   * What {@link #prepareEntry} gives: the bytes to put in the log, and what the leader's {@link
   * #apply(long, ByteBuffer, Object)} of that entry may use instead of decoding it again (null for
   * nothing).
   */
  record Prepared(byte[] logData, Object context) {}

  /**
   * {@link #prepare}, with a context for the leader's apply of the entry: Ratis hands the leader's
   * apply the transaction its {@link #startTransaction} made (a follower's, or a leader's after a
   * restart, has none). By default no context. Refuses as {@link #prepare} does.
   */
  Prepared prepareEntry(ByteBuffer request) throws IOException {
    return new Prepared(prepare(request), null);
  }

  /** Applies the log entry at {@code index}; returns the reply. Deterministic. */
  abstract byte[] apply(long index, ByteBuffer command) throws IOException;

  /**
   * {@link #apply(long, ByteBuffer)}, given the context {@link #prepareEntry} made for this entry
   * on this replica as leader, or null. Must return what {@code apply(index, command)} would, and
   * leave the same state. By default the context is not used.
   */
  byte[] apply(long index, ByteBuffer command, Object prepared) throws IOException {
    return apply(index, command);
  }

  /** Serves a read query from the current state; refuses as {@link #prepare} does. */
  abstract byte[] read(ByteBuffer query) throws IOException;

  /**
   * The whole state as of the last applied entry, frozen, to write as records (in an order that
   * does not depend on the replica) on another thread while applies go on. Called on the apply
   * thread; cheap next to writing.
   */
  abstract SnapshotSource freeze();

  /** A frozen state to write as a snapshot's records; closed once written (any thread). */
  interface SnapshotSource extends SnapshotFile.RecordSource, AutoCloseable {
    @Override
    void close();
  }

  /**
   * Log bytes that must have been applied since the last snapshot before the next one is worth
   * writing, on top of Ratis's entry-count trigger (a snapshot writes the whole state; see
   * {@link ShardStateMachine}). Called on the apply thread.
   */
  long snapshotLogBytesMin() {
    return 0;
  }

  /** Replaces the state with what a snapshot holds; called with records in file order. */
  abstract SnapshotLoad loadSnapshot();

  /** Builds new state from snapshot records; {@link #commit} swaps it in once all are read. */
  interface SnapshotLoad extends SnapshotFile.RecordReader {
    void commit(long index);
  }

  /** Forgets everything, as for a replica with no snapshot. */
  abstract void reset();

  // ---- Ratis ----------------------------------------------------------------------------------

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      this.raftStorage = raftStorage;
      // Set corrupt snapshots aside before the storage learns "the latest snapshot": Ratis sizes
      // the log from it, and a corrupt one there would make it skip the entries in between.
      SingleFileSnapshotInfo loaded = loadNewestValidSnapshot();
      storage.init(raftStorage);
      if (loaded != null) {
        storage.updateLatestSnapshot(loaded);
      }
    });
  }

  /**
   * Ratis pauses the state machine before installing a snapshot from the leader and checks that
   * it reached PAUSED; the base class does nothing here, which would close the whole server.
   */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    // Ratis is about to replace the snapshot directory: let a write into it finish first. (No new
    // one starts: takeSnapshot checks for RUNNING.)
    awaitSnapshotWrite();
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** Runs after the leader installed a snapshot here (the whole sm/ directory was replaced). */
  @Override
  public void reinitialize() throws IOException {
    awaitSnapshotWrite(); // none after pause(); a write into the replaced directory must not follow
    SingleFileSnapshotInfo loaded = loadNewestValidSnapshot();
    if (loaded != null) {
      storage.updateLatestSnapshot(loaded);
    }
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * Loads the newest snapshot that passes its checksum. A corrupt one is renamed aside (kept for
   * inspection, never offered to followers) and the next older one is tried. We scan the
   * directory ourselves: {@code SimpleStateMachineStorage.loadLatestSnapshot} does not verify
   * contents and keeps a cached snapshot unless a newer one appears.
   */
  private SingleFileSnapshotInfo loadNewestValidSnapshot() throws IOException {
    boolean fellBack = false;
    for (Path file : snapshotsNewestFirst()) {
      TermIndex ti = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file.toFile());
      SnapshotLoad load = loadSnapshot();
      try {
        SnapshotFile.Header header = SnapshotFile.read(file, load);
        if (header.index() != ti.getIndex() || header.term() != ti.getTerm()) {
          throw new SnapshotFile.CorruptSnapshotException(file,
              "header says " + header + " but the name says " + ti);
        }
      } catch (SnapshotFile.CorruptSnapshotException e) {
        LOG.error("{}: {}; moving it aside and trying an older snapshot", getGroupId(), e.getMessage());
        moveAside(file);
        fellBack = true;
        continue;
      }
      if (fellBack) {
        requireLogFrom(ti.getIndex() + 1);
      }
      load.commit(ti.getIndex());
      // Written here, a snapshot has no digest (null; see SnapshotStorage); installed, it has one.
      MD5Hash md5 = MD5FileUtil.readStoredMd5ForFile(file.toFile());
      setLastAppliedTermIndex(ti);
      appliedWaiters.advanceTo(ti.getIndex());
      LOG.info("{}: loaded snapshot {}", getGroupId(), file.getFileName());
      return new SingleFileSnapshotInfo(new FileInfo(file, md5), ti);
    }
    if (fellBack) {
      requireLogFrom(0);
    }
    reset();
    return null;
  }

  /**
   * After falling back to an older snapshot, the log on disk must still hold every entry after it;
   * otherwise applying the log would silently skip writes. The log is purged with a preservation
   * margin (see {@code RaftSettings}) so this normally holds; when it does not, this replica
   * cannot recover on its own and refuses to start rather than serve data with holes.
   */
  private void requireLogFrom(long index) throws IOException {
    Path current = raftStorage.getStorageDir().getCurrentDir().toPath();
    long start = Long.MAX_VALUE;
    try (Stream<Path> files = Files.list(current)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        java.util.regex.Matcher m = LOG_SEGMENT.matcher(f.getFileName().toString());
        if (m.matches()) {
          start = Math.min(start, Long.parseLong(m.group(1)));
        }
      }
    }
    if (start != Long.MAX_VALUE && start <= index) {
      return;
    }
    throw new IOException(getGroupId() + " on " + getId() + ": the newest snapshot is corrupt and the log"
        + " no longer holds the entries from index " + index + " (log starts at "
        + (start == Long.MAX_VALUE ? "nothing" : start) + "). This replica cannot recover by"
        + " itself; its data directory " + raftStorage.getStorageDir().getRoot()
        + " must be replaced from a healthy replica.");
  }

  /** Ratis segment files: {@code log_<start>-<end>} (closed) and {@code log_inprogress_<start>}. */
  private static final java.util.regex.Pattern LOG_SEGMENT =
      java.util.regex.Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

  private List<Path> snapshotsNewestFirst() throws IOException {
    return SnapshotStorage.snapshotsNewestFirst(raftStorage.getStorageDir().getStateMachineDir().toPath());
  }

  private static void moveAside(Path file) throws IOException {
    Files.deleteIfExists(SnapshotStorage.digestOf(file));
    Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** After a failed snapshot write, the next one starts no sooner than this (a full disk, say). */
  private static final long SNAPSHOT_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  private final Object snapshotLock = new Object();
  /** The snapshot being written, or written and not yet returned to Ratis. Guarded by snapshotLock. */
  private SnapshotWrite snapshotWrite;
  /** When a failed write may be tried again (nanoClock). Guarded by snapshotLock. */
  private long snapshotRetryAt;
  private boolean snapshotFailed;

  /** Bytes of commands applied since the state the last snapshot froze (or since start). Apply thread only. */
  private long logBytesSinceSnapshot;

  private record SnapshotWrite(TermIndex at, CompletableFuture<SingleFileSnapshotInfo> done) {}

  /**
   * Starts a snapshot of the applied state in the background, or returns the index of one that
   * has been written since (see the class comment); {@link RaftLog#INVALID_LOG_INDEX} while none
   * is ready. Ratis logs an {@link IOException} here and asks again later.
   */
  @Override
  public long takeSnapshot() throws IOException {
    synchronized (snapshotLock) {
      SnapshotWrite write = snapshotWrite;
      if (write != null) {
        if (!write.done().isDone()) {
          return RaftLog.INVALID_LOG_INDEX;
        }
        snapshotWrite = null;
        return written(write);
      }
      // Paused for a snapshot install from the leader: the state is about to be replaced.
      if (getLifeCycleState() != LifeCycle.State.RUNNING
          || (snapshotFailed && nanoClock.getAsLong() - snapshotRetryAt < 0)
          || logBytesSinceSnapshot < snapshotLogBytesMin()) {
        return RaftLog.INVALID_LOG_INDEX;
      }
      TermIndex last = getLastAppliedTermIndex();
      if (last == null || last.getIndex() < 0) {
        return RaftLog.INVALID_LOG_INDEX;
      }
      snapshotWrite = new SnapshotWrite(last, writeInBackground(last, freeze()));
      logBytesSinceSnapshot = 0;
      return RaftLog.INVALID_LOG_INDEX;
    }
  }

  /** The index of a finished snapshot write to give Ratis, or INVALID when an install superseded it. */
  private long written(SnapshotWrite write) throws IOException {
    SingleFileSnapshotInfo info;
    try {
      info = write.done().join();
      snapshotFailed = false;
    } catch (java.util.concurrent.CompletionException e) {
      snapshotFailed = true;
      snapshotRetryAt = nanoClock.getAsLong() + SNAPSHOT_RETRY_NANOS;
      throw new IOException(getGroupId() + ": snapshot at " + write.at() + " failed: " + e.getCause(), e.getCause());
    }
    // Ratis counts from an installed snapshot once it reloads; an older index would go backwards.
    SnapshotInfo latest = storage.getLatestSnapshot();
    return latest != null && latest.getIndex() > info.getIndex() ? RaftLog.INVALID_LOG_INDEX : info.getIndex();
  }

  /** Writes {@code source} as the snapshot at {@code at} on a thread of its own. */
  private CompletableFuture<SingleFileSnapshotInfo> writeInBackground(TermIndex at, SnapshotSource source) {
    CompletableFuture<SingleFileSnapshotInfo> done = new CompletableFuture<>();
    Thread writer = new Thread(() -> {
      try (source) {
        long start = nanoClock.getAsLong();
        File file = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        SnapshotFile.write(file.toPath(), at.getTerm(), at.getIndex(), source);
        // No MD5 (a second pass over the file): the CRC32C inside guards it on disk, and Ratis
        // computes the digest while it sends the file to a lagging follower, which checks it.
        SingleFileSnapshotInfo info = new SingleFileSnapshotInfo(new FileInfo(file.toPath(), null), at);
        storage.updateLatestSnapshot(info);
        LOG.info("{}: wrote snapshot {} ({} bytes) in {} ms while applies went on", getGroupId(),
            file.getName(), file.length(), (nanoClock.getAsLong() - start) / 1_000_000);
        done.complete(info);
      } catch (Throwable e) {
        LOG.warn("{}: snapshot at {} failed: {}", getGroupId(), at, e.toString());
        done.completeExceptionally(e);
      }
    }, getId() + "@" + getGroupId() + "-snapshot-" + at.getIndex());
    writer.setDaemon(true);
    writer.start();
    return done;
  }

  /** Waits for a snapshot write in progress and forgets it (before the state is replaced or closed). */
  private void awaitSnapshotWrite() {
    SnapshotWrite write;
    synchronized (snapshotLock) {
      write = snapshotWrite;
      snapshotWrite = null;
    }
    if (write != null) {
      write.done().handle((info, e) -> null).join(); // its outcome is logged where it ended
    }
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext.Builder builder =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    try {
      Prepared prepared = prepareEntry(request.getMessage().getContent().asReadOnlyByteBuffer());
      return builder.setLogData(UnsafeByteOperations.unsafeWrap(prepared.logData()))
          .setStateMachineContext(prepared.context()).build();
    } catch (IllegalArgumentException | StaleEpochException e) {
      // Refused before it enters the log: the client gets a StateMachineException with this cause.
      TransactionContext refused = builder.build();
      refused.setException(refusal(e));
      return refused;
    }
  }

  /**
   * What the client gets for a request this replica refuses, or null when {@code e} is not a
   * refusal but a fault here. Refusals: {@link IllegalArgumentException} from a hook (a malformed
   * or over-limit request) becomes {@link RefusedException}; {@link StaleEpochException} stays.
   */
  private static IOException refusal(Throwable e) {
    if (e instanceof IllegalArgumentException) {
      return new RefusedException(e.getMessage());
    }
    return e instanceof StaleEpochException stale ? stale : null;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    byte[] reply;
    try {
      reply = apply(entry.getIndex(), data.asReadOnlyByteBuffer(), trx.getStateMachineContext());
    } catch (IOException e) {
      // The log holds a command this replica cannot decode: continuing would diverge.
      throw new IllegalStateException(getGroupId() + ": cannot apply entry " + entry.getIndex(), e);
    } catch (OutOfMemoryError e) {
      // Out of heap, or of direct memory for the shard's records (-XX:MaxDirectMemorySize), with
      // the entry half applied. Ratis would close only this group and leave the node running
      // without it; exit instead, as -XX:+ExitOnOutOfMemoryError does for the heap, so that the
      // node restarts from its snapshot and log (with more memory) like any crashed node.
      LOG.error("{}: out of memory applying entry {}; exiting: {}", getGroupId(), entry.getIndex(), e.getMessage());
      Runtime.getRuntime().halt(3);
      throw e; // not reached
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    appliedEntries++; // one writer, the apply thread
    logBytesSinceSnapshot += data.size();
    appliedWaiters.advanceTo(entry.getIndex());
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Configuration and no-op entries advance the applied index without reaching applyTransaction.
    super.notifyTermIndexUpdated(term, index);
    appliedWaiters.advanceTo(index);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      byte[] reply = read(request.getContent().asReadOnlyByteBuffer());
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    } catch (IOException | RuntimeException e) {
      IOException refusal = refusal(e);
      // Wrapped so Ratis puts it in the reply, as for a refused write. Any other exception from a
      // query makes Ratis fail the client's whole request stream (GrpcClientProtocolService
      // responseError), not just this read.
      return CompletableFuture.failedFuture(
          refusal == null ? e : new StateMachineException(refusal.getMessage(), refusal));
    }
  }

  /**
   * Serves a read once this replica has applied {@code minIndex}; Ratis has already checked that
   * its commit index is there. Waits at most the configured stale-read wait.
   */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    CompletableFuture<Void> applied = awaitApplied(minIndex);
    if (applied.isDone()) {
      return query(request); // the usual case: no timer, no extra stage
    }
    return applied.thenCompose(ignored -> query(request));
  }

  /**
   * A future that completes once this replica has applied {@code index}, or fails with a timeout
   * after the stale-read wait. Already complete when it has (then with no timer).
   */
  CompletableFuture<Void> awaitApplied(long index) {
    CompletableFuture<Void> applied = appliedWaiters.await(index);
    return applied.isDone() ? applied
        : applied.orTimeout(staleReadWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Log entries with a command this replica applied since it started (not counting a snapshot's). */
  long appliedEntries() {
    return appliedEntries;
  }

  /** The index of the last entry this replica applied. */
  long appliedIndex() {
    TermIndex last = getLastAppliedTermIndex();
    return last == null ? 0 : Math.max(0, last.getIndex());
  }

  @Override
  public void close() throws IOException {
    appliedWaiters.failAll(new IOException(getGroupId() + " closed"));
    awaitSnapshotWrite();
    super.close();
  }
}
