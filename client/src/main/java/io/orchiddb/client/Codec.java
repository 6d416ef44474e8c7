package io.orchiddb.client;

import com.google.protobuf.ByteString;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.DeleteRequest;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetRequest;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.NodeStatus;
import io.orchiddb.api.v1.Op;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ReplicaIndex;
import io.orchiddb.api.v1.ScanRequest;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.ShardStatus;
import io.orchiddb.api.v1.StatusResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts between the SDK's values and the orchiddb.v1 messages. Requests are built without a
 * session token: the transport stamps the current one on each attempt.
 */
final class Codec {
  private static final int PRINTABLE_BYTES_MAX = 64;

  private Codec() {}

  static io.orchiddb.api.v1.Consistency consistency(Consistency consistency) {
    return switch (consistency) {
      case STRONG -> io.orchiddb.api.v1.Consistency.STRONG;
      case SESSION -> io.orchiddb.api.v1.Consistency.SESSION;
      case EVENTUAL -> io.orchiddb.api.v1.Consistency.EVENTUAL;
    };
  }

  /** The proto condition, or null for {@link Condition#always()} (an unset condition). */
  static io.orchiddb.api.v1.Condition condition(Condition condition) {
    io.orchiddb.api.v1.Condition.Builder proto = io.orchiddb.api.v1.Condition.newBuilder();
    return switch (condition.kind()) {
      case ALWAYS -> null;
      case ABSENT -> proto.setAbsent(io.orchiddb.api.v1.Absent.getDefaultInstance()).build();
      case VERSION_EQUALS -> proto.setVersionEquals(condition.version()).build();
      case VALUE_EQUALS -> proto.setValueEquals(condition.valueBytes()).build();
    };
  }

  static GetRequest getRequest(ByteString key, Consistency consistency) {
    return GetRequest.newBuilder().setKey(key).setConsistency(consistency(consistency)).build();
  }

  static PutRequest putRequest(ByteString key, ByteString value, Condition condition) {
    PutRequest.Builder request = PutRequest.newBuilder().setKey(key).setValue(value);
    io.orchiddb.api.v1.Condition proto = condition(condition);
    if (proto != null) {
      request.setCondition(proto);
    }
    return request.build();
  }

  static DeleteRequest deleteRequest(ByteString key, Condition condition) {
    DeleteRequest.Builder request = DeleteRequest.newBuilder().setKey(key);
    io.orchiddb.api.v1.Condition proto = condition(condition);
    if (proto != null) {
      request.setCondition(proto);
    }
    return request.build();
  }

  static BatchRequest batchRequest(List<BatchOp> ops) {
    BatchRequest.Builder request = BatchRequest.newBuilder();
    for (BatchOp op : ops) {
      io.orchiddb.api.v1.Condition condition = condition(op.condition());
      Op.Builder proto = Op.newBuilder();
      switch (op.type()) {
        case PUT -> {
          io.orchiddb.api.v1.PutOp.Builder put =
              io.orchiddb.api.v1.PutOp.newBuilder().setKey(op.keyBytes()).setValue(op.valueBytes());
          if (condition != null) {
            put.setCondition(condition);
          }
          proto.setPut(put);
        }
        case DELETE -> {
          io.orchiddb.api.v1.DeleteOp.Builder delete =
              io.orchiddb.api.v1.DeleteOp.newBuilder().setKey(op.keyBytes());
          if (condition != null) {
            delete.setCondition(condition);
          }
          proto.setDelete(delete);
        }
      }
      request.addOps(proto);
    }
    return request.build();
  }

  static ScanRequest scanRequest(ScanSpec spec, Consistency consistency) {
    ScanRequest.Builder request = ScanRequest.newBuilder()
        .setLimit(spec.pageSize())
        .setKeysOnly(spec.isKeysOnly())
        .setContinuation(spec.continuationBytes())
        .setConsistency(consistency(consistency));
    if (!spec.prefixBytes().isEmpty()) {
      request.setPrefix(spec.prefixBytes());
    }
    if (!spec.startBytes().isEmpty()) {
      request.setStartKey(spec.startBytes());
    }
    if (!spec.endBytes().isEmpty()) {
      request.setEndKey(spec.endBytes());
    }
    return request.build();
  }

  static KeyValue keyValue(io.orchiddb.api.v1.KeyValue kv) {
    return new KeyValue(
        kv.getKey(), kv.getValue(), kv.getVersion(), kv.getCreateVersion(), kv.getModifyTimeMs());
  }

  static GetResult getResult(GetResponse response) {
    Optional<KeyValue> kv = response.getFound() ? Optional.of(keyValue(response.getKv())) : Optional.empty();
    return new GetResult(
        kv, new ReadInfo(response.getRead().getServedBy(), response.getRead().getAppliedIndex(),
        response.getRead().getCached()));
  }

