package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.Jwts;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens an attacker or a careless issuer would send, over REST and gRPC, against a service
 * configured with an HS256 secret and one configured with an RS256 public key: every one is
 * 401 / UNAUTHENTICATED, never 500 / INTERNAL; a well-formed token beside them passes (so the
 * refusals are about the token, not the setup).
 */
class JwtAttackTest {
  static final String HS = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  static final String RS = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

  static TestApp hsApp;
  static TestApp rsApp;
  static KeyPair rsKeys;
  static String rsPublicPem;
  static final UUID ORG = UUID.randomUUID();
  static String hsCustomer;
  static String rsCustomer;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsKeys = generator.generateKeyPair();
    rsPublicPem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsKeys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Path pem = Files.createTempFile("jwt-rs256", ".pem");
    Files.writeString(pem, rsPublicPem);
    pem.toFile().deleteOnExit();
    hsApp = TestApp.start("jwths");
    Map<String, Object> rs = new HashMap<>();
    rs.put("JWT_HS256_SECRET", null);
    rs.put("JWT_PUBLIC_KEY_PATH", pem.toString());
    rs.put("JWT_PUBLIC_KEY_ALGORITHM", "RS256");
    rsApp = TestApp.start("jwtrs", rs);
    String admin = hsApp.token(ORG, "customers:read", "customers:write");
    hsCustomer = createCustomer(hsApp, admin);
    rsCustomer = createCustomer(rsApp, Jwts.rs256(rsKeys.getPrivate(), RS, claims(c -> c.put("permissions",
        new JsonArray().add("customers:read").add("customers:write")))));
  }

  @AfterAll
  static void stop() throws Exception {
    hsApp.close();
    rsApp.close();
  }

  static String createCustomer(TestApp app, String token) {
    Http.Reply r = new Http(app.config.httpPort()).as(token).post("/api/v1/customers",
        new JsonObject().put("customer_type", "person").put("first_name", "Ana").put("last_name", "Rojas"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** The claims of a good token, changed by {@code change}. */
  static String claims(Consumer<JsonObject> change) {
    JsonObject c = new JsonObject().put("iss", "zenlogic-auth").put("aud", "customer-service").put("iat", now())
        .put("exp", now() + 600).put("organization_id", ORG.toString()).put("user_id", "u-1")
        .put("permissions", new JsonArray().add("customers:read"));
    change.accept(c);
    return c.encode();
  }

  static String hs(Consumer<JsonObject> change) {
    return Jwts.hs256(TestApp.SECRET, claims(change));
  }

  static String rs(Consumer<JsonObject> change) {
    return Jwts.rs256(rsKeys.getPrivate(), RS, claims(change));
  }

  /** Claim changes a verifier must refuse whatever the key; each is signed with the right key. */
  static Map<String, Consumer<JsonObject>> badClaims() {
    Map<String, Consumer<JsonObject>> m = new LinkedHashMap<>();
    m.put("expired", c -> c.put("exp", now() - 3600));
    m.put("not yet valid", c -> c.put("nbf", now() + 3600));
    m.put("issued in the future", c -> c.put("iat", now() + 3600).put("exp", now() + 4000));
    m.put("missing exp", c -> c.remove("exp"));
    m.put("exp null", c -> c.putNull("exp"));
    m.put("exp string", c -> c.put("exp", String.valueOf(now() + 600)));
    m.put("exp boolean", c -> c.put("exp", true));
    m.put("exp object", c -> c.put("exp", new JsonObject()));
    m.put("exp negative", c -> c.put("exp", -1));
    m.put("exp 1e300", c -> c.put("exp", 1e300));
    m.put("exp beyond the maximum lifetime", c -> c.put("exp", now() + 3 * 86_400));
    m.put("exp far away without iat", c -> { c.remove("iat"); c.put("exp", now() + 400 * 86_400L); });
    m.put("nbf string", c -> c.put("nbf", String.valueOf(now() - 10)));
    m.put("iat string", c -> c.put("iat", String.valueOf(now())));
    m.put("iat array", c -> c.put("iat", new JsonArray().add(1)));
    m.put("aud number", c -> c.put("aud", 1));
    m.put("aud object", c -> c.put("aud", new JsonObject().put("customer-service", true)));
    m.put("aud array of numbers", c -> c.put("aud", new JsonArray().add(1)));
    m.put("aud wrong", c -> c.put("aud", "order-service"));
    m.put("aud missing", c -> c.remove("aud"));
    m.put("iss number", c -> c.put("iss", 7));
    m.put("iss wrong", c -> c.put("iss", "someone-else"));
    m.put("iss missing", c -> c.remove("iss"));
    m.put("organization_id number", c -> c.put("organization_id", 1));
    m.put("organization_id non-canonical", c -> c.put("organization_id", "0-0-4000-8000-1"));
    m.put("organization_id without dashes", c -> c.put("organization_id", ORG.toString().replace("-", "")));
    m.put("organization_id with braces", c -> c.put("organization_id", "{" + ORG + "}"));
    m.put("organization_id empty", c -> c.put("organization_id", ""));
    m.put("organization_id missing", c -> c.remove("organization_id"));
    m.put("organization_id object", c -> c.put("organization_id", new JsonObject().put("id", ORG.toString())));
    m.put("permissions string", c -> c.put("permissions", "customers:read"));
    m.put("permissions object", c -> c.put("permissions", new JsonObject().put("customers:read", true)));
    m.put("permissions array of numbers", c -> c.put("permissions", new JsonArray().add(1)));
    m.put("user_id object", c -> c.put("user_id", new JsonObject()));
    m.put("user_id array", c -> c.put("user_id", new JsonArray().add("u")));
    m.put("user_id with NUL", c -> c.put("user_id", "u\u0000"));
    m.put("sub boolean", c -> c.put("sub", false));
    return m;
  }

  /** Every attack, for the service whose good tokens {@code good} signs. */
  static Map<String, String> attacks(boolean rsService) {
    Map<String, String> m = new LinkedHashMap<>();
    String good = rsService ? rs(c -> {}) : hs(c -> {});
    String[] parts = good.split("\\.");
    m.put("alg none, no signature", Jwts.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Jwts.b64(claims(c -> {})) + ".");
    m.put("alg none, kept signature", Jwts.b64("{\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2]);
    m.put("alg None", Jwts.b64("{\"alg\":\"None\"}") + "." + parts[1] + ".");
    m.put("wrong HS256 key", Jwts.hs256("another-secret-another-secret-another-secret", claims(c -> {})));
    m.put("HS512 with the secret", Jwts.hs256(TestApp.SECRET.getBytes(), "{\"alg\":\"HS512\"}", claims(c -> {})));
    m.put("tampered payload", parts[0] + "." + Jwts.b64(claims(c -> c.put("permissions", new JsonArray().add("customers:write")))) + "." + parts[2]);
    m.put("tampered organization", parts[0] + "." + Jwts.b64(claims(c -> c.put("organization_id", UUID.randomUUID().toString()))) + "." + parts[2]);
    m.put("signature stripped", parts[0] + "." + parts[1] + ".");
    m.put("garbage base64", "!!!.@@@.###");
    m.put("payload not JSON", parts[0] + "." + Jwts.b64("not json") + "." + parts[2]);
    m.put("payload a JSON array", parts[0] + "." + Jwts.b64("[1,2]") + "." + parts[2]);
    m.put("header not JSON", Jwts.b64("{alg") + "." + parts[1] + "." + parts[2]);
    m.put("two parts", parts[0] + "." + parts[1]);
    m.put("four parts", good + ".x");
    m.put("empty", "");
    m.put("oversized", rsService ? rs(c -> c.put("pad", "x".repeat(3500))) : hs(c -> c.put("pad", "x".repeat(3500))));
    String deep = claims(c -> {}).replaceFirst("}$", ",\"n\":" + "[".repeat(1200) + "]".repeat(1200) + "}");
    m.put("claims nested deeper than the JSON parser allows",
        rsService ? Jwts.rs256(rsKeys.getPrivate(), RS, deep) : Jwts.hs256(TestApp.SECRET, deep));
    if (rsService) {
      // HS/RS confusion: the public key, which anyone may hold, used as an HMAC secret.
      m.put("HS256 signed with the RS public key", Jwts.hs256(rsPublicPem.getBytes(), HS, claims(c -> {})));
      m.put("HS256 signed with the RS public key DER", Jwts.hs256(rsKeys.getPublic().getEncoded(), HS, claims(c -> {})));
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        m.put("RS256 with another key", Jwts.rs256(generator.generateKeyPair().getPrivate(), RS, claims(c -> {})));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      m.put("HS256 with the test secret", hs(c -> {}));
      badClaims().forEach((name, change) -> m.put(name, rs(change)));
    } else {
      m.put("RS256 on an HS256 service", rs(c -> {}));
      badClaims().forEach((name, change) -> m.put(name, hs(change)));
    }
    return m;
  }

  static List<String> check(TestApp app, String customer, Map<String, String> attacks) {
    List<String> wrong = new ArrayList<>();
    Http anonymous = new Http(app.config.httpPort());
    try (GrpcTestClient grpc = new GrpcTestClient(app.vertx, app.config.grpcPort())) {
      GetCustomerRequest get = GetCustomerRequest.newBuilder().setCustomerId(customer).build();
      attacks.forEach((name, token) -> {
        Http.Reply rest = anonymous.as(token).get("/api/v1/customers/" + customer);
        if (rest.status != 401) {
          wrong.add("REST " + name + ": " + rest.status + " " + rest.body);
        }
        try {
          Reply<GetCustomerResponse> rpc = grpc.call(CustomerServiceGrpcClient.GetCustomer, get, token);
          if (rpc.status() != GrpcStatus.UNAUTHENTICATED) {
            wrong.add("gRPC " + name + ": " + rpc.status() + " " + rpc.message());
          }
        } catch (RuntimeException e) {
          wrong.add("gRPC " + name + ": " + e);
        }
      });
    }
    return wrong;
  }

  @Test
  void everyForgedOrMalformedTokenIsUnauthenticatedOnAnHs256Service() {
    Map<String, String> attacks = attacks(false);
    List<String> wrong = check(hsApp, hsCustomer, attacks);
    System.out.println("JWT attack set (HS256 service): " + attacks.size() + " tokens x REST+gRPC, " + wrong.size() + " not 401");
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyForgedOrMalformedTokenIsUnauthenticatedOnAnRs256Service() {
    Map<String, String> attacks = attacks(true);
    List<String> wrong = check(rsApp, rsCustomer, attacks);
    System.out.println("JWT attack set (RS256 service): " + attacks.size() + " tokens x REST+gRPC, " + wrong.size() + " not 401");
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void theMaximumLifetimeIsConfigurable() throws Exception {
    AppConfig tenMinutes = AppConfig.from(new JsonObject().put("JWT_HS256_SECRET", TestApp.SECRET).put("JWT_MAX_LIFETIME_SECONDS", 600));
    Auth auth = Auth.create(hsApp.vertx, tenMinutes.jwt()).await(10, java.util.concurrent.TimeUnit.SECONDS);
    String fiveMinutes = hs(c -> c.put("exp", now() + 300));
    String twentyMinutes = hs(c -> c.put("exp", now() + 1200));
    assertTrue(auth.authenticateUser("Bearer " + fiveMinutes).await(10, java.util.concurrent.TimeUnit.SECONDS) != null);
    Throwable refused = auth.authenticateUser("Bearer " + twentyMinutes).map(u -> (Throwable) null).otherwise(e -> e)
        .await(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(refused instanceof DomainException d && d.code() == ErrorCode.UNAUTHENTICATED, String.valueOf(refused));
    assertEquals(86_400, AppConfig.from(new JsonObject()).jwtMaxLifetimeSeconds(), "the default is a day");
  }

  @Test
  void wellFormedTokensStillPass() {
    try (GrpcTestClient hsGrpc = new GrpcTestClient(hsApp.vertx, hsApp.config.grpcPort());
         GrpcTestClient rsGrpc = new GrpcTestClient(rsApp.vertx, rsApp.config.grpcPort())) {
      Map<String, String> hsGood = Map.of("plain", hs(c -> {}), "aud array", hs(c -> c.put("aud", new JsonArray().add("x").add("customer-service"))),
          "uppercase organization", hs(c -> c.put("organization_id", ORG.toString().toUpperCase())),
          "numeric user_id", hs(c -> c.put("user_id", 42)), "no iat, short exp", hs(c -> c.remove("iat")),
          "no permissions claim is no permission", hs(c -> c.remove("permissions")));
      hsGood.forEach((name, token) -> {
        int expected = name.startsWith("no permissions") ? 403 : 200;
        assertEquals(expected, new Http(hsApp.config.httpPort()).as(token).get("/api/v1/customers/" + hsCustomer).status, name);
        GrpcStatus grpcExpected = expected == 200 ? GrpcStatus.OK : GrpcStatus.PERMISSION_DENIED;
        assertEquals(grpcExpected, hsGrpc.call(CustomerServiceGrpcClient.GetCustomer,
            GetCustomerRequest.newBuilder().setCustomerId(hsCustomer).build(), token).status(), name);
      });
      String rsGood = rs(c -> {});
      assertEquals(200, new Http(rsApp.config.httpPort()).as(rsGood).get("/api/v1/customers/" + rsCustomer).status);
      assertEquals(GrpcStatus.OK, rsGrpc.call(CustomerServiceGrpcClient.GetCustomer,
          GetCustomerRequest.newBuilder().setCustomerId(rsCustomer).build(), rsGood).status());
    }
  }
}
