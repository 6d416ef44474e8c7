package io.orchiddb.router.shard;

import io.orchiddb.api.v1.Condition;
import io.orchiddb.api.v1.Op;
import io.orchiddb.proto.raft.DeleteOp;
import io.orchiddb.proto.raft.KeyAbsent;
import io.orchiddb.proto.raft.PutOp;
import io.orchiddb.proto.raft.WriteOp;

/** Converts public API messages (orchiddb.v1) into the shards' Raft commands. */
final class ApiCodec {
  private ApiCodec() {}

  static io.orchiddb.proto.raft.Condition condition(Condition c) {
    var b = io.orchiddb.proto.raft.Condition.newBuilder();
    switch (c.getKindCase()) {
      case ABSENT -> b.setAbsent(KeyAbsent.getDefaultInstance());
      case VERSION_EQUALS -> b.setVersionEquals(c.getVersionEquals());
      case VALUE_EQUALS -> b.setValueEquals(c.getValueEquals());
      case KIND_NOT_SET -> { }
    }
    return b.build();
  }

  static WriteOp op(Op op) {
    return switch (op.getKindCase()) {
      case PUT -> WriteOp.newBuilder().setPut(PutOp.newBuilder().setKey(op.getPut().getKey())
          .setValue(op.getPut().getValue()).setCondition(condition(op.getPut().getCondition()))).build();
      case DELETE -> WriteOp.newBuilder().setDelete(DeleteOp.newBuilder().setKey(op.getDelete().getKey())
          .setCondition(condition(op.getDelete().getCondition()))).build();
      case KIND_NOT_SET -> throw RouterException.badRequest("ops", "an operation must be a put or a delete");
    };
  }
}
