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
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link GetBatcher}'s coalescing with scripted nodes (no Raft): a lone get goes out as a
 * plain get; gets arriving while a request to the same node is in flight go out together as one
 * request, the keys of each shard's group and map epoch as one part (a multi-get when it has
 * several), and each caller gets its own key's entry; lanes (node, read level) never share a
 * request; a part's stale read asks for the largest session index among its gets; a failed part
 * fails exactly its own gets, a failed request all of its gets; a batch never exceeds the
 * multi-get limit; a stale lane counts as crowded exactly while a full batch waits in it.
 */
class GetBatcherTest {
  private record Part(String group, ShardRead read, long minIndex) {}

  private record Sent(String node, boolean linearizable, List<Part> parts,
      CompletableFuture<List<GetBatcher.Outcome>> reply) {
    Part only() {
      assertThat(parts).hasSize(1);
      return parts.get(0);
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  /** Each request's number of gets, as told to the metrics: "node/linearizable=n". */
  private final List<String> sizes = new ArrayList<>();

  private final GetBatcher<String> batcher = new GetBatcher<>((node, linearizable, parts) -> {
    CompletableFuture<List<GetBatcher.Outcome>> f = new CompletableFuture<>();
    List<Part> decoded = new ArrayList<>();
    for (GetBatcher.Part<String> p : parts) {
      try {
        decoded.add(new Part(p.group(), ShardRead.parseFrom(p.query()), p.minIndex()));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    sent.add(new Sent(node, linearizable, decoded, f));
    return f;
  }, (node, linearizable) -> n -> sizes.add(node + "/" + linearizable + "=" + n));

  private static ByteString key(String k) {
    return ByteString.copyFromUtf8(k);
  }

  /** Answers request {@code i} as a node holding every key with value "v-" + key, at index 9. */
  private void answer(int i) {
    Sent s = sent.get(i);
    s.reply.complete(s.parts.stream().map(p -> GetBatcher.Outcome.of(reply(p, s.node))).toList());
  }

  private static GroupChannel.Reply reply(Part p, String node) {
    ShardReadResult.Builder r = ShardReadResult.newBuilder().setAppliedIndex(9);
    if (p.read.hasGet()) {
      r.setGet(found(p.read.getGet().getKey()));
    } else {
      MultiGetResult.Builder m = MultiGetResult.newBuilder();
      p.read.getMultiGet().getKeysList().forEach(k -> m.addResults(found(k)));
      r.setMultiGet(m);
    }
    return new GroupChannel.Reply(r.build().toByteArray(), node);
  }

  private static GetResult found(ByteString k) {
    return GetResult.newBuilder().setEntry(KeyEntry.newBuilder().setKey(k)
        .setValue(ByteString.copyFromUtf8("v-" + k.toStringUtf8()))).build();
  }

  private static String value(CompletableFuture<Served> f) {
    return f.join().result().getGet().getEntry().getValue().toStringUtf8();
  }

  private static Throwable failure(CompletableFuture<Served> f) {
    return f.handle((v, t) -> t instanceof CompletionException && t.getCause() != null ? t.getCause() : t).join();
  }

  @Test
  void getsArrivingWhileARequestIsInFlightShareOneMultiGet() {
    var first = batcher.get("s1", "n1", true, 3, 0, key("a"));
    var b = batcher.get("s1", "n1", true, 3, 0, key("b"));
    var c = batcher.get("s1", "n1", true, 3, 0, key("c"));

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).only().read.hasGet()).isTrue();
    assertThat(sent.get(0).only().read.getEpoch()).isEqualTo(3);
    answer(0);
    assertThat(value(first)).isEqualTo("v-a");
    assertThat(first.join().servedBy()).isEqualTo("n1");

    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).linearizable).isTrue();
    assertThat(sent.get(1).only().read.getMultiGet().getKeysList()).containsExactly(key("b"), key("c"));
    assertThat(b).isNotDone();
    answer(1);
    assertThat(value(b)).isEqualTo("v-b");
    assertThat(value(c)).isEqualTo("v-c");
    assertThat(c.join().result().getAppliedIndex()).isEqualTo(9);
    assertThat(sizes).containsExactly("n1/true=1", "n1/true=2");
  }

