package com.zenlogic.customerservice.webhooks;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** No delivery is lost to a restart: what was recorded while no dispatcher ran goes out, in order, once one runs again. */
class WebhooksRestartTest {
  @Test
  void eventsRecordedWhileTheDispatcherIsDownAreDeliveredAfterTheRestart() throws Exception {
    UUID org = UUID.randomUUID();
    Vertx receivers = Vertx.vertx();
    List<JsonObject> accepted = new ArrayList<>();
    HttpServer server = receivers.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      synchronized (accepted) {
        accepted.add(body.toJsonObject());
      }
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    TestDatabase database = TestDatabase.create("webhooks_restart");
    TestApp first = TestApp.startOn(database, "webhooks_restart", WebhooksTest.CONFIG);
    try {
      Http admin = new Http(first.config.httpPort()).as(first.token(org, "webhooks:admin"));
      Http writer = new Http(first.config.httpPort()).as(first.token(org, "customers:write"));
      Http.Reply sub = admin.post("/api/v1/webhooks", new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/hooks")
          .put("event_types", new JsonArray().add("customer.created").add("customer.updated")));
      assertEquals(201, sub.status, sub.toString());
      Http.Reply ana = writer.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
          .put("last_name", "Rojas"));
      UUID customer = UUID.fromString(ana.json().getString("id"));
      waitFor(() -> size(accepted) == 1, "delivered while up");
      first.vertx.close().await(30, TimeUnit.SECONDS);

      // The service is down: events are recorded by the same outbox hook the capabilities use.
      Vertx helper = Vertx.vertx();
      Db db = Db.create(helper, DbUrl.parse("DB_URL", first.config.dbUrl()).as(first.config.dbAppUser(), first.config.dbAppPassword()), 2);
      Caller caller = new Caller(org, "tester", null, Set.of(), "restart-test");
      for (int i = 0; i < 3; i++) {
        int n = i;
        db.withTenant(org, conn -> Outbox.record(conn, caller, "customer.updated", customer, new JsonObject().put("n", n)))
            .await(10, TimeUnit.SECONDS);
      }
      db.close().await(10, TimeUnit.SECONDS);
      helper.close().await(10, TimeUnit.SECONDS);
      assertEquals(3, database.count(org, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"));
      Thread.sleep(300);
      assertEquals(1, size(accepted));

      TestApp second = TestApp.startOn(database, "webhooks_restart", WebhooksTest.CONFIG);
      try {
        waitFor(() -> size(accepted) == 4, "the three recorded while down");
        List<Integer> ns;
        synchronized (accepted) {
          ns = accepted.subList(1, 4).stream().map(x -> x.getJsonObject("data").getInteger("n")).toList();
        }
        assertEquals(List.of(0, 1, 2), ns, "in the order recorded");
        assertEquals(0, database.count(org, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'"));
      } finally {
        second.vertx.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      database.close();
      receivers.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static int size(List<JsonObject> list) {
    synchronized (list) {
      return list.size();
    }
  }
}
