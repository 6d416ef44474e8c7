package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.node.raft.ShardCodec;
import io.orchiddb.proto.raft.GetResult;
import io.orchiddb.proto.raft.KeyEntry;
import io.orchiddb.proto.raft.MultiGetResult;
import io.orchiddb.proto.raft.ShardRead;
import io.orchiddb.proto.raft.ShardReadResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link GetBatcher}'s coalescing with scripted replicas (no Raft): a lone get goes out as
 * a plain get; gets arriving while a request to the same replica is in flight go out together as
 * one multi-get, and each caller gets its own key's entry; lanes (replica, read level, epoch) never
 * share a request; a shared stale read asks for the largest session index among its gets; a
 * failed request fails exactly its own gets; a batch never exceeds the multi-get limit; a stale
 * lane counts as crowded exactly while a full batch waits in it.
 */
class GetBatcherTest {
  private record Sent(ShardRead read, boolean linearizable, long minIndex, String node,
      CompletableFuture<GroupChannel.Reply> reply) {}

  private final List<Sent> sent = new ArrayList<>();

  private final GetBatcher batcher = new GetBatcher(new GetBatcher.Reads() {
    @Override
    public CompletableFuture<GroupChannel.Reply> readLinearizable(byte[] query, String node) {
      return record(query, true, 0, node);
    }

    @Override
    public CompletableFuture<GroupChannel.Reply> readStale(byte[] query, long minIndex, String node) {
      return record(query, false, minIndex, node);
    }
  });

