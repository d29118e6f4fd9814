package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GRPC_TRUST_NETWORK=true (in-process cache): internal callers may pass organization_id alone, as the seed POS does. */
class TrustedNetworkGrpcTest {
  static TestApp app;
  static GrpcTestClient grpc;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("trusted", Map.of("GRPC_TRUST_NETWORK", "true"));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @Test
  void aCallWithoutTokenIsTrustedForTheOrganizationItNames() {
    UUID org = UUID.randomUUID();
    String id = new Http(app.config.httpPort()).as(app.token(org, "customers:write")).post("/api/v1/customers",
        new JsonObject().put("customer_type", "person").put("first_name", "Ana").put("last_name", "Rojas")).json().getString("id");
    GetCustomerRequest.Builder request = GetCustomerRequest.newBuilder().setCustomerId(id);
    assertTrue(grpc.call(CustomerServiceGrpcClient.GetCustomer, request.setOrganizationId(org.toString()).build(), null).ok());
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.GetCustomer,
        request.setOrganizationId(UUID.randomUUID().toString()).build(), null).status(), "other organizations see nothing");
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.call(CustomerServiceGrpcClient.GetCustomer,
        request.setOrganizationId("").build(), null).status(), "without token and organization");
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.call(CustomerServiceGrpcClient.GetCustomer,
        request.setOrganizationId("org_001").build(), null).status());
    assertEquals(GrpcStatus.UNAUTHENTICATED, grpc.call(CustomerServiceGrpcClient.GetCustomer,
        request.setOrganizationId(org.toString()).build(), "forged").status(), "a bad token is never ignored");
  }

  @Test
  void standardHealthAndReflectionAnswer() throws Exception {
    GrpcClient client = GrpcClient.client(app.vertx);
    try {
      // grpc.health.v1.Health/Check {service: "customer.v1.CustomerService"} -> {status: SERVING (1)}
      byte[] name = "customer.v1.CustomerService".getBytes();
      Buffer request = Buffer.buffer().appendByte((byte) 0x0A).appendByte((byte) name.length).appendBytes(name);
      Buffer reply = client.request(SocketAddress.inetSocketAddress(app.config.grpcPort(), "127.0.0.1")).compose(req -> {
        req.fullMethodName("grpc.health.v1.Health/Check");
        return req.end(request).compose(v -> req.response()).compose(resp -> resp.last());
      }).await(10, TimeUnit.SECONDS);
      assertEquals(Buffer.buffer(new byte[] {0x08, 0x01}), reply);
      // grpc.reflection.v1.ServerReflection/ServerReflectionInfo {list_services: ""} lists our service.
      Buffer list = Buffer.buffer(new byte[] {0x3A, 0x00});
      Buffer services = client.request(SocketAddress.inetSocketAddress(app.config.grpcPort(), "127.0.0.1")).compose(req -> {
        req.fullMethodName("grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
        return req.end(list).compose(v -> req.response()).compose(resp -> resp.last());
      }).await(10, TimeUnit.SECONDS);
      assertTrue(services.toString().contains("customer.v1.CustomerService"), services.toString());
    } finally {
      client.close();
    }
  }
}
