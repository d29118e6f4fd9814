package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the service exposes and to whom: metrics and readiness detail only to operators (loopback
 * or OPS_TOKEN), no default database password, no zero-config in the image, idle connections
 * closed, one pool size per purpose.
 */
class ExposureTest {
  static final String OPS_TOKEN = "ops-token-for-the-exposure-test";
  static TestApp app;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("exposure", Map.of("OPS_TOKEN", OPS_TOKEN, "IDLE_TIMEOUT_SECONDS", 1));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** An address of this machine that is not loopback: a caller from it is "anyone on the network". */
  static InetAddress networkAddress() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  static HttpResponse<String> get(String host, String path, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + app.config.httpPort() + path));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsAndReadinessDetailAnswerOnlyOperators() throws Exception {
    InetAddress network = networkAddress();
    assertNotNull(network, "this machine needs a non-loopback IPv4 address to play a caller from the network");
    String host = network.getHostAddress();

    HttpResponse<String> metrics = get(host, "/metrics", null);
    assertEquals(403, metrics.statusCode(), metrics.body());
    assertFalse(metrics.body().contains("jvm_"), "no metric leaks in the refusal");
    HttpResponse<String> ready = get(host, "/health/ready", null);
    assertEquals(200, ready.statusCode());
    assertEquals(new JsonObject().put("status", "UP"), new JsonObject(ready.body()), "the public answer is up/down only");
    assertEquals(403, get(host, "/metrics", "wrong-token-wrong-token").statusCode());

    assertEquals(200, get(host, "/metrics", OPS_TOKEN).statusCode());
    assertTrue(get(host, "/metrics", OPS_TOKEN).body().contains("jvm_"));
    JsonObject detail = new JsonObject(get(host, "/health/ready", OPS_TOKEN).body());
    assertEquals(5, detail.getJsonArray("checks").size(), detail.encode());
    assertTrue(detail.getJsonArray("checks").stream().anyMatch(c -> "auth".equals(((JsonObject) c).getString("id"))
        && "local".equals(((JsonObject) c).getJsonObject("data").getString("mode"))), "the auth mode is shown: " + detail.encode());
    assertTrue(detail.getJsonArray("checks").stream().anyMatch(c -> "cluster".equals(((JsonObject) c).getString("id"))),
        "cluster membership is a readiness check: " + detail.encode());
    assertEquals(403, HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + app.config.httpPort()
        + "/ops/outbox/retry-parked")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode());

    // The machine itself (an agent, a sidecar scraper) is trusted unless OPS_TRUST_LOOPBACK=false.
    assertEquals(200, get("127.0.0.1", "/metrics", null).statusCode());
    assertTrue(new JsonObject(get("127.0.0.1", "/health/ready", null).body()).containsKey("checks"));
  }

  @Test
  void anIdleConnectionIsClosedByTheHttpAndGrpcServers() throws Exception {
    for (int port : new int[] {app.config.httpPort(), app.config.grpcPort()}) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        long started = System.currentTimeMillis();
        InputStream in = socket.getInputStream();
        // Nothing is sent: the server closes the connection after IDLE_TIMEOUT_SECONDS (1 s here).
        int read;
        do {
          read = in.read();
        } while (read != -1);
        long waited = System.currentTimeMillis() - started;
        assertTrue(waited < 5_000, "port " + port + " closed the idle connection after " + waited + " ms");
      }
    }
  }

  @Test
  void withDbUrlTheAppPasswordMustBeGivenAndTheImageForbidsZeroConfig() {
    ConfigException noPassword = assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject()
        .put("DB_URL", "postgresql://owner:pw@db.internal:5432/customers")));
    assertTrue(noPassword.getMessage().startsWith("Invalid configuration DB_APP_PASSWORD:"), noPassword.getMessage());
    ConfigException image = assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("ZERO_CONFIG", "false")));
    assertTrue(image.getMessage().startsWith("Invalid configuration DB_URL:"), image.getMessage());
    assertEquals(null, AppConfig.from(new JsonObject()).dbAppPassword(), "zero-config generates one under DATA_DIR, no default");
    assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("OPS_TOKEN", "short")));
  }

  @Test
  void eachPurposeGetsItsOwnPoolOfItsOwnSize() throws Exception {
    DbUrl runtime = DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword());
    Db small = Db.create(app.vertx, runtime, 1, "exposure-small");
    Db large = Db.create(app.vertx, runtime, 3, "exposure-large");
    try {
      List<Future<SqlConnection>> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        held.add(large.pool().getConnection());
      }
      // Three at once from the large pool: the small pool's size did not win for both.
      Future.all(held).await(5, TimeUnit.SECONDS);
      for (Future<SqlConnection> c : held) {
        c.result().close();
      }
    } finally {
      small.close().await(5, TimeUnit.SECONDS);
      large.close().await(5, TimeUnit.SECONDS);
    }
  }
}
