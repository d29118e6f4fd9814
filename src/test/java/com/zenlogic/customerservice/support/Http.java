package com.zenlogic.customerservice.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A blocking HTTP client for tests: one call, one answer with its status, headers and JSON. */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private String token;

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public Http as(String bearer) {
    Http other = new Http(0).withBase(base);
    other.token = bearer;
    return other;
  }

  private Http withBase(String b) {
    return new Http(b);
  }

  private Http(String base) {
    this.base = base;
  }

  public Reply get(String path) {
    return send("GET", path, null, null);
  }

  public Reply post(String path, JsonObject body) {
    return send("POST", path, body == null ? null : body.encode(), null);
  }

  public Reply put(String path, JsonObject body) {
    return send("PUT", path, body.encode(), null);
  }

  public Reply patch(String path, JsonObject body, String ifMatch) {
    return send("PATCH", path, body.encode(), ifMatch);
  }

  public Reply delete(String path) {
    return send("DELETE", path, null, null);
  }

  public Reply send(String method, String path, String body, String ifMatch) {
    try {
      return sendAsync(method, path, body, ifMatch).get();
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }

  public CompletableFuture<Reply> sendAsync(String method, String path, String body, String ifMatch) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(Reply::new);
  }

  /** An answer; json() parses the body when there is one. */
  public static final class Reply {
    public final int status;
    public final String body;
    public final HttpResponse<String> raw;

    Reply(HttpResponse<String> raw) {
      this.raw = raw;
      this.status = raw.statusCode();
      this.body = raw.body();
    }

    public JsonObject json() {
      return body == null || body.isEmpty() ? null : new JsonObject(body);
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
