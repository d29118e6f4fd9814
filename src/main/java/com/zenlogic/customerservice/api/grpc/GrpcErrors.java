package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.errors.Unavailable;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one translation from failures to gRPC status. The Vert.x gRPC server would send anything it
 * does not recognise as UNKNOWN, so every failure passes through here first.
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusException toStatus(Throwable failure, String method) {
    if (failure instanceof StatusException s) {
      return s;
    }
    if (failure instanceof DomainException e) {
      String message = e.field() != null && !e.getMessage().startsWith(e.field()) ? e.field() + ": " + e.getMessage() : e.getMessage();
      return new StatusException(status(e.code().grpcCode()), message);
    }
    if (Unavailable.isDependencyFailure(failure)) {
      LOG.warn("{}: dependency unavailable: {}", method, failure.toString());
      return new StatusException(GrpcStatus.UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE.format());
    }
    LOG.error("{}: unhandled failure", method, failure);
    return new StatusException(GrpcStatus.INTERNAL, ErrorCode.INTERNAL.format());
  }

  static GrpcStatus status(ErrorCode.GrpcCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> GrpcStatus.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> GrpcStatus.UNAUTHENTICATED;
      case PERMISSION_DENIED -> GrpcStatus.PERMISSION_DENIED;
      case NOT_FOUND -> GrpcStatus.NOT_FOUND;
      case ALREADY_EXISTS -> GrpcStatus.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> GrpcStatus.FAILED_PRECONDITION;
      case ABORTED -> GrpcStatus.ABORTED;
      case UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
      case UNIMPLEMENTED -> GrpcStatus.UNIMPLEMENTED;
      case INTERNAL -> GrpcStatus.INTERNAL;
      case RESOURCE_EXHAUSTED -> GrpcStatus.RESOURCE_EXHAUSTED;
    };
  }
}
