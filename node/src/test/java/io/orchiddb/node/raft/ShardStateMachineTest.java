package io.orchiddb.node.raft;

import static io.orchiddb.node.raft.ClusterIT.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.node.shard.Limits;
import io.orchiddb.proto.raft.Condition;
import io.orchiddb.proto.raft.DeleteOp;
import io.orchiddb.proto.raft.GetQuery;
import io.orchiddb.proto.raft.KeyAbsent;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.MultiGetQuery;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import io.orchiddb.proto.raft.ShardSnapshotHeader;
import io.orchiddb.proto.raft.ShardWrite;
import io.orchiddb.proto.raft.ShardWriteResult;
import io.orchiddb.proto.raft.TxnResult;
import io.orchiddb.proto.raft.WriteOp;
import io.orchiddb.proto.raft.WriteTxn;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;

/**
 * Proves the shard state machine's epoch fencing without Ratis running: the leader-side check in
 * {@code prepare}, the apply-time check (a write whose epoch went stale after the leader let it
 * through applies nothing and reports the shard's epoch), fences that only raise the epoch and
 * apply before the txns beside them, the read check (which a query turns into a reply-borne
 * {@link StateMachineException}), and the epoch's round trip through the snapshot records,
 * including snapshots written before the header existed.
 *
 * <p>How: a {@link ShardStateMachine} built directly (no server, so no group id), driven through
 * its package-private hooks with hand-chosen log indexes.
 */
