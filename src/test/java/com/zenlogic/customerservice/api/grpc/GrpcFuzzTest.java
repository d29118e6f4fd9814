package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceProto;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsResponse;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.RawGrpc;
import com.zenlogic.customerservice.support.RawGrpc.Answer;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generative test of the gRPC edge, built from the proto descriptors so a new RPC or field is
 * fuzzed without a change here: random field values (U+0000, surrogates, invalid UTF-8 bytes,
 * extreme and non-finite numbers, unknown fields), broken protobuf, JSON format, gzip (declared,
 * undeclared, not gzip, bombs), unknown encodings, lying length prefixes, oversize, zero or
 * several messages in a unary call, bad tokens.
 *
 * <p>No answer may be INTERNAL, UNKNOWN or missing a grpc-status; where the outcome is certain
 * (a bad token, a multi-message call, a NUL in a string, a bomb) the exact status is checked; and
 * no multi-message call may have written anything. Seeded: {@code -Dfuzz.seed=N} replays a run,
 * {@code -Dfuzz.cases=N} changes its length.
 */
class GrpcFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
  static final int IN_FLIGHT = 32;
  /** Statuses that mean the service failed to classify what it got. */
  static final Set<Integer> FAILURES = Set.of(GrpcStatus.UNKNOWN.code, GrpcStatus.INTERNAL.code, GrpcStatus.UNAVAILABLE.code,
      GrpcStatus.DATA_LOSS.code, GrpcStatus.CANCELLED.code, GrpcStatus.DEADLINE_EXCEEDED.code);

  static TestApp app;
  static RawGrpc raw;
  static UUID org;
  static String token;
  static List<String> customers = new ArrayList<>();
  static List<String> holds = new ArrayList<>();
  static List<MethodDescriptor> methods;

  record Case(int index, String method, Map<String, String> headers, Buffer body, Integer expected, String description) {}

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("grpcfuzz");
    raw = new RawGrpc(app.vertx, app.config.grpcPort());
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "credit:read", "credit:write",
        "credit:approve", "segments:read");
    Http admin = new Http(app.config.httpPort()).as(token);
    for (int i = 0; i < 3; i++) {
      String id = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Fuzz " + i)
          .put("email", "fuzz" + i + "@example.cl").put("loyalty_card", "FUZZ-" + i)).json().getString("id");
      customers.add(id);
      admin.post("/api/v1/customers/" + id + "/credit/line", new JsonObject().put("credit_limit", "1000000").put("currency", "CLP")
          .put("terms_days", 30));
      admin.post("/api/v1/customers/" + id + "/credit/line/approve", null);
      Answer earned = raw.call("AddLoyaltyPoints", bearer(), RawGrpc.frame(false, AddPointsRequest.newBuilder().setCustomerId(id)
          .setTransactionId("seed-" + i).setAmount(5000).setPointsRate(1).build().toByteArray()));
      assertEquals(0, earned.status(), earned.toString());
      Answer held = raw.call("HoldLoyaltyPoints", bearer(), RawGrpc.frame(false, HoldPointsRequest.newBuilder().setCustomerId(id)
          .setPoints(100).setReferenceId("seed-hold-" + i).build().toByteArray()));
      assertEquals(0, held.status(), held.toString());
      holds.add(HoldPointsResponse.parseFrom(held.messages().get(0)).getHoldId());
    }
    methods = CustomerServiceProto.getDescriptor().findServiceByName("CustomerService").getMethods();
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    app.close();
  }

  static Map<String, String> bearer() {
    return Map.of("authorization", "Bearer " + token);
  }

  @Test
  void noRequestOfAnyShapeGetsInternalUnknownOrNoStatusAndMultiMessageCallsApplyNothing() throws Exception {
    System.out.println("GrpcFuzzTest seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + "), " + CASES + " cases over "
        + methods.size() + " RPCs");
    Random random = new Random(SEED);
    List<Case> cases = new ArrayList<>(CASES);
    for (int i = 0; i < CASES; i++) {
      cases.add(generate(random, i));
    }
    Map<String, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byMethod = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int from = 0; from < cases.size(); from += IN_FLIGHT) {
      List<Case> batch = cases.subList(from, Math.min(cases.size(), from + IN_FLIGHT));
      List<Future<Answer>> answers = new ArrayList<>();
      for (Case c : batch) {
        answers.add(raw.callAsync(c.method(), c.headers(), c.body()));
      }
      Future.join(answers).await(60, TimeUnit.SECONDS);
      for (int k = 0; k < batch.size(); k++) {
        Case c = batch.get(k);
        Answer a = answers.get(k).result();
        byStatus.merge(a.hasStatus() ? GrpcStatus.valueOf(a.status()).name() : "none", 1, Integer::sum);
        byMethod.merge(c.method(), 1, Integer::sum);
        boolean failed = !a.hasStatus() || FAILURES.contains(a.status()) || c.expected() != null && !c.expected().equals(a.status());
        if (failed && failures.size() < 25) {
          failures.add("case " + c.index() + " " + c.method() + " [" + c.description() + "] expected "
              + (c.expected() == null ? "any classified status" : GrpcStatus.valueOf(c.expected())) + ", got " + a);
        } else if (failed) {
          failures.add("...");
        }
      }
    }
    System.out.println("GrpcFuzzTest statuses " + byStatus + "; per RPC " + byMethod + "; failures " + failures.size());
    assertTrue(failures.isEmpty(), "seed " + SEED + ": " + failures.size() + " failures\n" + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
    assertEquals(methods.size(), byMethod.size(), "every RPC was fuzzed");

    // Multi-message calls carried otherwise valid writes marked "mm-": none of them may have been applied.
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM loyalty_ledger WHERE reference LIKE 'mm-%' OR idempotency_key LIKE '%mm-%'"));
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM loyalty_holds WHERE reference LIKE 'mm-%'"));
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM credit_charges WHERE order_id LIKE 'mm-%'"));
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM credit_ledger WHERE reference LIKE 'mm-%' OR idempotency_key LIKE '%mm-%'"));
    // ...while the same messages sent alone ("ss-") were: the refusal is about the framing, not the content.
    assertTrue(app.db.count(org, "SELECT count(*) FROM loyalty_ledger WHERE reference LIKE 'ss-%' OR idempotency_key LIKE '%ss-%'") > 0);
    // The invariants of the accounts the fuzz wrote to still hold.
    assertEquals(app.db.count(org, "SELECT coalesce(sum(balance), 0) FROM loyalty_accounts"),
        app.db.count(org, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger"));
  }

  Case generate(Random r, int i) {
    MethodDescriptor method = methods.get(r.nextInt(methods.size()));
    Descriptor input = method.getInputType();
    String name = method.getName();
    Map<String, String> headers = new HashMap<>(bearer());
    int shape = r.nextInt(100);
    if (shape < 40) {
      DynamicMessage m = randomMessage(r, input, 0);
      Integer expected = hasBadText(m) ? GrpcStatus.INVALID_ARGUMENT.code : null;
      return new Case(i, name, headers, RawGrpc.frame(false, m.toByteArray()), expected, "random fields");
    }
    if (shape < 48) {
      byte[] bytes = randomMessage(r, input, 0).toByteArray();
      FieldDescriptor text = stringField(r, input);
      if (text == null) {
        return new Case(i, name, headers, RawGrpc.frame(false, bytes), null, "random fields");
      }
      byte[] bad = INVALID_UTF8[r.nextInt(INVALID_UTF8.length)];
      Buffer b = Buffer.buffer(bytes).appendBytes(tag(text.getNumber(), 2)).appendByte((byte) bad.length).appendBytes(bad);
      return new Case(i, name, headers, RawGrpc.frame(false, b.getBytes()), GrpcStatus.INVALID_ARGUMENT.code,
          "invalid UTF-8 in " + text.getName());
    }
    if (shape < 56) {
      return new Case(i, name, headers, RawGrpc.frame(false, mutate(r, randomMessage(r, input, 0).toByteArray())), null, "mutated bytes");
    }
    if (shape < 60) {
      byte[] garbage = new byte[r.nextInt(300)];
      r.nextBytes(garbage);
      return new Case(i, name, headers, RawGrpc.frame(false, garbage), null, "garbage bytes");
    }
    if (shape < 67) {
      DynamicMessage m = randomMessage(r, input, 0);
      headers.put("grpc-encoding", "gzip");
      Integer expected = hasBadText(m) ? GrpcStatus.INVALID_ARGUMENT.code : null;
      return new Case(i, name, headers, RawGrpc.frame(true, RawGrpc.gzip(m.toByteArray())), expected, "gzip");
    }
    if (shape < 69) {
      if (r.nextBoolean()) {
        headers.put("grpc-encoding", "identity");
      }
      byte[] m = randomMessage(r, input, 0).toByteArray();
      return new Case(i, name, headers, RawGrpc.frame(true, r.nextBoolean() ? RawGrpc.gzip(m) : m),
          GrpcStatus.INVALID_ARGUMENT.code, "compressed flag, grpc-encoding " + headers.getOrDefault("grpc-encoding", "absent"));
    }
    if (shape < 71) {
      headers.put("grpc-encoding", "gzip");
      byte[] gz = RawGrpc.gzip(randomMessage(r, input, 0).toByteArray());
      byte[] broken = r.nextBoolean() ? java.util.Arrays.copyOf(gz, Math.max(1, gz.length / 2)) : mutate(r, gz);
      return new Case(i, name, headers, RawGrpc.frame(true, broken), null, "broken gzip");
    }
    if (shape < 73) {
      headers.put("grpc-encoding", "gzip");
      byte[] bomb = RawGrpc.gzip(new byte[app.config.grpcMaxMessageBytes() * (2 + r.nextInt(30))]);
      return new Case(i, name, headers, RawGrpc.frame(true, bomb), GrpcStatus.RESOURCE_EXHAUSTED.code, "zip bomb");
    }
    if (shape < 75) {
      headers.put("grpc-encoding", List.of("br", "deflate", "snappy", "zstd", "GZIP", "x-undeclared", "").get(r.nextInt(7)));
      return new Case(i, name, headers, RawGrpc.frame(r.nextBoolean(), randomMessage(r, input, 0).toByteArray()),
          GrpcStatus.UNIMPLEMENTED.code, "encoding " + headers.get("grpc-encoding"));
    }
    if (shape < 82) {
      return multiMessage(r, i, method, headers);
    }
    if (shape < 84) {
      Buffer lying = Buffer.buffer().appendByte((byte) 0).appendInt(100 + r.nextInt(1000)).appendBytes(new byte[r.nextInt(50)]);
      return new Case(i, name, headers, lying, GrpcStatus.INVALID_ARGUMENT.code, "length prefix longer than the body");
    }
    if (shape < 86) {
      return new Case(i, name, headers, RawGrpc.frame(false, new byte[app.config.grpcMaxMessageBytes() + 1 + r.nextInt(1000)]),
          GrpcStatus.RESOURCE_EXHAUSTED.code, "oversized");
    }
    if (shape < 94) {
      headers.put("content-type", "application/grpc+json");
      return new Case(i, name, headers, RawGrpc.frame(false, randomJson(r, input).getBytes(StandardCharsets.UTF_8)), null, "json");
    }
    Map<String, String> bad = new HashMap<>();
    String[] tokens = {null, "garbage", token + "x", app.token(UUID.randomUUID(), "customers:read").replace('.', '!'), ""};
    String t = tokens[r.nextInt(tokens.length)];
    if (t != null) {
      bad.put("authorization", "Bearer " + t);
    }
    return new Case(i, name, bad, RawGrpc.frame(false, randomMessage(r, input, 0).toByteArray()), GrpcStatus.UNAUTHENTICATED.code,
        "bad token " + (t == null ? "absent" : "forged"));
  }

  /** Two to four valid-looking write messages marked "mm-" in one unary call; now and then the first one alone, marked "ss-". */
  Case multiMessage(Random r, int i, MethodDescriptor method, Map<String, String> headers) {
    int count = r.nextInt(10) == 0 ? 0 : 2 + r.nextInt(3);
    String marker = (count == 0 ? "zero-" : "mm-") + i + "-";
    Buffer body = Buffer.buffer();
    for (int k = 0; k < count; k++) {
      body.appendBuffer(RawGrpc.frame(false, plausible(r, method.getInputType(), marker + k).toByteArray()));
    }
    if (count > 0 && method.getName().equals("AddLoyaltyPoints") && r.nextBoolean()) {
      raw.call("AddLoyaltyPoints", headers, RawGrpc.frame(false, plausible(r, method.getInputType(), "ss-" + i).toByteArray()));
    }
    return new Case(i, method.getName(), headers, body, GrpcStatus.INVALID_ARGUMENT.code, count + " messages in a unary call");
  }

  /** A request that would succeed alone: a real customer, a unique reference, a small amount. */
  DynamicMessage plausible(Random r, Descriptor type, String reference) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (FieldDescriptor f : type.getFields()) {
      switch (f.getName()) {
        case "customer_id" -> b.setField(f, customers.get(r.nextInt(customers.size())));
        case "transaction_id", "reference_id", "order_id", "payment_reference" -> b.setField(f, reference);
        case "amount" -> b.setField(f, 10.0 + r.nextInt(100));
        case "points" -> b.setField(f, 100L);
        case "points_rate" -> b.setField(f, 1.0);
        case "hold_id" -> b.setField(f, holds.get(r.nextInt(holds.size())));
        case "reason" -> b.setField(f, "fuzz");
        default -> { }
      }
    }
    return b.build();
  }

  DynamicMessage randomMessage(Random r, Descriptor type, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (FieldDescriptor f : type.getFields()) {
      if (r.nextInt(4) == 0) {
        continue;
      }
      if (f.isRepeated()) {
        for (int k = r.nextInt(4); k > 0; k--) {
          Object v = randomValue(r, f, depth);
          if (v != null) {
            b.addRepeatedField(f, v);
          }
        }
      } else {
        Object v = randomValue(r, f, depth);
        if (v != null) {
          b.setField(f, v);
        }
      }
    }
    return b.build();
  }

  Object randomValue(Random r, FieldDescriptor f, int depth) {
    return switch (f.getJavaType()) {
      case STRING -> randomString(r, f.getName());
      case LONG -> LONGS[r.nextInt(LONGS.length)] + (r.nextInt(5) == 0 ? r.nextInt(1000) : 0);
      case INT -> (int) (long) LONGS[r.nextInt(LONGS.length)];
      case DOUBLE -> DOUBLES[r.nextInt(DOUBLES.length)];
      case FLOAT -> (float) DOUBLES[r.nextInt(DOUBLES.length)];
      case BOOLEAN -> r.nextBoolean();
      case BYTE_STRING -> com.google.protobuf.ByteString.copyFromUtf8(randomString(r, f.getName()));
      case ENUM -> f.getEnumType().getValues().get(r.nextInt(f.getEnumType().getValues().size()));
      case MESSAGE -> depth > 3 ? null : randomMessage(r, f.getMessageType(), depth + 1);
    };
  }

  String randomString(Random r, String field) {
    int pick = r.nextInt(20);
    if (field.equals("organization_id") && pick < 12) {
      return pick < 8 ? "" : org.toString();
    }
    if (field.endsWith("_id") && pick < 6) {
      List<String> ids = field.equals("hold_id") ? holds : customers;
      return ids.get(r.nextInt(ids.size()));
    }
    if (pick < 14) {
      return STRINGS[r.nextInt(STRINGS.length)];
    }
    StringBuilder s = new StringBuilder();
    for (int k = r.nextInt(40); k > 0; k--) {
      int kind = r.nextInt(10);
      s.append(kind == 0 ? (char) r.nextInt(0x20) : kind == 1 ? (char) (0x80 + r.nextInt(0x700)) : (char) (0x20 + r.nextInt(0x5f)));
    }
    return s.toString();
  }

  /** JSON for the JSON wire format: a printed random message, then broken in one of several ways. */
  String randomJson(Random r, Descriptor type) {
    String json;
    try {
      json = JsonFormat.printer().print(randomMessage(r, type, 0));
    } catch (Exception e) {
      json = "{}";
    }
    return switch (r.nextInt(9)) {
      case 0 -> json.replaceFirst("\"([^\"]*)\"\\s*:\\s*\"", "\"$1\": \"\\\\u0000");
      case 1 -> json.replaceFirst("\"([^\"]*)\"\\s*:\\s*\"", "\"$1\": \"\\\\ud800");
      case 2 -> json.replaceFirst("\\{", "{\"zzz_unknown\": 1, ");
      case 3 -> json.replaceFirst(":\\s*[-0-9.eE]+", ": \"not a number\"");
      case 4 -> json.replaceFirst(":\\s*\"[^\"]*\"", ": {\"deep\": [1, 2, {\"x\": null}]}");
      case 5 -> json.substring(0, json.length() / 2);
      case 6 -> "[" + json + "]";
      case 7 -> json.replaceFirst(":\\s*[-0-9.eE]+", ": 1e99999");
      default -> json;
    };
  }

  byte[] mutate(Random r, byte[] bytes) {
    Buffer b = Buffer.buffer(bytes);
    switch (r.nextInt(5)) {
      case 0 -> {
        return java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : r.nextInt(bytes.length));
      }
      case 1 -> {
        // An unknown field with any wire type, including the invalid 6 and 7.
        int wire = r.nextInt(8);
        b.appendBytes(tag(100 + r.nextInt(100_000), wire));
        b.appendBytes(new byte[] {(byte) r.nextInt(128), 1, 2, 3, 4, 5, 6, 7, 8});
      }
      case 2 -> {
        byte[] copy = bytes.clone();
        for (int k = 0; k < 1 + r.nextInt(4) && copy.length > 0; k++) {
          copy[r.nextInt(copy.length)] = (byte) r.nextInt(256);
        }
        return copy;
      }
      case 3 -> b.appendBytes(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
      default -> {
        // A huge length-delimited unknown field that fits the limit.
        b.appendBytes(tag(99_999, 2)).appendBytes(varint(40_000)).appendBytes(new byte[40_000]);
      }
    }
    return b.getBytes();
  }

  /** Whether the message as it goes on the wire (the encoder turns a lone surrogate into '?') has a string the service must refuse. */
  static boolean hasBadText(DynamicMessage m) {
    try {
      RequestMessages.checkText(DynamicMessage.parseFrom(m.getDescriptorForType(), m.toByteArray()), "");
      return false;
    } catch (RuntimeException e) {
      return true;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static FieldDescriptor stringField(Random r, Descriptor type) {
    List<FieldDescriptor> strings = type.getFields().stream().filter(f -> f.getJavaType() == FieldDescriptor.JavaType.STRING).toList();
    return strings.isEmpty() ? null : strings.get(r.nextInt(strings.size()));
  }

  static byte[] tag(int field, int wire) {
    return varint(((long) field << 3) | wire);
  }

  static byte[] varint(long v) {
    Buffer b = Buffer.buffer();
    while ((v & ~0x7FL) != 0) {
      b.appendByte((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.appendByte((byte) v);
    return b.getBytes();
  }

  static final byte[][] INVALID_UTF8 = {
      {(byte) 0xC3, 0x28}, {(byte) 0xA0, (byte) 0xA1}, {(byte) 0xE2, 0x28, (byte) 0xA1}, {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {0x61, (byte) 0xE2, (byte) 0x82}};

  // No lone surrogates here: protobuf's encoder would send them as '?' (and log a warning each time);
  // they reach the service as JSON escapes (randomJson) and as their UTF-8-like bytes (INVALID_UTF8).
  static final String[] STRINGS = {
      "", " ", "\u0000", "a\u0000b", "\u0000\u0001", "\uD83D\uDE00", "ñandú", "' OR 1=1 --", "%00", "\\u0000",
      "0-0-4000-8000-1", "00000000-0000-0000-0000-000000000000", UUID.randomUUID().toString(), "+56941234567", "941234567",
      "ana@example.cl", "a@b", "12.345.678-5", "CARD-0001", "FUZZ-1", "fuzz1@example.cl", "1e3", "-1", "1.5", "true", "null",
      "x".repeat(300), "y".repeat(5000), "\t\n\r", "<script>", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202E", "\uFEFF", "NaN"};

  static final Long[] LONGS = {0L, 1L, -1L, 100L, 10_000L, 1_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
      (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, 9_007_199_254_740_993L};

  static final double[] DOUBLES = {0, -0.0, 1, -1, 0.005, 0.004999, 100, 12.345678, 99_999_999.99, 1e15, 1e308, -1e308,
      Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 5000, 1e-9};
}
