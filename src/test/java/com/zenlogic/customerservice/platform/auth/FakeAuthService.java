package com.zenlogic.customerservice.platform.auth;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Auth Service's POST /auth/verify as a real HTTP server on a port of its own. What it answers
 * is written in the token's (unverified) payload, claim "fake": "accept" (the default: 200 with the
 * payload's caller, or 401 once its exp has passed), "401", "403", "500", "slow" (answers after
 * 1.5 s), "malformed-org", "malformed-permissions", "not-json"; "answer_exp" is put in a 200 answer
 * as its exp. Every call is counted per token. Can be stopped and started again on the same port.
 */
final class FakeAuthService implements AutoCloseable {
  final int port;
  private final Vertx vertx;
  private HttpServer server;
  final AtomicInteger calls = new AtomicInteger();
  private final Map<String, AtomicInteger> byToken = new ConcurrentHashMap<>();

  FakeAuthService(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  FakeAuthService start() throws Exception {
    if (server != null) {
      return this;
    }
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return this;
  }

  void stop() throws Exception {
    if (server != null) {
      server.close().await(10, TimeUnit.SECONDS);
      server = null;
    }
  }

  int callsFor(String token) {
    AtomicInteger n = byToken.get(token);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpServerRequest req) {
    if (!req.path().equals("/auth/verify") || req.method().name().equals("GET")) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.body().onSuccess(body -> {
      String token = new JsonObject(body).getString("token");
      calls.incrementAndGet();
      byToken.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
      String mode = claims.getString("fake", "accept");
      switch (mode) {
        case "401", "403" -> req.response().setStatusCode(Integer.parseInt(mode)).end(new JsonObject().put("error", "invalid token").encode());
        case "500" -> req.response().setStatusCode(500).end("boom");
        case "slow" -> vertx.setTimer(1_500, id -> {
          if (!req.response().closed()) {
            req.response().end(caller(claims).encode());
          }
        });
        case "malformed-org" -> req.response().end(caller(claims).put("organization_id", "0-0-4000-8000-1").encode());
        case "malformed-permissions" -> req.response().end(caller(claims).put("permissions", new io.vertx.core.json.JsonArray().add(7)).encode());
        case "not-json" -> req.response().end("<html>ok</html>");
        default -> {
          if (claims.getLong("exp", Long.MAX_VALUE) * 1000 <= System.currentTimeMillis()) {
            req.response().setStatusCode(401).end(new JsonObject().put("error", "token expired").encode());
          } else {
            req.response().putHeader("content-type", "application/json").end(caller(claims).encode());
          }
        }
      }
    });
  }

  private static JsonObject caller(JsonObject claims) {
    JsonObject answer = new JsonObject().put("user_id", claims.getString("user_id"))
        .put("organization_id", claims.getString("organization_id"))
        .put("local_id", claims.getString("local_id"))
        .put("permissions", claims.getJsonArray("permissions"));
    if (claims.containsKey("answer_exp")) {
      answer.put("exp", claims.getLong("answer_exp"));
    }
    return answer;
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