  @Test
  void getsOfSeveralShardsToOneNodeShareOneRequestAsOnePartPerShardAndEpoch() {
    batcher.get("s1", "n1", false, 3, 0, key("first"));
    var a = batcher.get("s1", "n1", false, 3, 0, key("a"));
    var b = batcher.get("s2", "n1", false, 3, 0, key("b"));
    var c = batcher.get("s1", "n1", false, 3, 0, key("c"));
    var d = batcher.get("s1", "n1", false, 4, 0, key("d")); // routed with a newer map: a part of its own
    answer(0);

    assertThat(sent).hasSize(2);
    Sent shared = sent.get(1);
    assertThat(shared.parts).extracting(Part::group).containsExactly("s1", "s2", "s1");
    assertThat(shared.parts.get(0).read.getMultiGet().getKeysList()).containsExactly(key("a"), key("c"));
    assertThat(shared.parts.get(0).read.getEpoch()).isEqualTo(3);
    assertThat(shared.parts.get(1).read.getGet().getKey()).isEqualTo(key("b"));
    assertThat(shared.parts.get(2).read.getGet().getKey()).isEqualTo(key("d"));
    assertThat(shared.parts.get(2).read.getEpoch()).isEqualTo(4);
    assertThat(sizes).as("gets per request, whatever their shards").containsExactly("n1/false=1", "n1/false=4");
    answer(1);
    assertThat(List.of(value(a), value(b), value(c), value(d))).containsExactly("v-a", "v-b", "v-c", "v-d");
  }

  @Test
  void lanesByNodeAndLevelNeverShareARequest() {
    batcher.get("s1", "n1", true, 3, 0, key("a"));
    batcher.get("s1", "n2", true, 3, 0, key("b"));
    batcher.get("s1", "n1", false, 3, 0, key("c"));
    batcher.get("s2", "n1", false, 3, 0, key("d")); // waits for c's request: same node and level

    assertThat(sent).hasSize(3);
    assertThat(sent).extracting(s -> s.only().read.getGet().getKey().toStringUtf8()).containsExactly("a", "b", "c");
    assertThat(sent).extracting(Sent::node).containsExactly("n1", "n2", "n1");
    assertThat(sent).extracting(Sent::linearizable).containsExactly(true, true, false);
  }

  @Test
  void aPartAsksForTheLargestSessionIndexAmongItsOwnGets() {
    batcher.get("s1", "n2", false, 1, 5, key("a"));
    batcher.get("s1", "n2", false, 1, 40, key("b"));
    batcher.get("s1", "n2", false, 1, 0, key("c"));
    batcher.get("s2", "n2", false, 1, 3, key("x"));
    batcher.get("s1", "n2", false, 1, 17, key("d"));
    assertThat(sent.get(0).only().minIndex).isEqualTo(5);
    answer(0);
    assertThat(sent.get(1).parts.get(0).minIndex).isEqualTo(40);
    assertThat(sent.get(1).parts.get(0).read.getMultiGet().getKeysCount()).isEqualTo(3);
    assertThat(sent.get(1).parts.get(1).minIndex).isEqualTo(3);
  }

  @Test
  void aFailedPartFailsExactlyItsOwnGets() {
    batcher.get("s1", "n1", false, 1, 0, key("first"));
    var a = batcher.get("s1", "n1", false, 1, 0, key("a"));
    var b = batcher.get("s2", "n1", false, 1, 0, key("b"));
    var c = batcher.get("s1", "n1", false, 1, 0, key("c"));
    answer(0);
    IOException behind = new IOException("s1 on n1 is behind");
    Sent s = sent.get(1);
    s.reply.complete(List.of(GetBatcher.Outcome.failed(behind), GetBatcher.Outcome.of(reply(s.parts.get(1), "n1"))));

    assertThat(failure(a)).isSameAs(behind);
    assertThat(failure(c)).isSameAs(behind);
    assertThat(value(b)).isEqualTo("v-b");
  }

