package com.zenlogic.customerservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.metrics.Metrics;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM's ordered stop: the API servers stop accepting and drain their in-flight calls while the
 * engines and pools those calls need are still up; only then do consumers, engines and pools close.
 */
class ShutdownTest {

  @Test
  void anInFlightCallCompletesDuringShutdownWhileNewConnectionsAreRefused() throws Exception {
    TestDatabase db = TestDatabase.create("shutdown");
    int httpPort = TestApp.freePort();
    int grpcPort = TestApp.freePort();
    AppConfig config = AppConfig.from(new JsonObject().put("HTTP_PORT", httpPort).put("GRPC_PORT", grpcPort)
        .put("HTTP_INSTANCES", 1).put("GRPC_INSTANCES", 1).put("DB_URL", db.url()).put("DB_APP_USER", "customer_app_test")
        .put("DB_APP_PASSWORD", "customer_app_test").put("JWT_HS256_SECRET", TestApp.SECRET).put("SHUTDOWN_GRACE_SECONDS", 15));
    Vertx vertx = Vertx.builder().with(Metrics.vertxOptions()).build();
    try {
      CustomerServiceApp.Running running = CustomerServiceApp.start(vertx, config, false).await(120, TimeUnit.SECONDS);
      UUID org = UUID.randomUUID();
      String token = Auth.devToken(vertx, config.jwt(), new JsonObject().put("user_id", "t").put("organization_id", org.toString())
          .put("permissions", new JsonArray().add("customers:write").add("loyalty:write").add("loyalty:read")), 5);
      Http http = new Http(httpPort).as(token);
      String customer = http.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
          .put("last_name", "Paz")).json().getString("id");
      String earn = "/api/v1/customers/" + customer + "/loyalty/earn";
      assertEquals(200, http.post(earn, new JsonObject().put("transaction_id", "t-0").put("amount", "10.00")).status);

      CompletableFuture<Object[]> inFlight;
      Future<Void> stopping;
      // A slow call: the earn waits on the account row another transaction holds.
      try (Connection lock = db.connectAs(db.owner().user(), db.owner().password())) {
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
          st.execute("SELECT 1 FROM loyalty_accounts WHERE customer_id = '" + customer + "' FOR UPDATE");
        }
        // HTTP/1.1: the JDK 17 client fails in-flight HTTP/2 streams on any GOAWAY, even one that lets them finish.
        inFlight = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
            .sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + earn))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("transaction_id", "t-1")
                    .put("amount", "25.00").encode())).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
            .thenApply(r -> new Object[] {r.statusCode(), r.body()});
        Thread.sleep(700);
        assertFalse(inFlight.isDone(), "the call is in flight");
        stopping = running.stop();
        Thread.sleep(1000);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", httpPort).close(), "new HTTP connections refused");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", grpcPort).close(), "new gRPC connections refused");
        assertFalse(stopping.isComplete(), "shutdown waits for the in-flight call");
        lock.rollback();
      }
      Object[] reply = inFlight.get(20, TimeUnit.SECONDS);
      assertEquals(200, reply[0], "the in-flight call completed with success: " + reply[1]);
      assertEquals(25, new JsonObject((String) reply[1]).getLong("points_earned"));
      stopping.await(30, TimeUnit.SECONDS);
      assertEquals(35, db.count(org, "SELECT balance FROM loyalty_accounts WHERE customer_id = '" + customer + "'"));
      assertTrue(stopping.succeeded());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      db.close();
    }
  }
}