  /** The results of a get-many; a response with another count of results is the router's fault. */
  static List<GetResult> getResults(GetManyResponse response, int keyCount) {
    if (response.getResultsCount() != keyCount) {
      throw new OrchidException("the router answered " + response.getResultsCount() + " results to a get of "
          + keyCount + " keys", "", Map.of(), null);
    }
    List<GetResult> results = new ArrayList<>(keyCount);
    response.getResultsList().forEach(r -> results.add(getResult(r)));
    return List.copyOf(results);
  }

  static PutResult putResult(PutResponse response) {
    return new PutResult(response.getVersion(), response.getPreviousVersion());
  }

  static DeleteResult deleteResult(DeleteResponse response) {
    return new DeleteResult(response.getDeleted(), response.getPreviousVersion(), response.getIndex());
  }

  /**
   * @throws OutcomeUnknownException if the response does not match the request: the batch was
   *     (at least partly) handled, but we cannot tell which operations were applied
   */
  static List<BatchResult> batchResults(BatchResponse response, int opCount) {
    if (response.getResultsCount() != opCount) {
      throw outcomeUnknown("the router returned " + response.getResultsCount()
          + " results for a batch of " + opCount + " operations");
    }
    List<BatchResult> results = new ArrayList<>(opCount);
    for (OpResult result : response.getResultsList()) {
      BatchResult.Outcome outcome = switch (result.getOutcome()) {
        case APPLIED -> BatchResult.Outcome.APPLIED;
        case CONDITION_FAILED -> BatchResult.Outcome.CONDITION_FAILED;
        case ABORTED -> BatchResult.Outcome.ABORTED;
        case UNKNOWN -> BatchResult.Outcome.UNKNOWN;
        case OUTCOME_UNSPECIFIED, UNRECOGNIZED -> throw outcomeUnknown(
            "the router returned outcome " + result.getOutcomeValue() + ", which this client does not know");
      };
      results.add(new BatchResult(outcome, result.getVersion(), result.getPreviousVersion()));
    }
    return List.copyOf(results);
  }

  static ScanPage scanPage(ScanResponse response) {
    List<KeyValue> kvs = new ArrayList<>(response.getKvsCount());
    for (io.orchiddb.api.v1.KeyValue kv : response.getKvsList()) {
      kvs.add(keyValue(kv));
    }
    return new ScanPage(kvs, response.getContinuation());
  }

  static ClusterStatus clusterStatus(StatusResponse response) {
    List<ClusterStatus.Node> nodes = new ArrayList<>(response.getNodesCount());
    for (NodeStatus node : response.getNodesList()) {
      nodes.add(new ClusterStatus.Node(node.getId(), node.getAddress(), node.getReachable()));
    }
    List<ClusterStatus.Shard> shards = new ArrayList<>(response.getShardsCount());
    for (ShardStatus shard : response.getShardsList()) {
      Map<String, Long> applied = new LinkedHashMap<>();
      for (ReplicaIndex replica : shard.getReplicaAppliedList()) {
        applied.put(replica.getNode(), replica.getAppliedIndex());
      }
      shards.add(new ClusterStatus.Shard(
          shard.getId(),
          shard.getHashStart(),
          shard.getHashEnd(),
          shard.getReplicasList(),
          shard.getLeader().isEmpty() ? Optional.empty() : Optional.of(shard.getLeader()),
          shard.getEpoch(),
          shard.getCommitIndex(),
          applied,
          shard.getGroupId()));
    }
    return new ClusterStatus(response.getMapEpoch(), nodes, shards);
  }

  /** For messages: UTF-8 when it is printable ASCII, hex otherwise; long keys are cut. */
  static String printable(ByteString bytes) {
    ByteString shown = bytes.size() > PRINTABLE_BYTES_MAX ? bytes.substring(0, PRINTABLE_BYTES_MAX) : bytes;
    boolean ascii = true;
    for (int i = 0; i < shown.size() && ascii; i++) {
      int b = shown.byteAt(i) & 0xff;
      ascii = b >= 0x20 && b < 0x7f;
    }
    StringBuilder text = new StringBuilder();
    if (ascii) {
      text.append('"').append(shown.toStringUtf8()).append('"');
    } else {
      text.append("0x");
      for (int i = 0; i < shown.size(); i++) {
        text.append(String.format("%02x", shown.byteAt(i) & 0xff));
      }
    }
    if (shown.size() < bytes.size()) {
      text.append("…(").append(bytes.size()).append(" bytes)");
    }
    return text.toString();
  }

  private static OutcomeUnknownException outcomeUnknown(String message) {
    return new OutcomeUnknownException(message, "", Map.of(), null);
  }
}