  private CompletableFuture<GroupChannel.Reply> record(byte[] query, boolean linearizable, long minIndex, String node) {
    CompletableFuture<GroupChannel.Reply> f = new CompletableFuture<>();
    try {
      sent.add(new Sent(ShardRead.parseFrom(query), linearizable, minIndex, node, f));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    return f;
  }

  private static ByteString key(String k) {
    return ByteString.copyFromUtf8(k);
  }

  /** Answers request {@code i} as a replica holding every key with value "v-" + key, at index 9. */
  private void answer(int i) {
    Sent s = sent.get(i);
    ShardReadResult.Builder r = ShardReadResult.newBuilder().setAppliedIndex(9);
    if (s.read.hasGet()) {
      r.setGet(found(s.read.getGet().getKey()));
    } else {
      MultiGetResult.Builder m = MultiGetResult.newBuilder();
      s.read.getMultiGet().getKeysList().forEach(k -> m.addResults(found(k)));
      r.setMultiGet(m);
    }
    s.reply.complete(new GroupChannel.Reply(r.build().toByteArray(), s.node));
  }

  private static GetResult found(ByteString k) {
    return GetResult.newBuilder().setEntry(KeyEntry.newBuilder().setKey(k)
        .setValue(ByteString.copyFromUtf8("v-" + k.toStringUtf8()))).build();
  }

  private static String value(CompletableFuture<Served> f) {
    return f.join().result().getGet().getEntry().getValue().toStringUtf8();
  }

  @Test
  void getsArrivingWhileARequestIsInFlightShareOneMultiGet() {
    var first = batcher.get("n1", true, 3, 0, key("a"));
    var b = batcher.get("n1", true, 3, 0, key("b"));
    var c = batcher.get("n1", true, 3, 0, key("c"));

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).read.hasGet()).isTrue();
    assertThat(sent.get(0).read.getEpoch()).isEqualTo(3);
    answer(0);
    assertThat(value(first)).isEqualTo("v-a");
    assertThat(first.join().servedBy()).isEqualTo("n1");

    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).linearizable).isTrue();
    assertThat(sent.get(1).read.getMultiGet().getKeysList()).containsExactly(key("b"), key("c"));
    assertThat(b).isNotDone();
    answer(1);
    assertThat(value(b)).isEqualTo("v-b");
    assertThat(value(c)).isEqualTo("v-c");
    assertThat(c.join().result().getAppliedIndex()).isEqualTo(9);
  }

  @Test
  void lanesByReplicaLevelAndEpochNeverShareARequest() {
    batcher.get("n1", true, 3, 0, key("a"));
    batcher.get("n2", true, 3, 0, key("b"));
    batcher.get("n1", false, 3, 0, key("c"));
    batcher.get("n1", true, 4, 0, key("d"));

    assertThat(sent).hasSize(4);
    assertThat(sent).extracting(s -> s.read.getGet().getKey().toStringUtf8()).containsExactly("a", "b", "c", "d");
    assertThat(sent).extracting(Sent::node).containsExactly("n1", "n2", "n1", "n1");
    assertThat(sent).extracting(Sent::linearizable).containsExactly(true, true, false, true);
  }

  @Test
  void aNewMapEpochDropsTheLanesOfOlderOnesAndTheirInFlightGetsStillComplete() {
    var old = batcher.get("n1", true, 3, 0, key("a"));
    batcher.get("n2", false, 3, 0, key("b"));
    assertThat(batcher.laneCount()).isEqualTo(2);

    var fresh = batcher.get("n1", true, 4, 0, key("c"));
    assertThat(batcher.laneCount()).isEqualTo(1);
    answer(0);
    answer(2);
    assertThat(value(old)).isEqualTo("v-a");
    assertThat(value(fresh)).isEqualTo("v-c");

    // A straggler routed with the old map still gets its own request (and lane) ...
    var straggler = batcher.get("n1", true, 3, 0, key("d"));
    assertThat(sent).hasSize(4);
    answer(3);
    assertThat(value(straggler)).isEqualTo("v-d");
    // ... until the next map change.
    batcher.get("n1", true, 5, 0, key("e"));
    assertThat(batcher.laneCount()).isEqualTo(1);
  }

  @Test
  void aSharedStaleReadAsksForTheLargestSessionIndex() {
    batcher.get("n2", false, 1, 5, key("a"));
    batcher.get("n2", false, 1, 40, key("b"));
    batcher.get("n2", false, 1, 0, key("c"));
    batcher.get("n2", false, 1, 17, key("d"));
    assertThat(sent.get(0).minIndex).isEqualTo(5);
    answer(0);
    assertThat(sent.get(1).minIndex).isEqualTo(40);
    assertThat(sent.get(1).read.getMultiGet().getKeysCount()).isEqualTo(3);
  }

  @Test
  void aFailedRequestFailsExactlyItsOwnGets() {
    var a = batcher.get("n1", false, 1, 0, key("a"));
    var b = batcher.get("n1", false, 1, 0, key("b"));
    var c = batcher.get("n1", false, 1, 0, key("c"));
    sent.get(0).reply.complete(new GroupChannel.Reply(ShardReadResult.newBuilder()
        .setGet(found(key("a"))).build().toByteArray(), "n1"));
    var d = batcher.get("n1", false, 1, 0, key("d"));
    IOException down = new IOException("n1 went away");
    sent.get(1).reply.completeExceptionally(down);

    assertThat(value(a)).isEqualTo("v-a");
    assertThat(b).isCompletedExceptionally();
    assertThat(c).isCompletedExceptionally();
    assertThat(b.handle((v, f) -> f).join()).isSameAs(down);
    // d arrived while the failed request was in flight: it goes out next, on its own.
    assertThat(sent).hasSize(3);
    answer(2);
    assertThat(value(d)).isEqualTo("v-d");
  }

  @Test
  void aReplyWithTheWrongNumberOfResultsFailsTheGetsInsteadOfMixingThemUp() {
    batcher.get("n1", true, 1, 0, key("a"));
    var b = batcher.get("n1", true, 1, 0, key("b"));
    var c = batcher.get("n1", true, 1, 0, key("c"));
    answer(0);
    sent.get(1).reply.complete(new GroupChannel.Reply(ShardReadResult.newBuilder().setMultiGet(
        MultiGetResult.newBuilder().addResults(found(key("b")))).build().toByteArray(), "n1"));
    assertThat(b).isCompletedExceptionally();
    assertThat(c.handle((v, f) -> f.getMessage()).join()).contains("malformed reply").contains("asked for 2 keys");
  }

  @Test
  void aBatchNeverExceedsTheMultiGetLimit() {
    batcher.get("n1", false, 1, 0, key("first"));
    List<CompletableFuture<Served>> queued = new ArrayList<>();
    for (int i = 0; i <= ShardCodec.MULTI_GET_KEYS_MAX; i++) {
      queued.add(batcher.get("n1", false, 1, 0, key("k" + i)));
    }
    answer(0);
    assertThat(sent.get(1).read.getMultiGet().getKeysCount()).isEqualTo(ShardCodec.MULTI_GET_KEYS_MAX);
    answer(1);
    assertThat(sent.get(2).read.hasGet()).isTrue();
    assertThat(sent.get(2).read.getGet().getKey()).isEqualTo(key("k" + ShardCodec.MULTI_GET_KEYS_MAX));
    answer(2);
    for (int i = 0; i < queued.size(); i++) {
      assertThat(value(queued.get(i))).isEqualTo("v-k" + i);
    }
  }

  @Test
  void aStaleLaneIsCrowdedOnlyWhileAFullBatchWaits() {
    assertThat(batcher.crowded("n1", 1)).isFalse(); // no lane yet
    batcher.get("n1", false, 1, 0, key("in-flight"));
    for (int i = 0; i < ShardCodec.MULTI_GET_KEYS_MAX - 1; i++) {
      batcher.get("n1", false, 1, 0, key("k" + i));
    }
    assertThat(batcher.crowded("n1", 1)).isFalse();
    batcher.get("n1", false, 1, 0, key("one-more"));
    assertThat(batcher.crowded("n1", 1)).isTrue();
    assertThat(batcher.crowded("n2", 1)).isFalse();
    assertThat(batcher.crowded("n1", 2)).isFalse();
    answer(0); // the full batch goes out
    assertThat(batcher.crowded("n1", 1)).isFalse();
  }
}
