package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves scan range arithmetic (prefix ends with 0xFF carries, empty prefix), continuation
 * tokens (round trip, resume strictly after the last key, malformed or foreign tokens refused)
 * and session token merging (max per shard).
 */
class ScanRangeTest {
  static ByteString bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return ByteString.copyFrom(out);
  }

  @Test
  void prefixEnds() {
    assertThat(ScanRange.prefixEnd(ByteString.copyFromUtf8("ab"))).isEqualTo(ByteString.copyFromUtf8("ac"));
    assertThat(ScanRange.prefixEnd(bytes(0x61, 0xFF))).isEqualTo(bytes(0x62));
    assertThat(ScanRange.prefixEnd(bytes(0xFF, 0xFF))).isEqualTo(ByteString.EMPTY);
    assertThat(ScanRange.prefixEnd(ByteString.EMPTY)).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void continuationResumesJustAfterTheLastKey() {
    ByteString last = ByteString.copyFromUtf8("user/0042");
    ScanRange r = ScanRange.of(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("user/"))
        .setContinuation(ScanCursor.encode(last)).build());
    assertThat(r.start()).isEqualTo(last.concat(bytes(0)));
    assertThat(r.end()).isEqualTo(ByteString.copyFromUtf8("user0"));
  }

  @Test
  void malformedOrForeignTokensAreRefused() {
    ByteString good = ScanCursor.encode(ByteString.copyFromUtf8("user/1"));
    for (ByteString bad : new ByteString[] {ByteString.copyFromUtf8("x"), good.substring(0, good.size() - 1),
        bytes(2).concat(good.substring(1)), good.concat(bytes(0))}) {
      assertThatThrownBy(() -> ScanRange.of(ScanRequest.newBuilder().setContinuation(bad).build()))
          .isInstanceOfSatisfying(RouterException.class, e -> {
            assertThat(e.reason()).isEqualTo(RouterException.Reason.BAD_REQUEST);
            assertThat(e.metadata()).containsEntry("field", "continuation");
          });
    }
    // A valid token from a scan of another prefix.
    assertThatThrownBy(() -> ScanRange.of(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("order/"))
        .setContinuation(good).build())).isInstanceOf(RouterException.class);
  }

  @Test
  void prefixAndRangeTogetherAreRefused() {
    assertThatThrownBy(() -> ScanRange.of(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("a"))
        .setStartKey(ByteString.copyFromUtf8("b")).build())).isInstanceOf(RouterException.class);
    assertThatThrownBy(() -> ScanRange.of(ScanRequest.newBuilder().setStartKey(ByteString.copyFromUtf8("b"))
        .setEndKey(ByteString.copyFromUtf8("a")).build())).isInstanceOf(RouterException.class);
  }

  @Test
  void sessionTokensMergeByMaxPerShard() {
    SessionToken t = SessionToken.newBuilder()
        .addSeen(ShardIndex.newBuilder().setShardId(1).setIndex(10))
        .addSeen(ShardIndex.newBuilder().setShardId(2).setIndex(5)).build();
    SessionToken merged = Sessions.merge(t, Map.of(1, 7L, 2, 9L, 3, 1L));
    assertThat(Sessions.indexFor(merged, 1)).isEqualTo(10);
    assertThat(Sessions.indexFor(merged, 2)).isEqualTo(9);
    assertThat(Sessions.indexFor(merged, 3)).isEqualTo(1);
    assertThat(Sessions.indexFor(merged, 4)).isZero();
    assertThat(merged.getSeenList()).extracting(ShardIndex::getShardId).containsExactly(1, 2, 3);
  }
}