class ShardStateMachineTest {
  private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_000));

  private static ShardStateMachine machine() {
    return new ShardStateMachine(Limits.DEFAULTS, CLOCK, Duration.ofSeconds(1), System::nanoTime);
  }

  private static ShardWrite putAt(long epoch, String key, String value) {
    return ShardWrite.newBuilder().setEpoch(epoch)
        .addTxns(WriteTxn.newBuilder().addOps(put(key, value, null))).build();
  }

  private static ShardWrite fence(long epoch) {
    return ShardWrite.newBuilder().setEpoch(epoch).setFenceEpoch(epoch).build();
  }

  private static ShardWriteResult apply(ShardStateMachine sm, long index, ShardWrite write) throws Exception {
    return ShardWriteResult.parseFrom(sm.apply(index, ByteBuffer.wrap(write.toByteArray())));
  }

  private static byte[] get(long epoch, String key) {
    return ShardRead.newBuilder().setEpoch(epoch)
        .setGet(GetQuery.newBuilder().setKey(ClusterIT.bytes(key))).build().toByteArray();
  }

  @Test
  void writeThatWentStaleBeforeApplyAppliesNothingAndReportsTheEpoch() throws Exception {
    ShardStateMachine sm = machine();
    // Both passed the leader's check while the shard was at epoch 0; the fence commits first.
    byte[] staleWrite = sm.prepare(ByteBuffer.wrap(putAt(1, "k", "old-map").toByteArray()));
    assertThat(apply(sm, 1, fence(3)).getStaleEpoch()).isZero();
    ShardWriteResult r = ShardWriteResult.parseFrom(sm.apply(2, ByteBuffer.wrap(staleWrite)));
    assertThat(r.getIndex()).isEqualTo(2);
    assertThat(r.getStaleEpoch()).isEqualTo(3);
    assertThat(r.getTxnsList()).isEmpty();
    assertThat(sm.size()).isZero();

    // At or above the shard's epoch, or 0 (no check), writes apply.
    assertThat(apply(sm, 3, putAt(3, "a", "v")).getTxns(0).getCommitted()).isTrue();
    assertThat(apply(sm, 4, putAt(4, "b", "v")).getTxns(0).getCommitted()).isTrue();
    assertThat(apply(sm, 5, putAt(0, "c", "v")).getTxns(0).getCommitted()).isTrue();
    assertThat(sm.size()).isEqualTo(3);
    assertThat(sm.epoch()).isEqualTo(3);
  }

  @Test
  void fencesOnlyRaiseTheEpochAndApplyBeforeTheirTxns() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, fence(5));
    assertThat(sm.epoch()).isEqualTo(5);
    // A lower fence routed with epoch 0 passes the check but does not lower the epoch.
    apply(sm, 2, ShardWrite.newBuilder().setFenceEpoch(2).build());
    assertThat(sm.epoch()).isEqualTo(5);
    // Fence and txns in one write: the txns are checked against the epoch before the fence.
    ShardWrite both = putAt(5, "k", "v").toBuilder().setFenceEpoch(6).build();
    assertThat(apply(sm, 3, both).getTxns(0).getCommitted()).isTrue();
    assertThat(sm.epoch()).isEqualTo(6);
    // A stale write's own fence does not apply either.
    ShardWriteResult r = apply(sm, 4, putAt(5, "x", "v").toBuilder().setFenceEpoch(9).build());
    assertThat(r.getStaleEpoch()).isEqualTo(6);
    assertThat(sm.epoch()).isEqualTo(6);
    assertThat(sm.size()).isEqualTo(1);
  }

  @Test
  void leaderRefusesStaleWritesAndEmptyWritesButTakesAFenceAlone() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, fence(5));
    assertThatThrownBy(() -> sm.prepare(ByteBuffer.wrap(putAt(4, "k", "v").toByteArray())))
        .isInstanceOf(StaleEpochException.class)
        .hasMessageStartingWith("stale-epoch: shard group ")
        .hasMessageEndingWith(" is at epoch 5; the request was routed with epoch 4");
    byte[] stamped = sm.prepare(ByteBuffer.wrap(fence(6).toByteArray()));
    assertThat(ShardWrite.parseFrom(stamped).getTimestampMs()).isEqualTo(1_000);
    sm.prepare(ByteBuffer.wrap(putAt(5, "k", "v").toByteArray()));
    sm.prepare(ByteBuffer.wrap(putAt(0, "k", "v").toByteArray()));
    assertThatThrownBy(() -> sm.prepare(ByteBuffer.wrap(ShardWrite.newBuilder().setEpoch(5).build().toByteArray())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ops:");
  }

  @Test
  void leaderStampsItsOwnTimeOverAnyTheRequestCarriesAndLeavesTheRequestBufferAsItWas() throws Exception {
    ShardStateMachine sm = machine();
    ShardWrite sent = putAt(0, "k", "v").toBuilder().setTimestampMs(42).setFenceEpoch(1).build();
    byte[] bytes = sent.toByteArray();
    byte[] framed = new byte[bytes.length + 10];
    System.arraycopy(bytes, 0, framed, 3, bytes.length);
    ByteBuffer request = ByteBuffer.wrap(framed, 3, bytes.length); // a view of part of an array
    byte[] entry = sm.prepare(request);
    assertThat(ShardWrite.parseFrom(entry)).isEqualTo(sent.toBuilder().setTimestampMs(1_000).build());
    assertThat(request.position()).isEqualTo(3);
    assertThat(request.remaining()).isEqualTo(bytes.length);
  }

  /**
   * The leader applies an entry it prepared from the write it decoded then, not from the log
   * entry: every reply and the state left must be the ones a follower gets from the entry's bytes,
   * timestamps, failed conditions, fences and a write whose epoch went stale before apply included.
   */
  @Test
  void leaderApplyOfWhatItPreparedMatchesAFollowerApplyOfTheEntry() throws Exception {
    ShardStateMachine leader = machine();
    ShardStateMachine follower = machine();
    Condition absent = Condition.newBuilder().setAbsent(KeyAbsent.getDefaultInstance()).build();
    List<ShardWrite> writes = List.of(
        putAt(0, "a", "1"),
        ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addOps(put("a", "2", absent))).build(),
        ShardWrite.newBuilder().addTxns(WriteTxn.newBuilder().addOps(put("b", "1", absent)))
            .addTxns(WriteTxn.newBuilder().addOps(put("a", "3", Condition.newBuilder().setVersionEquals(1).build()))
                .addOps(WriteOp.newBuilder().setDelete(DeleteOp.newBuilder().setKey(ClusterIT.bytes("b")))))
            .build(),
        fence(3),
        putAt(2, "c", "stale by the time it applies"),
        putAt(3, "d", "1").toBuilder().setFenceEpoch(4).build());
    List<OrchidStateMachine.Prepared> prepared = new ArrayList<>();
    for (ShardWrite w : writes) { // all checked at epoch 0, before any applies
      prepared.add(leader.prepareEntry(ByteBuffer.wrap(w.toByteArray())));
    }
    List<ShardWriteResult> results = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      OrchidStateMachine.Prepared p = prepared.get(i);
      assertThat(p.context()).isNotNull();
      byte[] atLeader = leader.apply(i + 1, ByteBuffer.wrap(p.logData()), p.context());
      byte[] atFollower = follower.apply(i + 1, ByteBuffer.wrap(p.logData()));
      assertThat(atLeader).isEqualTo(atFollower);
      results.add(ShardWriteResult.parseFrom(atLeader));
    }
    assertThat(results.get(1).getTxns(0).getCommitted()).isFalse();
    assertThat(results.get(2).getTxnsList()).extracting(TxnResult::getCommitted).containsExactly(true, true);
    assertThat(results.get(4).getStaleEpoch()).isEqualTo(3);
    assertThat(leader.epoch()).isEqualTo(4).isEqualTo(follower.epoch());
    assertThat(snapshotRecords(leader)).hasSize(3).containsExactlyElementsOf(snapshotRecords(follower));
  }

  @Test
  void staleReadsAreRefusedInTheReplyNotByFailingTheQuery() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, putAt(0, "k", "v"));
    apply(sm, 2, fence(2));
    assertThat(ShardReadResult.parseFrom(sm.read(ByteBuffer.wrap(get(2, "k")))).getGet().hasEntry()).isTrue();
    assertThat(ShardReadResult.parseFrom(sm.read(ByteBuffer.wrap(get(0, "k")))).getGet().hasEntry()).isTrue();
    assertThatThrownBy(() -> sm.read(ByteBuffer.wrap(get(1, "k"))))
        .isInstanceOf(StaleEpochException.class).hasMessageStartingWith("stale-epoch:");
    // Through query, as Ratis calls it: a StateMachineException, which Ratis puts in the reply.
    var reply = sm.query(Message.valueOf(UnsafeByteOperations.unsafeWrap(get(1, "k"))));
    assertThatThrownBy(reply::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StateMachineException.class)
        .cause().isInstanceOf(StaleEpochException.class);
  }

  @Test
  void multiGetAnswersEveryKeyInOrderAndRefusesOneKeyOverTheLimit() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, putAt(0, "a", "1"));
    apply(sm, 2, putAt(0, "c", "3"));
    ShardReadResult r = ShardReadResult.parseFrom(sm.read(ByteBuffer.wrap(multiGet("c", "b", "a", "c"))));
    assertThat(r.getMultiGet().getResultsList()).extracting(g -> g.hasEntry() ? g.getEntry().getValue().toStringUtf8() : null)
        .containsExactly("3", null, "1", "3");
    assertThat(r.getMultiGet().getResults(2).getEntry().getVersion()).isEqualTo(1);

    String[] atLimit = new String[ShardCodec.MULTI_GET_KEYS_MAX];
    java.util.Arrays.fill(atLimit, "a");
    assertThat(ShardReadResult.parseFrom(sm.read(ByteBuffer.wrap(multiGet(atLimit)))).getMultiGet().getResultsCount())
        .isEqualTo(ShardCodec.MULTI_GET_KEYS_MAX);
    String[] overLimit = java.util.Arrays.copyOf(atLimit, atLimit.length + 1);
    overLimit[atLimit.length] = "a";
    assertThatThrownBy(() -> sm.read(ByteBuffer.wrap(multiGet(overLimit))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("multi-get-keys:")
        .hasMessageContaining("got " + (ShardCodec.MULTI_GET_KEYS_MAX + 1));
    assertThatThrownBy(() -> sm.read(ByteBuffer.wrap(multiGet())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("multi-get-keys:");
  }

  private static byte[] multiGet(String... keys) {
    MultiGetQuery.Builder q = MultiGetQuery.newBuilder();
    for (String k : keys) {
      q.addKeys(ClusterIT.bytes(k));
    }
    return ShardRead.newBuilder().setMultiGet(q).build().toByteArray();
  }

  @Test
  void epochRoundTripsThroughSnapshotRecords() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, putAt(0, "b", "2"));
    apply(sm, 2, putAt(0, "a", "1"));
    apply(sm, 3, fence(7));
    List<byte[]> records = snapshotRecords(sm);
    assertThat(records).hasSize(3);
    assertThat(ShardSnapshotHeader.parseFrom(records.get(0)).getEpoch()).isEqualTo(7);

    ShardStateMachine restored = load(records, 3);
    assertThat(restored.epoch()).isEqualTo(7);
    assertThat(restored.size()).isEqualTo(2);
    assertThat(apply(restored, 4, putAt(6, "c", "3")).getStaleEpoch()).isEqualTo(7);

    // A shard at epoch 0 writes an empty header record; it still loads.
    List<byte[]> fresh = snapshotRecords(machine());
    assertThat(fresh).hasSize(1);
    assertThat(load(fresh, 0).epoch()).isZero();
  }

  /** A snapshot is written after the apply thread moved on: it holds the state it was frozen at. */
  @Test
  void frozenSnapshotHoldsTheStateOfItsIndexWhileAppliesGoOn() throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, putAt(0, "b", "2"));
    apply(sm, 2, fence(7));
    List<byte[]> records = new ArrayList<>();
    try (OrchidStateMachine.SnapshotSource source = sm.freeze()) {
      apply(sm, 3, putAt(7, "b", "overwritten"));
      apply(sm, 4, putAt(7, "a", "new"));
      apply(sm, 5, fence(9));
      source.writeTo(records::add);
    }

    ShardStateMachine restored = load(records, 2);
    assertThat(restored.epoch()).isEqualTo(7);
    assertThat(restored.size()).isEqualTo(1);
    assertThat(snapshotRecords(restored)).containsExactlyElementsOf(records);
    assertThat(sm.size()).isEqualTo(2);
    assertThat(sm.epoch()).isEqualTo(9);
  }

  private static List<byte[]> snapshotRecords(ShardStateMachine sm) throws Exception {
    List<byte[]> records = new ArrayList<>();
    try (OrchidStateMachine.SnapshotSource source = sm.freeze()) {
      source.writeTo(records::add);
    }
    return records;
  }

  @Test
  void snapshotWithoutHeaderFromBeforeEpochsLoadsAtEpochZero() throws Exception {
    List<byte[]> legacy = new ArrayList<>();
    for (String key : List.of("a", "b")) {
      legacy.add(KeyEntry.newBuilder().setKey(ClusterIT.bytes(key)).setValue(ClusterIT.bytes("v"))
          .setVersion(1).setCreateIndex(1).build().toByteArray());
    }
    ShardStateMachine restored = load(legacy, 2);
    assertThat(restored.size()).isEqualTo(2);
    assertThat(restored.epoch()).isZero();
    assertThat(load(List.of(), 0).size()).isZero();
  }

  private static ShardStateMachine load(List<byte[]> records, long index) throws Exception {
    ShardStateMachine sm = machine();
    apply(sm, 1, fence(99)); // state the load must replace
    OrchidStateMachine.SnapshotLoad load = sm.loadSnapshot();
    for (byte[] r : records) {
      load.read(r);
    }
    load.commit(index);
    return sm;
  }
}