  @Test
  void aFailedRequestFailsExactlyItsOwnGets() {
    var a = batcher.get("s1", "n1", false, 1, 0, key("a"));
    var b = batcher.get("s1", "n1", false, 1, 0, key("b"));
    var c = batcher.get("s2", "n1", false, 1, 0, key("c"));
    answer(0);
    var d = batcher.get("s1", "n1", false, 1, 0, key("d"));
    IOException down = new IOException("n1 went away");
    sent.get(1).reply.completeExceptionally(down);

    assertThat(value(a)).isEqualTo("v-a");
    assertThat(failure(b)).isSameAs(down);
    assertThat(failure(c)).isSameAs(down);
    // d arrived while the failed request was in flight: it goes out next, on its own.
    assertThat(sent).hasSize(3);
    answer(2);
    assertThat(value(d)).isEqualTo("v-d");
  }

  @Test
  void aReplyThatDoesNotFitFailsTheGetsInsteadOfMixingThemUp() {
    batcher.get("s1", "n1", true, 1, 0, key("first"));
    var b = batcher.get("s1", "n1", true, 1, 0, key("b"));
    var c = batcher.get("s1", "n1", true, 1, 0, key("c"));
    var x = batcher.get("s2", "n1", true, 1, 0, key("x"));
    answer(0);
    // Part s1 asked for 2 keys and got 1 result: its gets fail; part s2 is answered.
    Sent s = sent.get(1);
    s.reply.complete(List.of(GetBatcher.Outcome.of(new GroupChannel.Reply(ShardReadResult.newBuilder().setMultiGet(
        MultiGetResult.newBuilder().addResults(found(key("b")))).build().toByteArray(), "n1")),
        GetBatcher.Outcome.of(reply(s.parts.get(1), "n1"))));
    assertThat(b).isCompletedExceptionally();
    assertThat(failure(c).getMessage()).contains("malformed reply").contains("asked for 2 keys");
    assertThat(value(x)).isEqualTo("v-x");

    // A reply with fewer outcomes than parts fails every get of the request.
    batcher.get("s1", "n1", true, 1, 0, key("w"));
    var y = batcher.get("s1", "n1", true, 1, 0, key("y"));
    var z = batcher.get("s2", "n1", true, 1, 0, key("z"));
    answer(2);
    sent.get(3).reply.complete(List.of(GetBatcher.Outcome.of(reply(sent.get(3).parts.get(0), "n1"))));
    assertThat(failure(y).getMessage()).contains("asked for 2 parts, got 1 outcomes");
    assertThat(failure(z)).isSameAs(failure(y));
  }

  @Test
  void aBatchNeverExceedsTheMultiGetLimit() {
    batcher.get("s1", "n1", false, 1, 0, key("first"));
    List<CompletableFuture<Served>> queued = new ArrayList<>();
    for (int i = 0; i <= ShardCodec.MULTI_GET_KEYS_MAX; i++) {
      queued.add(batcher.get(i % 2 == 0 ? "s1" : "s2", "n1", false, 1, 0, key("k" + i)));
    }
    answer(0);
    assertThat(sent.get(1).parts).extracting(p -> p.read.getMultiGet().getKeysCount())
        .containsExactly(ShardCodec.MULTI_GET_KEYS_MAX / 2, ShardCodec.MULTI_GET_KEYS_MAX / 2);
    answer(1);
    assertThat(sent.get(2).only().read.getGet().getKey()).isEqualTo(key("k" + ShardCodec.MULTI_GET_KEYS_MAX));
    answer(2);
    for (int i = 0; i < queued.size(); i++) {
      assertThat(value(queued.get(i))).isEqualTo("v-k" + i);
    }
  }

  @Test
  void aStaleLaneIsCrowdedOnlyWhileAFullBatchWaits() {
    assertThat(batcher.crowded("n1")).isFalse(); // no lane yet
    batcher.get("s1", "n1", false, 1, 0, key("in-flight"));
    for (int i = 0; i < ShardCodec.MULTI_GET_KEYS_MAX - 1; i++) {
      batcher.get(i % 2 == 0 ? "s1" : "s2", "n1", false, 1, 0, key("k" + i));
    }
    assertThat(batcher.crowded("n1")).isFalse();
    batcher.get("s3", "n1", false, 1, 0, key("one-more"));
    assertThat(batcher.crowded("n1")).isTrue();
    assertThat(batcher.crowded("n2")).isFalse();
    answer(0); // the full batch goes out
    assertThat(batcher.crowded("n1")).isFalse();
  }
}
