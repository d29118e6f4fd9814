package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomerApiSmokeTest {
  static TestApp app;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("smoke");
    http = new Http(app.config.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  void createsAndReadsACustomer() {
    UUID org = UUID.randomUUID();
    Http admin = http.as(app.token(org, "customers:read", "customers:write"));
    Http.Reply created = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person")
        .put("first_name", "Ana").put("last_name", "Rojas").put("phone", "+56 9 4123 4567"));
    System.out.println(created);
    assertEquals(201, created.status, created.toString());
    Http.Reply read = admin.get("/api/v1/customers/" + created.json().getString("id"));
    System.out.println(read);
    assertEquals(200, read.status);
    System.out.println(admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", 5)));
    System.out.println(admin.get("/api/v1/customers/search?limit=500"));
    System.out.println(admin.get("/api/v1/customers/nope"));
    System.out.println(http.get("/api/v1/customers/nope"));
    System.out.println(http.get("/health/ready"));
    System.out.println(http.get("/nothing"));
  }
}
