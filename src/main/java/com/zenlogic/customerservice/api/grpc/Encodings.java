package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcService;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;

/**
 * Which message encodings a call may use, decided from its headers before the gRPC server sees it.
 *
 * <ul>
 *   <li>customer.v1.CustomerService: identity and gzip; gzip is inflated by RequestMessages within
 *       GRPC_MAX_MESSAGE_BYTES.</li>
 *   <li>health and reflection: identity only, since the Vert.x server would inflate gzip for them
 *       without a bound.</li>
 *   <li>anything else: UNIMPLEMENTED with grpc-accept-encoding, as the gRPC spec says.</li>
 * </ul>
 * A call that declares no encoding (or identity) gets a marker one, so a message with the compressed
 * flag set is refused as such: without a declared encoding the Vert.x deframer throws on it and
 * leaves the call hanging; with identity it would be parsed as if it were not compressed.
 */
final class Encodings {
  private static final String SERVICE_PATH = "/" + CustomerServiceGrpcService.SERVICE_NAME.fullyQualifiedName() + "/";

  private Encodings() {}

  /** True when the gRPC server may handle the request; otherwise it has been answered here. */
  static boolean admit(HttpServerRequest request) {
    boolean ours = request.path().startsWith(SERVICE_PATH);
    String encoding = request.getHeader("grpc-encoding");
    if (encoding == null || encoding.equals("identity")) {
      request.headers().set("grpc-encoding", ours ? RequestMessages.UNDECLARED : "identity");
      return true;
    }
    if (ours && encoding.equals("gzip")) {
      return true;
    }
    request.response()
        .putHeader("content-type", "application/grpc")
        .putHeader("grpc-status", Integer.toString(GrpcStatus.UNIMPLEMENTED.code))
        .putHeader("grpc-message", "grpc-encoding not supported")
        .putHeader("grpc-accept-encoding", ours ? "identity,gzip" : "identity")
        .end();
    return false;
  }
}
