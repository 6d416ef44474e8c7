package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KVGrpc;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.node.meta.ShardMap;
import io.orchiddb.node.raft.EpochFence;
import io.orchiddb.node.raft.GroupClient;
import io.orchiddb.node.raft.RaftGroups;
import io.orchiddb.proto.raft.ShardInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a router whose cached shard map went stale behind its back (the shard's epoch was
 * advanced in the shard group and the meta group) still routes correctly: the shard refuses the
 * request routed with the old epoch, the router re-reads the map and routes it again. Writes,
 * reads, scans and put-many all recover; the router never refreshes on its own timer during the test.
 */
class StaleMapIT {
  @TempDir
  Path dir;

  @Test
  void routerWithAStaleMapRefreshesAndRoutesAgain() throws Exception {
    try (DevCluster cluster = new DevCluster(dir, 3, 0, Map.of("shard-count", "2", "election-timeout-ms", "500"),
            Map.of("grpc-port", "0", "http-port", "0", "map-refresh-ms", "3600000"));
        GroupClientPair groups = new GroupClientPair(cluster)) {
      ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.grpcTarget()).usePlaintext().build();
      try {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        ShardMap before = cluster.router().maps().current();
        String key = "stale-key";
        ShardInfo shard = before.shardFor(key.getBytes(StandardCharsets.UTF_8));
        kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(put(key, "before"));

        long newEpoch = EpochFence.advance(groups.shard(shard), groups.meta, shard);
        assertThat(newEpoch).isEqualTo(shard.getEpoch() + 1);
        // The router still holds the old map.
        assertThat(cluster.router().maps().current().clusterMap().getEpoch()).isEqualTo(before.clusterMap().getEpoch());

        kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(put(key, "after"));
        ShardMap refreshed = cluster.router().maps().current();
        assertThat(refreshed.clusterMap().getEpoch()).isGreaterThan(before.clusterMap().getEpoch());
        assertThat(refreshed.shardFor(key.getBytes(StandardCharsets.UTF_8)).getEpoch()).isEqualTo(newEpoch);
        GetResponse g = kv.withDeadlineAfter(30, TimeUnit.SECONDS)
            .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build());
        assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("after");

        // Reads recover the same way: advance again, then read and scan.
        ShardInfo current = refreshed.shardFor(key.getBytes(StandardCharsets.UTF_8));
        EpochFence.advance(groups.shard(current), groups.meta, current);
        g = kv.withDeadlineAfter(30, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build());
        assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("after");
        ScanResponse scan = kv.withDeadlineAfter(30, TimeUnit.SECONDS)
            .scan(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("stale-")).build());
        assertThat(scan.getKvsList()).hasSize(1);

        // A put-many too: the stale shard's puts are routed again; the other shard's go through.
        ShardMap now = cluster.router().maps().current();
        ShardInfo again = now.shardFor(key.getBytes(StandardCharsets.UTF_8));
        EpochFence.advance(groups.shard(again), groups.meta, again);
        PutManyRequest.Builder many = PutManyRequest.newBuilder().addPuts(put(key, "many"));
        for (int i = 0; i < 20; i++) {
          many.addPuts(put("stale-many-" + i, "m" + i));
        }
        PutManyResponse r = kv.withDeadlineAfter(30, TimeUnit.SECONDS).putMany(many.build());
        assertThat(r.getResultsList()).allMatch(PutManyResult::hasPut);
        assertThat(cluster.router().maps().current().shardFor(key.getBytes(StandardCharsets.UTF_8)).getEpoch())
            .isGreaterThan(again.getEpoch());
        g = kv.withDeadlineAfter(30, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build());
        assertThat(g.getKv().getValue().toStringUtf8()).isEqualTo("many");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build();
  }

  /** Direct clients of the meta group and the shard groups, bypassing the router. */
  private static final class GroupClientPair implements AutoCloseable {
    final GroupClient meta;
    private final DevCluster cluster;
    private final java.util.List<GroupClient> shards = new java.util.ArrayList<>();

    GroupClientPair(DevCluster cluster) {
      this.cluster = cluster;
      this.meta = new GroupClient(RaftGroups.meta(cluster.router().maps().current().clusterMap()),
          new RaftProperties(), Duration.ofSeconds(10));
    }

    GroupClient shard(ShardInfo shard) {
      GroupClient c = new GroupClient(RaftGroups.shard(cluster.router().maps().current().clusterMap(), shard),
          new RaftProperties(), Duration.ofSeconds(10));
      shards.add(c);
      return c;
    }

    @Override
    public void close() throws Exception {
      for (GroupClient c : shards) {
        c.close();
      }
      meta.close();
    }
  }
}
