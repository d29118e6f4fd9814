package com.zenlogic.customerservice.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;

/** A real gRPC client for tests: one unary call with optional bearer token, answered as status + message. */
public final class GrpcTestClient implements AutoCloseable {
  private final GrpcClient client;
  private final SocketAddress address;

  public GrpcTestClient(Vertx vertx, int port) {
    this.client = GrpcClient.client(vertx);
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  public record Reply<T>(GrpcStatus status, String message, T body) {
    public boolean ok() {
      return status == GrpcStatus.OK;
    }

    @Override
    public String toString() {
      return status + " " + message + " " + body;
    }
  }

  public <Req, Resp> Reply<Resp> call(ServiceMethod<Resp, Req> method, Req request, String token) {
    try {
      return callAsync(method, request, token).await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(method.methodName() + " timed out", e);
    }
  }

  public <Req, Resp> Future<Reply<Resp>> callAsync(ServiceMethod<Resp, Req> method, Req request, String token) {
    return client.request(address, method).compose(req -> {
      if (token != null) {
        req.headers().set("authorization", "Bearer " + token);
      }
      req.timeout(20, TimeUnit.SECONDS);
      return req.end(request).compose(v -> req.response()).compose(resp -> collect(resp));
    });
  }

  private static <Req, Resp> Future<Reply<Resp>> collect(GrpcClientResponse<Req, Resp> resp) {
    return resp.last()
        .map(body -> new Reply<>(resp.status(), resp.statusMessage(), body))
        .recover(e -> Future.succeededFuture(new Reply<>(resp.status() == null ? GrpcStatus.UNKNOWN : resp.status(),
            resp.statusMessage(), null)));
  }

  @Override
  public void close() {
    client.close();
  }
}
