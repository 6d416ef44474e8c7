package io.orchiddb.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardIndex;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Proves the session token merge is the per-shard maximum (compared unsigned, as the proto's
 * uint64 indexes and uint32 shard ids are), whatever the order tokens arrive in: it is
 * commutative, associative and idempotent, never lowers an index, and keeps shards in ascending
 * unsigned id order so equal tokens are equal messages; folding a sequence of tokens through
 * {@link Session#merge(SessionToken)} matches a simple map model.
 *
 * <p>How: jqwik generates tokens over a few shard ids (including ids and indexes with the top bit
 * set) and checks the laws against a {@code TreeMap} model; jqwik reports the seed of any failure.
 */
class SessionPropertyTest {
  @Provide
  Arbitrary<SessionToken> tokens() {
    Arbitrary<Integer> shard = Arbitraries.of(0, 1, 2, 7, -1, Integer.MIN_VALUE);
    Arbitrary<Long> index = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 50), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L));
    Arbitrary<ShardIndex> seen = Combinators.combine(shard, index)
        .as((s, i) -> ShardIndex.newBuilder().setShardId(s).setIndex(i).build());
    // Router tokens list each shard once, sorted; merge must not depend on that, so allow any list.
    return seen.list().ofMaxSize(6).map(list -> SessionToken.newBuilder().addAllSeen(list).build());
  }

  @Provide
  Arbitrary<List<SessionToken>> tokenSequences() {
    return tokens().list().ofMaxSize(8);
  }

  private static Map<Integer, Long> model(List<SessionToken> tokens) {
    Map<Integer, Long> max = new TreeMap<>(Integer::compareUnsigned);
    for (SessionToken token : tokens) {
      for (ShardIndex seen : token.getSeenList()) {
        max.merge(seen.getShardId(), seen.getIndex(), (x, y) -> Long.compareUnsigned(x, y) >= 0 ? x : y);
      }
    }
    return max;
  }

  private static Map<Integer, Long> asMap(SessionToken token) {
    Map<Integer, Long> map = new TreeMap<>(Integer::compareUnsigned);
    for (ShardIndex seen : token.getSeenList()) {
      assertThat(map.put(seen.getShardId(), seen.getIndex())).as("shard listed once").isNull();
    }
    return map;
  }

  private static SessionToken normal(SessionToken token) {
    return Session.merge(SessionToken.getDefaultInstance(), token);
  }

  @Property
  void foldingTokensKeepsTheMaximumPerShard(@ForAll("tokenSequences") List<SessionToken> tokens) {
    Session session = new Session();
    tokens.forEach(session::merge);

    assertThat(asMap(session.current())).isEqualTo(model(tokens));
    assertThat(session.current().getSeenList())
        .extracting(ShardIndex::getShardId)
        .isSortedAccordingTo(Integer::compareUnsigned);
  }

  @Property
  void mergeIsCommutative(@ForAll("tokens") SessionToken a, @ForAll("tokens") SessionToken b) {
    assertThat(Session.merge(normal(a), b)).isEqualTo(Session.merge(normal(b), a));
  }

  @Property
  void mergeIsAssociative(
      @ForAll("tokens") SessionToken a, @ForAll("tokens") SessionToken b, @ForAll("tokens") SessionToken c) {
    assertThat(Session.merge(Session.merge(normal(a), b), c))
        .isEqualTo(Session.merge(normal(a), Session.merge(normal(b), c)));
  }

  @Property
  void mergeIsIdempotentAndReturnsTheSameTokenWhenNothingGrows(@ForAll("tokens") SessionToken a) {
    SessionToken merged = normal(a);
    assertThat(Session.merge(merged, a)).isSameAs(merged);
    assertThat(Session.merge(merged, merged)).isSameAs(merged);
  }

  @Property
  void mergeNeverLowersAnIndex(@ForAll("tokens") SessionToken a, @ForAll("tokens") SessionToken b) {
    Map<Integer, Long> before = asMap(normal(a));
    Map<Integer, Long> after = asMap(Session.merge(normal(a), b));
    before.forEach((shard, index) ->
        assertThat(Long.compareUnsigned(after.get(shard), index)).isGreaterThanOrEqualTo(0));
  }
}
