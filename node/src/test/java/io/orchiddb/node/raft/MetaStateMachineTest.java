package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.node.meta.ClusterLayout;
import io.orchiddb.proto.raft.ClusterMap;
import io.orchiddb.proto.raft.Member;
import io.orchiddb.proto.raft.MetaWrite;
import io.orchiddb.proto.raft.MetaWriteResult;
import io.orchiddb.proto.raft.SetShardEpoch;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves how the meta state machine applies {@code SetShardEpoch}: it raises one shard's epoch
 * and moves the map's epoch to the entry's index; a repeat, a lower epoch or an unknown shard
 * changes nothing (applied = false, map epoch unchanged); the leader refuses epoch 0.
 *
 * <p>How: a {@link MetaStateMachine} built directly, bootstrapped with a two-shard layout, driven
 * through its package-private hooks with hand-chosen log indexes.
 */
class MetaStateMachineTest {
  private static MetaWriteResult apply(MetaStateMachine sm, long index, MetaWrite write) throws Exception {
    return MetaWriteResult.parseFrom(sm.apply(index, ByteBuffer.wrap(write.toByteArray())));
  }

  private static MetaWrite set(int shard, long epoch) {
    return MetaWrite.newBuilder()
        .setSetShardEpoch(SetShardEpoch.newBuilder().setShardId(shard).setEpoch(epoch)).build();
  }

  @Test
  void setShardEpochRaisesOneShardAndTheMapEpoch() throws Exception {
    MetaStateMachine sm = new MetaStateMachine(Duration.ofSeconds(1), System::nanoTime);
    ClusterMap layout = ClusterLayout.initial("test",
        List.of(Member.newBuilder().setId("n1").setAddress("127.0.0.1:1").build()), 2, 1);
    assertThat(apply(sm, 1, MetaWrite.newBuilder().setBootstrap(layout).build()).getMap().getEpoch()).isEqualTo(1);
    assertThat(layout.getShards(0).getEpoch()).isEqualTo(1);

    MetaWriteResult r = apply(sm, 5, set(0, 2));
    assertThat(r.getApplied()).isTrue();
    assertThat(r.getMap().getEpoch()).isEqualTo(5);
    assertThat(r.getMap().getShards(0).getEpoch()).isEqualTo(2);
    assertThat(r.getMap().getShards(1)).isEqualTo(layout.getShards(1));

    for (MetaWrite noop : List.of(set(0, 2), set(0, 1), set(9, 3))) {
      MetaWriteResult same = apply(sm, 7, noop);
      assertThat(same.getApplied()).as(noop.toString()).isFalse();
      assertThat(same.getMap()).isEqualTo(r.getMap());
    }
    assertThatThrownBy(() -> sm.prepare(ByteBuffer.wrap(set(0, 0).toByteArray())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("set-shard-epoch:");
  }
}
