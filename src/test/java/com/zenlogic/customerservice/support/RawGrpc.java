package com.zenlogic.customerservice.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * gRPC framing by hand over a plain HTTP/2 (prior knowledge) client, for tests that must control
 * what a real client never sends: several messages in a unary call, the compressed flag without
 * an encoding, a length prefix that lies, gzip that inflates to megabytes.
 */
public final class RawGrpc implements AutoCloseable {
  public static final String SERVICE = "customer.v1.CustomerService";

  private final HttpClient client;
  private final int port;

  public RawGrpc(Vertx vertx, int port) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(200));
    this.port = port;
  }

  /** What came back: the gRPC status (null when there was none, e.g. a reset stream) and the messages. */
  public record Answer(Integer status, String message, List<byte[]> messages, String failure) {
    public boolean hasStatus() {
      return status != null;
    }

    @Override
    public String toString() {
      return status == null ? "no grpc-status (" + failure + ")" : "status " + status + " " + message + " (" + messages.size() + " messages)";
    }
  }

  public Answer call(String method, Map<String, String> headers, Buffer body) {
    try {
      return callAsync(method, headers, body).await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return new Answer(null, null, List.of(), "timed out");
    }
  }

  public Future<Answer> callAsync(String method, Map<String, String> headers, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/" + SERVICE + "/" + method).setIdleTimeout(20_000);
    return client.request(options).compose(req -> {
      req.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
      headers.forEach(req::putHeader);
      return req.send(body).compose(resp -> resp.body().map(b -> {
        MultiMap trailers = resp.trailers();
        String status = trailers.get("grpc-status") != null ? trailers.get("grpc-status") : resp.getHeader("grpc-status");
        String message = trailers.get("grpc-message") != null ? trailers.get("grpc-message") : resp.getHeader("grpc-message");
        return new Answer(status == null ? null : Integer.valueOf(status), percentDecoded(message), deframe(b),
            status == null ? "HTTP " + resp.statusCode() : null);
      }));
    }).recover(e -> Future.succeededFuture(new Answer(null, null, List.of(), e.toString())));
  }

  /** One length-prefixed message: flag byte, 4-byte big-endian length, payload. */
  public static Buffer frame(boolean compressedFlag, byte[] payload) {
    return Buffer.buffer().appendByte((byte) (compressedFlag ? 1 : 0)).appendInt(payload.length).appendBytes(payload);
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** grpc-message is percent-encoded UTF-8 (and '+' is a plus, unlike in URLs). */
  static String percentDecoded(String message) {
    if (message == null || message.indexOf('%') < 0) {
      return message;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c == '%' && i + 3 <= message.length()) {
        out.write(Integer.parseInt(message.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write((byte) c);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<byte[]> deframe(Buffer body) {
    List<byte[]> messages = new ArrayList<>();
    int i = 0;
    while (i + 5 <= body.length()) {
      int len = body.getInt(i + 1);
      if (len < 0 || i + 5 + len > body.length()) {
        break;
      }
      messages.add(body.getBytes(i + 5, i + 5 + len));
      i += 5 + len;
    }
    return messages;
  }

  @Override
  public void close() {
    client.close();
  }
}
