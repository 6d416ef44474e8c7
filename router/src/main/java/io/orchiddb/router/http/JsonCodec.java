package io.orchiddb.router.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.orchiddb.api.v1.Absent;
import io.orchiddb.api.v1.BatchRequest;
import io.orchiddb.api.v1.BatchResponse;
import io.orchiddb.api.v1.Condition;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.DeleteOp;
import io.orchiddb.api.v1.DeleteResponse;
import io.orchiddb.api.v1.GetManyRequest;
import io.orchiddb.api.v1.GetManyResponse;
import io.orchiddb.api.v1.GetResponse;
import io.orchiddb.api.v1.KeyValue;
import io.orchiddb.api.v1.NodeStatus;
import io.orchiddb.api.v1.Op;
import io.orchiddb.api.v1.OpResult;
import io.orchiddb.api.v1.PutOp;
import io.orchiddb.api.v1.PutManyRequest;
import io.orchiddb.api.v1.PutManyResponse;
import io.orchiddb.api.v1.PutManyResult;
import io.orchiddb.api.v1.PutRequest;
import io.orchiddb.api.v1.PutResponse;
import io.orchiddb.api.v1.ReplicaIndex;
import io.orchiddb.api.v1.ScanResponse;
import io.orchiddb.api.v1.SessionToken;
import io.orchiddb.api.v1.ShardStatus;
import io.orchiddb.api.v1.StatusResponse;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Converts between the public API messages (orchiddb.v1) and the gateway's JSON. Field names are
 * the proto's snake_case names; keys and values are text in the request's {@link Encoding};
 * versions and indexes are JSON numbers; opaque tokens (session, continuation) are URL-safe base64.
 */
final class JsonCodec {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Set<String> OP_FIELDS =
      Set.of("op", "key", "value", Params.IF_ABSENT, Params.IF_VERSION, Params.IF_VALUE);
  private static final Set<String> PUT_FIELDS =
      Set.of("key", "value", Params.IF_ABSENT, Params.IF_VERSION, Params.IF_VALUE);

  private JsonCodec() {}

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  // ---- responses --------------------------------------------------------------------------------

  static ObjectNode keyValue(KeyValue kv, boolean withValue, Encoding enc) {
    ObjectNode o = object().put("key", enc.encode("key", kv.getKey()));
    if (withValue) {
      o.put("value", enc.encode("value", kv.getValue()));
    }
    return o.put("version", kv.getVersion()).put("create_version", kv.getCreateVersion())
        .put("modify_time_ms", kv.getModifyTimeMs());
  }

  static ObjectNode get(GetResponse r, Encoding enc) {
    return keyValue(r.getKv(), true, enc).put("served_by", r.getRead().getServedBy())
        .put("applied_index", r.getRead().getAppliedIndex()).put("cached", r.getRead().getCached())
        .put("session", session(r.getSession()));
  }

  // Write responses carry no key or value: nothing may fail to encode after a write was applied.
  /** A get-many's results: each key as {@link #get} writes it plus "found", absent keys as just that. */
  static ObjectNode getMany(GetManyResponse r, Encoding enc) {
    ObjectNode root = object();
    ArrayNode results = root.putArray("results");
    for (GetResponse g : r.getResultsList()) {
      ObjectNode one = g.getFound() ? keyValue(g.getKv(), true, enc) : object();
      results.add(one.put("found", g.getFound()).put("served_by", g.getRead().getServedBy())
          .put("applied_index", g.getRead().getAppliedIndex()).put("cached", g.getRead().getCached()));
    }
    return root.put("session", session(r.getSession()));
  }

  static ObjectNode put(PutResponse r) {
    return putFields(r).put("session", session(r.getSession()));
  }

  /** A put's outcome without its session token: what {@link #put} and {@link #putMany} both write. */
  private static ObjectNode putFields(PutResponse r) {
    return object().put("version", r.getVersion())
        .put("previous_version", r.getPreviousVersion()).put("created", r.getPreviousVersion() == 0);
  }

  /**
   * A put-many's results, one per put in order: an applied put as {@link #put} writes it (without
   * "session"), a failed one as {@code {"error":{..}}}, the same object an error response carries.
   */
  static ObjectNode putMany(PutManyResponse r) {
    ObjectNode root = object();
    ArrayNode results = root.putArray("results");
    for (PutManyResult one : r.getResultsList()) {
      results.add(one.hasPut() ? putFields(one.getPut()) : error(one.getError()));
    }
    return root.put("session", session(r.getSession()));
  }

