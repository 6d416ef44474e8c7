package io.orchiddb.router.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.orchiddb.router.shard.RouterException;

/** Maps {@link RouterException} to the gRPC status of the public API's error model (kv.proto). */
final class GrpcErrors {
  private GrpcErrors() {}

  static StatusRuntimeException toStatus(RouterException e) {
    return StatusProto.toStatusRuntimeException(e.toStatusProto());
  }
}
