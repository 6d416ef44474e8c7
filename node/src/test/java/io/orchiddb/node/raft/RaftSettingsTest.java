package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftClientProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins Ratis settings whose defaults failed us, each explained in {@link RaftSettings}: they are
 * easy to lose in a refactoring and their failures show only under faults or in containers.
 */
class RaftSettingsTest {
  @TempDir Path dir;

  private RaftProperties properties() {
    NodeConfig config = NodeConfig.parse(Map.of("node-id", "n1", "peers", "n1=127.0.0.1:7001",
        "data-dir", dir.toString()));
    return RaftSettings.forNode(config);
  }

  /** OrchidClusterIT's first-write failures: a new leader's first heartbeat waited on an unresolved channel. */
  @Test
  void heartbeatsShareTheChannelOfAppendsAndVotes() {
    assertThat(GrpcConfigKeys.Server.heartbeatChannel(properties())).isFalse();
  }

  @Test
  void anEntryOfTheLargestRequestFitsTheWriteBuffer() {
    RaftProperties p = properties();
    assertThat(RaftServerConfigKeys.Log.writeBufferSize(p).getSize())
        .isGreaterThanOrEqualTo(RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSize() + 8);
  }

  @Test
  void votesSnapshotChunksAndAdminCallsLeaveTheNetworkThreads() {
    assertThat(RaftSettings.blocks(RaftServerProtocolServiceGrpc.getRequestVoteMethod().getFullMethodName())).isTrue();
    assertThat(RaftSettings.blocks(RaftServerProtocolServiceGrpc.getStartLeaderElectionMethod().getFullMethodName()))
        .isTrue();
    assertThat(RaftSettings.blocks(RaftServerProtocolServiceGrpc.getInstallSnapshotMethod().getFullMethodName())).isTrue();
    assertThat(RaftSettings.blocks(AdminProtocolServiceGrpc.getGroupManagementMethod().getFullMethodName())).isTrue();
    // The hot paths stay on the thread that received them.
    assertThat(RaftSettings.blocks(RaftServerProtocolServiceGrpc.getAppendEntriesMethod().getFullMethodName())).isFalse();
    assertThat(RaftSettings.blocks(RaftServerProtocolServiceGrpc.getReadIndexMethod().getFullMethodName())).isFalse();
    assertThat(RaftSettings.blocks(RaftClientProtocolServiceGrpc.getOrderedMethod().getFullMethodName())).isFalse();
    assertThat(RaftSettings.blocks(NodeReads.METHOD)).isFalse();
  }
}