  /** An API error status as {@link #error(String, String, Map)} writes a router failure. */
  private static ObjectNode error(com.google.rpc.Status status) {
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          return error(info.getReason(), status.getMessage(), info.getMetadataMap());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          break; // the router wrote it; if it cannot be read, the status code is what is left
        }
      }
    }
    Code code = Code.forNumber(status.getCode());
    return error(code == null ? "INTERNAL" : code.name(), status.getMessage(), Map.of());
  }

  static ObjectNode delete(DeleteResponse r) {
    return object().put("deleted", r.getDeleted())
        .put("previous_version", r.getPreviousVersion()).put("index", r.getIndex())
        .put("session", session(r.getSession()));
  }

  static ObjectNode scan(ScanResponse r, boolean keysOnly, Encoding enc) {
    ObjectNode o = object();
    ArrayNode kvs = o.putArray("kvs");
    for (KeyValue kv : r.getKvsList()) {
      kvs.add(keyValue(kv, !keysOnly, enc));
    }
    if (r.getContinuation().isEmpty()) {
      o.putNull("next");
    } else {
      o.put("next", Encoding.token(r.getContinuation()));
    }
    return o.put("session", session(r.getSession()));
  }

  static ObjectNode batch(BatchResponse r) {
    ObjectNode o = object();
    ArrayNode results = o.putArray("results");
    for (OpResult op : r.getResultsList()) {
      results.addObject().put("outcome", op.getOutcome().name()).put("version", op.getVersion())
          .put("previous_version", op.getPreviousVersion());
    }
    return o.put("session", session(r.getSession()));
  }

  static ObjectNode status(StatusResponse s) {
    ObjectNode o = object().put("map_epoch", s.getMapEpoch());
    ArrayNode nodes = o.putArray("nodes");
    for (NodeStatus n : s.getNodesList()) {
      nodes.addObject().put("id", n.getId()).put("address", n.getAddress()).put("reachable", n.getReachable());
    }
    ArrayNode shards = o.putArray("shards");
    for (ShardStatus sh : s.getShardsList()) {
      // Hash bounds use all 64 bits: unsigned decimal strings, beyond what JSON numbers hold exactly.
      ObjectNode j = shards.addObject().put("id", sh.getId())
          .put("hash_start", Long.toUnsignedString(sh.getHashStart()))
          .put("hash_end", Long.toUnsignedString(sh.getHashEnd()))
          .put("leader", sh.getLeader()).put("epoch", sh.getEpoch()).put("commit_index", sh.getCommitIndex())
          .put("group_id", sh.getGroupId());
      sh.getReplicasList().forEach(j.putArray("replicas")::add);
      ArrayNode applied = j.putArray("replica_applied");
      for (ReplicaIndex ri : sh.getReplicaAppliedList()) {
        applied.addObject().put("node", ri.getNode()).put("applied_index", ri.getAppliedIndex());
      }
    }
    return o;
  }

  static String session(SessionToken token) {
    return Encoding.token(token.toByteString());
  }

  /** {@code {"error":{"code":..,"message":..,<metadata>}}}; whole-number metadata become numbers. */
  static ObjectNode error(String code, String message, Map<String, String> metadata) {
    ObjectNode root = object();
    ObjectNode e = root.putObject("error").put("code", code).put("message", message);
    metadata.forEach((k, v) -> {
      if (v.matches("[0-9]{1,18}")) {
        e.put(k, Long.parseLong(v));
      } else {
        e.put(k, v);
      }
    });
    return root;
  }

  // ---- requests ---------------------------------------------------------------------------------

  /**
   * A batch body: {@code {"ops":[{"op":"put","key":..,"value":..,"if_version":N},{"op":"delete",
   * "key":..}]}}. Shape errors are refused naming the field ({@code ops[2].if_version}); limits
   * (op count, sizes) are left to the router.
   */
  static BatchRequest batchRequest(byte[] body, Encoding enc, SessionToken session) {
    JsonNode ops = arrayBody(body, "ops", "a batch", "operations");
    BatchRequest.Builder b = BatchRequest.newBuilder().setSession(session);
    for (int i = 0; i < ops.size(); i++) {
      b.addOps(op(ops.get(i), "ops[" + i + "]", enc));
    }
    return b.build();
  }

  /** The body of {@code POST /v1/getmany}: {@code {"keys":["a","b"]}}, keys in the request's encoding. */
  static GetManyRequest getManyRequest(byte[] body, Encoding enc, Consistency consistency, SessionToken session) {
    JsonNode keys = arrayBody(body, "keys", "a get-many", "keys");
    GetManyRequest.Builder b = GetManyRequest.newBuilder().setConsistency(consistency).setSession(session);
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = keys.get(i);
      if (!key.isTextual()) {
        throw HttpErrors.badRequest("keys[" + i + "]", "expected a string");
      }
      b.addKeys(enc.decode("keys[" + i + "]", key.asText()));
    }
    return b.build();
  }

  /**
   * The body of {@code POST /v1/putmany}: {@code {"puts":[{"key":..,"value":..,"if_version":N},..]}},
   * each put as a batch's put without "op". Shape errors name the field ({@code puts[2].value}).
   */
  static PutManyRequest putManyRequest(byte[] body, Encoding enc, SessionToken session) {
    JsonNode puts = arrayBody(body, "puts", "a put-many", "puts");
    PutManyRequest.Builder b = PutManyRequest.newBuilder().setSession(session);
    for (int i = 0; i < puts.size(); i++) {
      String where = "puts[" + i + "]";
      JsonNode node = fields(puts.get(i), where, PUT_FIELDS, "a put");
      b.addPuts(PutRequest.newBuilder().setKey(enc.decode(where + ".key", text(node, where, "key")))
          .setValue(enc.decode(where + ".value", text(node, where, "value"))).setCondition(condition(node, where, enc)));
    }
    return b.build();
  }

  /** A body that is a JSON object with one field, an array ({@code {"ops":[...]}}); returns the array. */
  private static JsonNode arrayBody(byte[] body, String field, String request, String items) {
    JsonNode root = readObject(body, "{\"" + field + "\":[...]}");
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals(field)) {
        throw HttpErrors.badRequest(name, "unknown field; " + request + " has only \"" + field + "\"");
      }
    }
    JsonNode array = root.path(field);
    if (!array.isArray()) {
      throw HttpErrors.badRequest(field, "expected an array of " + items);
    }
    return array;
  }

  /** {@code node}, which must be an object with no fields but {@code allowed}. */
  private static JsonNode fields(JsonNode node, String where, Set<String> allowed, String what) {
    if (!node.isObject()) {
      throw HttpErrors.badRequest(where, "expected an object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw HttpErrors.badRequest(where + "." + name, "unknown field; " + what + " has " + allowed);
      }
    }
    return node;
  }

  private static Op op(JsonNode node, String where, Encoding enc) {
    fields(node, where, OP_FIELDS, "an operation");
    String kind = text(node, where, "op");
    ByteString key = enc.decode(where + ".key", text(node, where, "key"));
    Condition condition = condition(node, where, enc);
    switch (kind) {
      case "put" -> {
        ByteString value = enc.decode(where + ".value", text(node, where, "value"));
        return Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value).setCondition(condition)).build();
      }
      case "delete" -> {
        if (node.has("value")) {
          throw HttpErrors.badRequest(where + ".value", "a delete takes no value");
        }
        return Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key).setCondition(condition)).build();
      }
      default -> throw HttpErrors.badRequest(where + ".op", "must be \"put\" or \"delete\", got \"" + kind + "\"");
    }
  }

  private static Condition condition(JsonNode node, String where, Encoding enc) {
    int given = 0;
    Condition.Builder c = Condition.newBuilder();
    if (node.has(Params.IF_ABSENT)) {
      JsonNode v = node.get(Params.IF_ABSENT);
      if (!v.isBoolean()) {
        throw HttpErrors.badRequest(where + "." + Params.IF_ABSENT, "expected true or false");
      }
      if (v.booleanValue()) {
        c.setAbsent(Absent.getDefaultInstance());
        given++;
      }
    }
    if (node.has(Params.IF_VERSION)) {
      JsonNode v = node.get(Params.IF_VERSION);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw HttpErrors.badRequest(where + "." + Params.IF_VERSION, "expected a version (a whole number >= 0)");
      }
      c.setVersionEquals(v.longValue());
      given++;
    }
    if (node.has(Params.IF_VALUE)) {
      c.setValueEquals(enc.decode(where + "." + Params.IF_VALUE, text(node, where, Params.IF_VALUE)));
      given++;
    }
    if (given > 1) {
      throw HttpErrors.badRequest(where + "." + Params.IF_VERSION, "set at most one of if_absent, if_version and if_value");
    }
    return c.build();
  }

  private static String text(JsonNode node, String where, String name) {
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual()) {
      throw HttpErrors.badRequest(where + "." + name, v == null ? "required" : "expected a string");
    }
    return v.textValue();
  }

  /** A request body that must be one JSON object, shaped like {@code shape}. */
  private static JsonNode readObject(byte[] body, String shape) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : "unreadable";
      throw HttpErrors.badRequest("body", "not valid JSON: " + firstLine(why));
    }
    if (root == null || !root.isObject()) {
      throw HttpErrors.badRequest("body", "expected a JSON object " + shape);
    }
    return root;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
