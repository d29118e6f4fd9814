package com.zenlogic.customerservice.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.Jwts;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Local verification with the Auth Service's JWKS (JWT_JWKS_URL), served by a real HTTP fake whose
 * fetches are counted: the key is chosen by kid and pinned to its algorithm; the Auth Service
 * rotates from k1 (RS256) to k2 (ES256) and k2's tokens pass without a restart; unknown kids make
 * the set be fetched again at most once per JWT_JWKS_MIN_REFRESH_SECONDS; an unreachable JWKS is
 * 503, not 401.
 */
class JwksRotationTest {
  static final long MIN_REFRESH_MILLIS = 2_000;
  static final UUID ORG = UUID.randomUUID();
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static Vertx fakes;
  static HttpServer jwksServer;
  static int jwksPort;
  static volatile JsonArray published;
  static final AtomicInteger fetches = new AtomicInteger();
  static KeyPair k1;
  static KeyPair k2;
  static TestApp app;
  static long bootFetchDoneMillis;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    k1 = rsa.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    k2 = ec.generateKeyPair();
    published = new JsonArray().add(rsaJwk("k1", (RSAPublicKey) k1.getPublic()));
    fakes = Vertx.vertx();
    jwksPort = TestApp.freePort();
    serveJwks();
    Map<String, Object> jwks = new HashMap<>();
    jwks.put("JWT_HS256_SECRET", null);
    jwks.put("JWT_JWKS_URL", "http://127.0.0.1:" + jwksPort + "/.well-known/jwks.json");
    jwks.put("JWT_JWKS_MIN_REFRESH_SECONDS", (int) (MIN_REFRESH_MILLIS / 1000));
    app = TestApp.start("authjwks", jwks);
    bootFetchDoneMillis = System.currentTimeMillis();
  }

  static void serveJwks() throws Exception {
    jwksServer = fakes.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().putHeader("content-type", "application/json").end(new JsonObject().put("keys", published).encode());
    });
    jwksServer.listen(jwksPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    fakes.close().await(10, TimeUnit.SECONDS);
  }

  static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  /** An unsigned big-endian integer, as JWK wants it (no sign byte), padded to {@code length} bytes if > 0. */
  static String unsigned(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    if (raw.length > 1 && raw[0] == 0) {
      raw = Arrays.copyOfRange(raw, 1, raw.length);
    }
    if (length > raw.length) {
      byte[] padded = new byte[length];
      System.arraycopy(raw, 0, padded, length - raw.length, raw.length);
      raw = padded;
    }
    return b64(raw);
  }

  static JsonObject rsaJwk(String kid, RSAPublicKey key) {
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", unsigned(key.getModulus(), 0)).put("e", unsigned(key.getPublicExponent(), 0));
  }

  static JsonObject ecJwk(String kid, ECPublicKey key) {
    // No "alg": pinned from kty EC and crv P-256 to ES256.
    return new JsonObject().put("kty", "EC").put("kid", kid).put("crv", "P-256")
        .put("x", unsigned(key.getW().getAffineX(), 32)).put("y", unsigned(key.getW().getAffineY(), 32));
  }

  static String payload() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", "zenlogic-auth").put("aud", "customer-service").put("iat", now).put("exp", now + 600)
        .put("organization_id", ORG.toString()).put("user_id", "u-" + UUID.randomUUID())
        .put("permissions", new JsonArray().add("customers:read")).encode();
  }

  static String sign(String alg, String kid, PrivateKey key, String javaAlgorithm) {
    String input = Jwts.b64(new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", kid).encode()) + "." + Jwts.b64(payload());
    try {
      Signature s = Signature.getInstance(javaAlgorithm);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(String kid) {
    return sign("RS256", kid, k1.getPrivate(), "SHA256withRSA");
  }

  static String es256(String kid) {
    return sign("ES256", kid, k2.getPrivate(), "SHA256withECDSAinP1363Format");
  }

  static int rest(String token) {
    // An accepted token reaches the route: the customer does not exist, 404.
    return new Http(app.config.httpPort()).as(token).get("/api/v1/customers/" + UUID.randomUUID()).status;
  }

  static void waitForRefreshWindow(long lastFetchMillis) throws InterruptedException {
    Thread.sleep(Math.max(0, lastFetchMillis + MIN_REFRESH_MILLIS + 200 - System.currentTimeMillis()));
  }

  @Test
  void keysRotateWithoutARestartAndUnknownKidsFetchTheSetAtMostOncePerWindow() throws Exception {
    assertEquals(1, fetches.get(), "fetched once at start");
    assertEquals(404, rest(rs256("k1")));
    try (GrpcTestClient grpc = new GrpcTestClient(app.vertx, app.config.grpcPort())) {
      assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.GetCustomer,
          GetCustomerRequest.newBuilder().setCustomerId(UUID.randomUUID().toString()).build(), rs256("k1")).status());
    }
    assertEquals(401, rest(sign("HS256", "k1", k1.getPrivate(), "SHA256withRSA")), "k1 is RS256 only");
    assertEquals(1, fetches.get(), "known kid: no fetch");

    // The Auth Service rotates to k2; its first token is verified after one fetch, no restart.
    published = new JsonArray().add(ecJwk("k2", (ECPublicKey) k2.getPublic()));
    waitForRefreshWindow(bootFetchDoneMillis);
    assertEquals(404, rest(es256("k2")));
    long rotatedAt = System.currentTimeMillis();
    assertEquals(2, fetches.get());
    assertEquals(404, rest(es256("k2")), "k2 known now");
    assertEquals(401, rest(sign("RS256", "k2", k1.getPrivate(), "SHA256withRSA")), "k2 is ES256 only");
    assertEquals(401, rest(rs256("k1")), "k1 was withdrawn");

    // Made-up kids within the window: refused without asking the Auth Service again.
    for (int i = 0; i < 10; i++) {
      assertEquals(401, rest(es256("k9-" + i)));
    }
    assertEquals(2, fetches.get(), "rate-limited: no fetch within " + MIN_REFRESH_MILLIS + " ms of the last");
    waitForRefreshWindow(rotatedAt);
    assertEquals(401, rest(es256("k9")));
    assertEquals(3, fetches.get(), "one fetch once the window has passed");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, rest(es256("k9")));
    }
    assertEquals(3, fetches.get());
    long lastFetch = System.currentTimeMillis();

    // The JWKS unreachable when a new kid needs it: the Auth Service's failure, 503; known keys still work.
    jwksServer.close().await(10, TimeUnit.SECONDS);
    waitForRefreshWindow(lastFetch);
    Http.Reply unknown = new Http(app.config.httpPort()).as(es256("k3")).get("/api/v1/customers/" + UUID.randomUUID());
    assertEquals(503, unknown.status, unknown.toString());
    assertEquals("AUTH_SERVICE_UNAVAILABLE", unknown.error().getString("code"));
    assertEquals(404, rest(es256("k2")), "a known key needs no fetch");
    published = new JsonArray().add(ecJwk("k2", (ECPublicKey) k2.getPublic())).add(rsaJwk("k3", (RSAPublicKey) k1.getPublic()));
    serveJwks();
    waitForRefreshWindow(System.currentTimeMillis());
    assertEquals(404, rest(rs256("k3")), "back: the new kid is fetched and verified");
  }
}
