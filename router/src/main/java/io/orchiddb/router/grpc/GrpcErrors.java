package io.orchiddb.router.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.orchiddb.router.shard.RouterException;

/**
 * Maps {@link RouterException} to a gRPC status with a {@code google.rpc.ErrorInfo} detail
 * (domain {@value #DOMAIN}, reason = {@link RouterException.Reason} name, metadata as is).
 */
final class GrpcErrors {
  static final String DOMAIN = "orchiddb.io";

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(RouterException e) {
    Status.Code code = switch (e.reason()) {
      case LIMIT_EXCEEDED, BAD_REQUEST -> Status.Code.INVALID_ARGUMENT;
      case CONDITION_FAILED -> Status.Code.FAILED_PRECONDITION;
      case NO_QUORUM -> Status.Code.UNAVAILABLE;
      case OUTCOME_UNKNOWN, DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
    ErrorInfo info = ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(e.reason().name())
        .putAllMetadata(e.metadata()).build();
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(code.value())
        .setMessage(e.getMessage()).addDetails(Any.pack(info)).build();
    return StatusProto.toStatusRuntimeException(status);
  }
}
