package io.orchiddb.node.raft;

import io.orchiddb.node.config.NodeConfig;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallExecutorSupplier;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis properties a node runs with, derived from its {@link NodeConfig}. Every group on the
 * node shares them. Values and the reasons behind them are in {@code shared/RATIS-NOTES.md}.
 */
final class RaftSettings {
  /** Room for a log entry's framing around the largest request we accept. */
  private static final int ENTRY_OVERHEAD_BYTES = 256 * 1024;
  /** Failed appends to a follower: 10 retries 1 ms apart, 50 at 100 ms, then every 0.5 s (about 58 days). */
  private static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,50, 500ms,10000000";

  private RaftSettings() {}

  static RaftProperties forNode(NodeConfig config) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().resolve("raft").toFile()));
    GrpcConfigKeys.Server.setHost(p, config.address().getHost());
    GrpcConfigKeys.Server.setPort(p, config.address().getPort());

    // Elections: 27 divisions on 2 cores need more than the 150-300 ms defaults (pre-vote stays on).
    long electionMs = config.electionTimeoutMin().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(electionMs, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * electionMs, TimeUnit.MILLISECONDS));
    TimeDuration request = TimeDuration.valueOf(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, request);

    // The log: an entry must fit the appender buffer, the write buffer and a gRPC message.
    int entryBytesMax = config.limits().requestBytesMax() + ENTRY_OVERHEAD_BYTES;
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryBytesMax));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryBytesMax + 64 * 1024));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(entryBytesMax + 2 * 1024 * 1024));
    // Snapshot chunks travel in the same gRPC messages; the 16 MB default chunk would exceed them
    // and a lagging follower could never be caught up (seen in RecoveryIT).
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf(entryBytesMax));
    // How soon a leader tries a follower again after failed appends. Ratis's default ("1ms,10, 1s,20,
    // 5s,1000") tries a follower that has been unreachable for a while only every 5 s, so a node
    // restarted after ~20 s down heard its leaders up to 5 s late: in KillNodeIT, reads at the
    // restarted node got "leader unknown" for 5-6.5 s, and a follower that started late stayed
    // empty long enough that (Ratis counting no vote from an empty log) its shard had no leader
    // when another node died. A failed append to a dead peer costs little, so retry every 0.5 s.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
    // No minimum gap between two sends to a follower (Ratis's default is 1 ms). Right after an
    // entry commits the leader sends its followers the new commit index; with the gap, a writer's
    // next entry, proposed a fraction of a millisecond later, waited out the rest of that
    // millisecond before it went to the followers. Measured at concurrency 1: puts 610-630 -> 840-860
    // ops/s, p99 5.4 -> 4.3 ms; level at 64 and 256, where entries are fewer and larger (BENCHMARKS.md).
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
    // Heartbeats go to a follower on the same gRPC channel as appends and votes, not on a second
    // channel of their own (Ratis's default, RATIS-1465). A new leader's first request to each
    // follower is a heartbeat (Ratis backdates the follower's last reply so that one goes out at
    // once), and GrpcLogAppender sends nothing else until that stream is ready, waiting with no
    // timeout. On the heartbeat channel this is the channel's first call, so it waits until the
    // peer's name has resolved and a connection is up. In containers a lookup can hang for 5-10 s:
    // aardvark-dns (Podman 4.3) drops queries while it reloads because a container joined or left
    // the network, and glibc retries after 5 s. Such a leader sent its followers nothing, lost
    // leadership after 2 s, was elected again and did the same, and a write to its shard timed out
    // (OrchidClusterIT, 1 CI run in 5). The channel appends and votes share has just carried the
    // votes that elected the leader, so a majority is connected and the heartbeat goes out at once.
    // The cost: a heartbeat waits behind the appends queued before it on the one stream, which only
    // matters when a follower takes longer than an election timeout to drain them.
    GrpcConfigKeys.Server.setHeartbeatChannel(p, false);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.logSegmentBytes()));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));
    // Entries cached per group: Ratis keeps the open segment's entries in memory whole and evicts
    // a closed segment's once it is applied and every follower has it, while the cache is over
    // this size. 1 MB (under the default 2 MiB segment) evicts closed segments as soon as they may
    // go: appenders send from the open segment, and only a follower behind by more than that reads
    // from disk.
    // With 8 MB, 11 MB of entries stayed on the heap of an idle node (BENCHMARKS.md, "Memory").
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("1MB"));
    RaftServerConfigKeys.Log.setUseMemory(p, config.storage() == NodeConfig.Storage.MEMORY);
    // No commit-index metadata entries: by default Ratis appends one to the log (replicated and
    // fsynced like any entry) each time the leader's commit index advances, which doubled the Raft
    // entries per write (measured: 10 puts, 20 entries). Raft does not need the commit index on
    // disk: after a restart it is learnt again from the leader (and a new leader commits its
    // predecessors' entries with its first entry), so durability is unchanged.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    // Purge up to the snapshot even when a follower is behind: it catches up by snapshot install,
    // and one dead follower cannot make the log grow without bound (IoTDB PR #6724).
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    // Keep about two snapshot intervals of log behind the newest snapshot, so that if it turns
    // out corrupt the older one plus the log still rebuild the state (see OrchidStateMachine).
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, 2 * config.snapshotThresholdEntries());

    // Snapshots on a log-size trigger; keep two so a corrupt newest one has a fallback on disk.
    // Not with the memory log: its indexing breaks after the first purge (it is for tests only).
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, config.storage() == NodeConfig.Storage.DURABLE);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThresholdEntries());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, config.snapshotThresholdEntries()));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, config.snapshotThresholdEntries()));

    RaftServerConfigKeys.Write.setElementLimit(p, 1024);
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(Math.max(8L * 1024 * 1024, 2L * entryBytesMax)));

    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Linearizable reads get their index from our ReadIndex, not Ratis's (NodeReads). Ratis's lease
    // stays off: once expired it falls back to a ReadIndex that can skip the leadership check.
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);
    RaftServerConfigKeys.Read.setTimeout(p, request);
    return p;
  }

  /**
   * Objects Ratis takes besides properties. Ratis's gRPC server hands every call to gRPC's
   * default cached thread pool; its handlers are asynchronous (client requests go to Ratis's own
   * executor, appends to the log worker), so they run on the Netty event loop instead. Measured
   * on the 2-core machine: the hand-offs (thread park/unpark) were the largest single CPU cost
   * of a node under load (BENCHMARKS.md, "Optimisations"). The server that takes client requests
   * also serves {@link NodeReads}, the router's reads.
   *
   * <p>Except the calls that block inside Ratis ({@link #blocks}), which run on {@code blocking}:
   * on a network thread they stopped everything else that thread carried.
   *
   * @param reads the node's reads (the services are made while its Raft server is built)
   * @param blocking runs the calls that block
   */
  static Parameters parameters(NodeReads reads, Executor blocking) {
    Parameters parameters = new Parameters();
    ServerCallExecutorSupplier blockingCalls = new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return blocks(call.getMethodDescriptor().getFullMethodName()) ? blocking : null; // null: direct
      }
    };
    GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> {
      builder.directExecutor();
      builder.callExecutor(blockingCalls);
      if (types.contains(GrpcServices.Type.CLIENT)) {
        builder.addService(reads.service());
      }
      return builder;
    });
    return parameters;
  }

  /**
   * The Raft calls whose handlers block their thread: a vote waits for the division's previous
   * role to shut down (up to an election timeout; seen in thread dumps of container clusters, once
   * holding both of a node's network threads at the same moment, which froze all its traffic), a
   * snapshot chunk is written to disk, and the admin calls (group management) wait for their
   * operation.
   */
  static boolean blocks(String fullMethodName) {
    return fullMethodName.equals(RaftServerProtocolServiceGrpc.getRequestVoteMethod().getFullMethodName())
        || fullMethodName.equals(RaftServerProtocolServiceGrpc.getStartLeaderElectionMethod().getFullMethodName())
        || fullMethodName.equals(RaftServerProtocolServiceGrpc.getInstallSnapshotMethod().getFullMethodName())
        || fullMethodName.startsWith(AdminProtocolServiceGrpc.SERVICE_NAME + "/");
  }
}
