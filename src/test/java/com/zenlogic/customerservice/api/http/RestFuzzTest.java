package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Generative REST fuzz written from openapi.yaml: for every operation, requests with one or two slots
 * (parameter, body field, whole body) replaced by hostile values: wrong types, bounds ±1, numeric-looking
 * strings, U+0000 and lone surrogates (as JSON escapes), huge and exponent numbers, deep nesting, oversize
 * bodies, broken JSON and bytes. Against the real service: no 5xx, every 4xx in the error shape, no row
 * written by a rejected request, no event loop blocked.
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run ({@code -Dfuzz.seed=random} draws one), {@code -Dfuzz.cases=N}
 * sets the number of cases (default 10,000).
 */
class RestFuzzTest {
  static final long SEED = seed();
  static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
  static final int CONCURRENCY = 16;
  /** Rejected cases per digest comparison (sent CONCURRENCY at a time). */
  static final int ROUND = 64;

  static TestApp app;
  static RestFixtures fx;
  static List<ContractOperations.Op> ops;
  static final List<String> blocked = new CopyOnWriteArrayList<>();
  static AppenderBase<ILoggingEvent> blockedAppender;
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static String token;

  static final java.util.regex.Pattern STRING_MISREAD =
      java.util.regex.Pattern.compile("Instance type \\w+ is invalid\\. Expected string|can't be decoded");

  static long seed() {
    String s = System.getProperty("fuzz.seed", "1202");
    return s.equals("random") ? new Random().nextLong() : Long.parseLong(s);
  }

  @BeforeAll
  static void start() throws Exception {
    // Stricter than the default 2 s: a request that holds an event loop for 1 s is a defect here.
    app = TestApp.start("rest_fuzz", Map.of(), o -> o.setMaxEventLoopExecuteTime(1000).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    fx = RestFixtures.create(app);
    token = app.token(fx.org, RestFixtures.ALL);
    ops = ContractOperations.load(app.vertx);
    blockedAppender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        blocked.add(e.getFormattedMessage());
      }
    };
    blockedAppender.start();
    ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")).addAppender(blockedAppender);
    // The oracle can fail: an event loop held for 1.5 s is reported through this appender.
    app.vertx.runOnContext(v -> {
      long end = System.nanoTime() + 1_500_000_000L;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    });
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (blocked.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(!blocked.isEmpty(), "the blocked-thread checker reports through the test's appender");
    Thread.sleep(1000);
    blocked.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")).detachAppender(blockedAppender);
    app.close();
  }

  /** One generated request; what tells a reader how to replay it. */
  record Case(int n, String op, String what, String method, String path, Map<String, String> query, Map<String, String> headers,
              byte[] body, String contentType) {
    @Override
    public String toString() {
      return "#" + n + " " + op + " [" + what + "] " + method + " " + path + query + " " + headers + " body="
          + (body == null ? "none" : body.length > 300 ? new String(body, 0, 300, StandardCharsets.UTF_8) + "...(" + body.length + " bytes)"
          : new String(body, StandardCharsets.UTF_8));
    }
  }

  record Answer(Case c, int status, String body) {}

  @Test
  void hostileRequestsToEveryOperationNeverAnswer5xxNorWriteWhenRejectedNorBlockAnEventLoop() throws Exception {
    System.out.println("RestFuzzTest seed=" + SEED + " cases=" + CASES + " (replay with -Dfuzz.seed=" + SEED + ")");
    Random random = new Random(SEED);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      ContractOperations.Op op = ops.get(i % ops.size());
      cases.add(generate(i, op, random));
    }
    long started = System.nanoTime();
    List<Answer> answers = sendAll(cases);
    List<String> failures = new ArrayList<>();
    Map<Integer, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> perOp = new TreeMap<>();
    List<Case> rejected = new ArrayList<>();
    for (Answer a : answers) {
      byStatus.merge(a.status(), 1, Integer::sum);
      perOp.merge(a.c().op(), 1, Integer::sum);
      String problem = problem(a);
      if (problem != null && failures.size() < 25) {
        failures.add(problem + ": " + a.status() + " " + abbreviate(a.body()) + " <- " + a.c());
      }
      if (a.status() >= 400 && a.status() < 500) {
        rejected.add(a.c());
      }
    }
    long sentMillis = (System.nanoTime() - started) / 1_000_000;
    int verified = checkRejectedWriteNothing(rejected, failures);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("RestFuzzTest: " + answers.size() + " cases over " + perOp.size() + " operations in " + millis + " ms (" + sentMillis + " ms the first pass); statuses "
        + byStatus + "; rejected cases re-run against a row digest: " + verified + " of " + rejected.size()
        + "; blocked-thread warnings: " + blocked.size());
    assertEquals(ops.size(), perOp.size(), "every operation was fuzzed");
    assertTrue(perOp.values().stream().allMatch(n -> n >= CASES / ops.size()), "cases per operation " + perOp);
    assertTrue(failures.isEmpty(), "seed " + SEED + ", " + failures.size() + " failures:\n" + String.join("\n", failures));
    assertTrue(verified >= rejected.size() * 9 / 10, "seed " + SEED + ": only " + verified + " of " + rejected.size()
        + " rejected cases could be checked against the digest");
    assertTrue(blocked.isEmpty(), "seed " + SEED + ": event loop blocked: " + blocked);
  }

  static String problem(Answer a) {
    if (a.status() >= 500 || a.status() < 200) {
      return "5xx";
    }
    if (a.status() >= 400) {
      try {
        JsonObject error = new JsonObject(a.body()).getJsonObject("error");
        if (error == null || !(error.getValue("code") instanceof String) || !(error.getValue("message") instanceof String)) {
          return "4xx without the error shape";
        }
        // A parameter declared as a string is a string: "type number ... Expected string" or "can't be decoded"
        // for one means the value was read as JSON first (Vert.x OpenAPI 5.0.x does so for all but \w+ values).
        String field = error.getString("field");
        boolean stringParam = ops.stream().filter(o -> o.id().equals(a.c().op())).flatMap(o -> o.params().stream())
            .anyMatch(p -> p.name().equals(field) && ContractOperations.types(p.schema()).equals(List.of("string")));
        if (stringParam && STRING_MISREAD.matcher(error.getString("message")).find()) {
          return "string parameter not taken as a string";
        }
      } catch (RuntimeException e) {
        return "4xx without a JSON body";
      }
    }
    return null;
  }

  /**
   * Re-sends the rejected cases in rounds of ROUND, a digest of every row of the organization taken
   * before and after each round: a round whose cases were all rejected again must leave it unchanged.
   */
  static int checkRejectedWriteNothing(List<Case> rejected, List<String> failures) throws Exception {
    int verified = 0;
    try (Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password())) {
      for (int from = 0; from < rejected.size(); from += ROUND) {
        List<Case> round = rejected.subList(from, Math.min(rejected.size(), from + ROUND));
        String before = RestFixtures.digest(c, fx.org);
        List<Answer> again = sendAll(round);
        boolean allRejected = again.stream().allMatch(a -> a.status() >= 400);
        String after = RestFixtures.digest(c, fx.org);
        if (allRejected) {
          verified += round.size();
          if (!before.equals(after) && failures.size() < 25) {
            failures.add("a round of rejected requests changed rows: " + round);
          }
        }
        for (Answer a : again) {
          String problem = problem(a);
          if (problem != null && failures.size() < 25) {
            failures.add(problem + " (re-run): " + a.status() + " " + abbreviate(a.body()) + " <- " + a.c());
          }
        }
      }
    }
    return verified;
  }

  static List<Answer> sendAll(List<Case> cases) throws Exception {
    Semaphore slots = new Semaphore(CONCURRENCY);
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    for (Case c : cases) {
      slots.acquire();
      CompletableFuture<Answer> f = send(c).whenComplete((a, e) -> slots.release());
      pending.add(f);
    }
    List<Answer> out = new ArrayList<>();
    for (CompletableFuture<Answer> f : pending) {
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  static CompletableFuture<Answer> send(Case c) {
    StringBuilder uri = new StringBuilder("http://127.0.0.1:" + app.config.httpPort() + c.path());
    String sep = "?";
    for (Map.Entry<String, String> q : c.query().entrySet()) {
      uri.append(sep).append(enc(q.getKey())).append('=').append(enc(q.getValue()));
      sep = "&";
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
    if (c.contentType() != null) {
      b.header("Content-Type", c.contentType());
    }
    c.headers().forEach(b::header);
    return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Answer(c, r.statusCode(), r.body()))
        .exceptionally(e -> new Answer(c, -1, "transport failure: " + e));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  // ---------------------------------------------------------------- generation

  static Case generate(int n, ContractOperations.Op op, Random r) {
    Map<String, String> path = new LinkedHashMap<>();
    Map<String, String> query = new LinkedHashMap<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (ContractOperations.Param p : op.params()) {
      String valid = validParam(p, r);
      if (valid == null) {
        continue;
      }
      switch (p.in()) {
        case "path" -> path.put(p.name(), valid);
        case "query" -> {
          if (r.nextBoolean()) {
            query.put(p.name(), valid);
          }
        }
        case "header" -> {
          if (r.nextBoolean()) {
            headers.put(p.name(), valid);
          }
        }
        default -> { }
      }
    }
    Object body = op.body() == null ? null : valid(op.body(), r, 0);
    byte[] rawBody = null;
    String contentType = op.body() == null ? null : "application/json";
    List<String> what = new ArrayList<>();
    int mutations = r.nextInt(10) == 0 ? 0 : r.nextInt(4) == 0 ? 2 : 1;
    for (int m = 0; m < mutations; m++) {
      int kind = r.nextInt(10);
      if (kind < 5 && body instanceof JsonObject b && op.body() != null) {
        List<String[]> slots = new ArrayList<>();
        bodySlots(op.body(), "", slots, 0);
        if (!slots.isEmpty()) {
          String[] slot = slots.get(r.nextInt(slots.size()));
          Object hostile = hostileJson(ContractOperations.resolve(new JsonObject(), new JsonObject(slot[1])), r);
          setPath(b, slot[0], hostile, r);
          what.add("body " + slot[0] + "=" + describe(hostile));
          continue;
        }
      }
      if (kind < 8 && !op.params().isEmpty()) {
        ContractOperations.Param p = op.params().get(r.nextInt(op.params().size()));
        String hostile = p.in().equals("header") ? hostileHeader(p, r) : hostileParam(p, r);
        switch (p.in()) {
          case "path" -> path.put(p.name(), hostile);
          case "query" -> query.put(p.name(), hostile);
          default -> headers.put(p.name(), hostile);
        }
        what.add(p.in() + " " + p.name() + "=" + describe(hostile));
        continue;
      }
      if (op.body() != null || r.nextInt(4) == 0) {
        int w = r.nextInt(WHOLE_BODIES);
        rawBody = wholeBody(w, r);
        if (w == 0) {
          contentType = "text/plain";
        } else if (w == 1) {
          contentType = null;
        }
        what.add("whole body #" + w);
        body = null;
      } else if (body instanceof JsonObject b) {
        b.put("unexpected_" + r.nextInt(100), hostileJson(new JsonObject(), r));
        what.add("extra field");
      }
    }
    if (rawBody == null && body != null) {
      rawBody = JsonText.write(body).getBytes(StandardCharsets.UTF_8);
    }
    String concretePath = op.path();
    for (Map.Entry<String, String> e : path.entrySet()) {
      concretePath = concretePath.replace("{" + e.getKey() + "}", enc(e.getValue()).replace("+", "%20"));
    }
    return new Case(n, op.id(), what.isEmpty() ? "valid" : String.join("; ", what), op.method(), concretePath, query, headers,
        rawBody, contentType);
  }

  static String validParam(ContractOperations.Param p, Random r) {
    if (fx.ids.containsKey(p.name())) {
      return p.name().equals("action") ? (String) p.schema().getJsonArray("enum").getValue(r.nextInt(3)) : fx.ids.get(p.name());
    }
    if (p.name().equals("cursor")) {
      return null;
    }
    Object v = valid(p.schema(), r, 0);
    return v == null ? null : String.valueOf(v);
  }

  /** A value the schema accepts (the domain may still refuse it: a name that is not a phone number, say). */
  static Object valid(JsonObject s, Random r, int depth) {
    List<String> types = ContractOperations.types(s);
    if (s.containsKey("enum")) {
      JsonArray e = s.getJsonArray("enum");
      return e.getValue(r.nextInt(e.size()));
    }
    String type = types.isEmpty() ? "string" : types.contains("object") ? "object" : types.contains("integer") ? "integer"
        : types.contains("array") ? "array" : types.contains("boolean") ? "boolean" : types.contains("string") ? "string" : types.get(0);
    switch (type) {
      case "object" -> {
        JsonObject o = new JsonObject();
        JsonObject props = s.getJsonObject("properties", new JsonObject());
        List<String> required = s.getJsonArray("required", new JsonArray()).stream().map(String::valueOf).toList();
        for (String k : props.fieldNames()) {
          if (required.contains(k) || r.nextInt(3) == 0) {
            o.put(k, valid(props.getJsonObject(k), r, depth + 1));
          }
        }
        return o;
      }
      case "array" -> {
        JsonArray a = new JsonArray();
        int n = Math.min(s.getInteger("maxItems", 3), 1 + r.nextInt(2));
        for (int i = Math.max(n, s.getInteger("minItems", 0)); i > 0; i--) {
          a.add(valid(s.getJsonObject("items", new JsonObject()), r, depth + 1));
        }
        return a;
      }
      case "integer" -> {
        long min = s.getNumber("minimum", 0).longValue();
        long max = Math.min(s.getNumber("maximum", 1000).longValue(), min + 1000);
        return min + (long) (r.nextDouble() * (max - min));
      }
      case "number" -> {
        return 1 + r.nextInt(50);
      }
      case "boolean" -> {
        return r.nextBoolean();
      }
      default -> {
        if ("date-time".equals(s.getString("format"))) {
          return Instant.now().minus(Duration.ofDays(1 + r.nextInt(20))).toString();
        }
        if (s.containsKey("pattern")) {
          return (1 + r.nextInt(500)) + "." + (10 + r.nextInt(89));
        }
        int min = s.getInteger("minLength", 1);
        int max = Math.min(s.getInteger("maxLength", 20), 20);
        if (max < min) {
          max = min;
        }
        return "v" + "abcdefghij".repeat(3).substring(0, Math.max(0, min - 1 + r.nextInt(Math.max(1, max - min + 1))));
      }
    }
  }

  /** Every body position worth mutating: "a", "a.b", "items[0].c", with its schema. */
  static void bodySlots(JsonObject schema, String prefix, List<String[]> out, int depth) {
    JsonObject props = schema.getJsonObject("properties");
    if (props == null || depth > 3) {
      return;
    }
    for (String k : props.fieldNames()) {
      JsonObject child = props.getJsonObject(k);
      String path = prefix.isEmpty() ? k : prefix + "." + k;
      out.add(new String[] {path, child.encode()});
      if (ContractOperations.types(child).contains("object")) {
        bodySlots(child, path, out, depth + 1);
      }
      if (ContractOperations.types(child).contains("array") && child.containsKey("items")) {
        JsonObject items = child.getJsonObject("items");
        out.add(new String[] {path + "[0]", items.encode()});
        bodySlots(items, path + "[0]", out, depth + 1);
      }
    }
  }

  /** Puts a value at a body path, creating objects and arrays on the way. */
  static void setPath(JsonObject body, String path, Object value, Random r) {
    String[] parts = path.split("\\.");
    Object node = body;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      boolean indexed = part.endsWith("[0]");
      String key = indexed ? part.substring(0, part.length() - 3) : part;
      if (!(node instanceof JsonObject o)) {
        return;
      }
      if (indexed) {
        Object arr = o.getValue(key);
        if (!(arr instanceof JsonArray)) {
          arr = new JsonArray();
          o.put(key, arr);
        }
        JsonArray a = (JsonArray) arr;
        if (a.isEmpty()) {
          a.add(last ? value : new JsonObject());
        } else if (last) {
          a.set(0, value);
        }
        node = a.getValue(0);
      } else if (last) {
        o.put(key, value);
      } else {
        Object next = o.getValue(key);
        if (!(next instanceof JsonObject)) {
          next = new JsonObject();
          o.put(key, next);
        }
        node = next;
      }
    }
  }

  static final String[] NUMERIC_LOOKING = {"+1", "-1", "1.5", "1e3", "true", "false", "null", "0", "-0", "NaN", "Infinity",
      "0x1F", "00012", "1_000", "1,5", " 1", "1 ", "1e999999999", "1e8000000", "-1e-999999999", "9".repeat(400)};
  static final String[] UNICODE = {"\u0000", "a\u0000b", "\ud800", "\udfff", "x\ud800y", "\udc00\ud800", "\ud83d\ude00",
      "\u2028", "\u202e", "\ufeff", "\uffff", "\u0001\u001f\u007f", "\t\n\r", "Ω≈ç√∫", "e\u0301", "𝔘𝔫𝔦", "'; DROP TABLE customers;--",
      "%00", "../../etc/passwd", "<script>alert(1)</script>", "${jndi:ldap://x}", "\\", "\"", "ñandú"};

  static Object hostileJson(JsonObject s, Random r) {
    int kind = r.nextInt(9);
    return switch (kind) {
      case 0 -> wrongType(r);
      case 1 -> bound(s, r);
      case 2 -> NUMERIC_LOOKING[r.nextInt(NUMERIC_LOOKING.length)];
      case 3 -> UNICODE[r.nextInt(UNICODE.length)];
      case 4 -> hugeNumber(r);
      case 5 -> new JsonText.Raw(nested(r.nextBoolean() ? 5000 : 900, r.nextBoolean()));
      case 6 -> "x".repeat(1 + r.nextInt(20_000));
      case 7 -> UNICODE[r.nextInt(UNICODE.length)] + valid(s.getJsonObject("items") != null ? s.getJsonObject("items") : s, r, 0);
      default -> {
        Object v = valid(s, r, 0);
        yield v instanceof String str ? str + UNICODE[r.nextInt(UNICODE.length)] : wrongType(r);
      }
    };
  }

  static Object wrongType(Random r) {
    Object[] values = {42, -1, 1.5, true, false, null, "str", new JsonArray(), new JsonObject(), new JsonArray().add(1).add("a"),
        new JsonObject().put("a", 1), "", 0, Long.MIN_VALUE, Long.MAX_VALUE};
    Object v = values[r.nextInt(values.length)];
    return v instanceof JsonArray a ? a.copy() : v instanceof JsonObject o ? o.copy() : v;
  }

  static Object bound(JsonObject s, Random r) {
    List<String> types = ContractOperations.types(s);
    if (types.contains("integer") || types.contains("number")) {
      BigInteger min = new BigInteger(String.valueOf(s.getNumber("minimum", 0).longValue()));
      BigInteger max = new BigInteger(String.valueOf(s.getNumber("maximum", Long.MAX_VALUE).longValue()));
      BigInteger[] picks = {min.subtract(BigInteger.ONE), min, max, max.add(BigInteger.ONE), BigInteger.TWO.pow(64).add(BigInteger.valueOf(100)),
          BigInteger.TWO.pow(63), BigInteger.TWO.pow(31)};
      return new JsonText.Raw(picks[r.nextInt(picks.length)].toString());
    }
    int minLength = s.getInteger("minLength", 0);
    int maxLength = s.getInteger("maxLength", 100);
    int[] lengths = {Math.max(0, minLength - 1), minLength, maxLength, maxLength + 1};
    int len = lengths[r.nextInt(lengths.length)];
    String unit = r.nextBoolean() ? "x" : r.nextBoolean() ? "ñ" : "\ud83d\ude00";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) {
      b.append(unit);
    }
    return b.toString();
  }

  static JsonText.Raw hugeNumber(Random r) {
    String[] values = {"1e999999999", "-1e999999999", "1e8000000", "1e-8000000", "1" + "0".repeat(400), "-" + "9".repeat(400),
        "0." + "0".repeat(400) + "1", "1.0e+2", "18446744073709551716", "-9223372036854775809", "123456789012345678901234567890.5",
        "1E400", "-0.0", "1e-400", "4.9e-324"};
    return new JsonText.Raw(values[r.nextInt(values.length)]);
  }

  static String nested(int depth, boolean arrays) {
    StringBuilder b = new StringBuilder(depth * 6);
    for (int i = 0; i < depth; i++) {
      b.append(arrays ? "[" : "{\"a\":");
    }
    b.append("1");
    for (int i = 0; i < depth; i++) {
      b.append(arrays ? "]" : "}");
    }
    return b.toString();
  }

  static String hostileParam(ContractOperations.Param p, Random r) {
    int kind = r.nextInt(6);
    return switch (kind) {
      case 0 -> NUMERIC_LOOKING[r.nextInt(NUMERIC_LOOKING.length)];
      case 1 -> UNICODE[r.nextInt(UNICODE.length)];
      case 2 -> String.valueOf(bound(p.schema(), r));
      case 3 -> {
        String[] ids = {java.util.UUID.randomUUID().toString(), "00000000-0000-0000-0000-000000000000", "-1", "0",
            fx.ids.get("id").toUpperCase(), fx.ids.get("id") + "\u0000", "0-0-4000-8000-1", "x".repeat(36), "..", "%2e%2e", ""};
        yield ids[r.nextInt(ids.length)];
      }
      case 4 -> "x".repeat(1 + r.nextInt(3000));
      default -> java.util.Base64.getUrlEncoder().encodeToString(new JsonObject().put("o", fx.org.toString()).put("l", "loyalty.ledger:x")
          .put("p", new JsonArray().add(r.nextInt())).encode().getBytes(StandardCharsets.UTF_8));
    };
  }

  /** Header values the HTTP client can send (visible ASCII): the same families, minus control characters. */
  static String hostileHeader(ContractOperations.Param p, Random r) {
    String[] values = {"W/\"1\"", "\"1\"", "1", "-1", "+1", "1.5", "1e3", "true", "null", "*", "W/\"-1\"", "W/\"99999999999999999999\"",
        "\"\"", "W/", "x".repeat(41), "x".repeat(101), "k".repeat(5000), "1e999999999", "%00", "%ZZ", "'; --", "{}", "[1]"};
    return values[r.nextInt(values.length)];
  }

  static final int WHOLE_BODIES = 16;

  static byte[] wholeBody(int w, Random r) {
    String s = switch (w) {
      case 0 -> "{\"a\":1}";
      case 1 -> "{}";
      case 2 -> "";
      case 3 -> "{";
      case 4 -> "[]";
      case 5 -> "null";
      case 6 -> "\"\\u0000\"";
      case 7 -> nested(5000, true);
      case 8 -> nested(5000, false);
      case 9 -> "{\"x\":\"" + "a".repeat(300_000) + "\"}";
      case 10 -> "{\"a\":1,\"a\":2}";
      case 11 -> {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < 5000; i++) {
          b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        yield b.append("}").toString();
      }
      case 12 -> "{\"\\ud800\":1,\"\\u0000\":\"\\u0000\"}";
      case 13 -> "1e999999999";
      default -> null;
    };
    if (s != null) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    // Not UTF-8: a CESU-8 surrogate, an overlong NUL, a byte-order mark of another encoding.
    byte[][] raw = {{'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
        {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'}, {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0}};
    return raw[r.nextInt(raw.length)];
  }

  static String describe(Object v) {
    String s = v instanceof String str ? '"' + str + '"' : String.valueOf(v);
    StringBuilder b = new StringBuilder();
    for (char c : (s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + ")" : s).toCharArray()) {
      b.append(c < 0x20 || c >= 0xd800 && c <= 0xdfff ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  /** JSON text with every non-printable-ASCII character escaped, so U+0000 and lone surrogates travel as \\u escapes. */
  static final class JsonText {
    record Raw(String text) {
      @Override
      public String toString() {
        return text.length() > 40 ? text.substring(0, 40) + "…(" + text.length() + ")" : text;
      }
    }

    static String write(Object v) {
      StringBuilder b = new StringBuilder();
      write(v, b);
      return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
      if (v == null) {
        b.append("null");
      } else if (v instanceof Raw raw) {
        b.append(raw.text());
      } else if (v instanceof String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (c == '"' || c == '\\') {
            b.append('\\').append(c);
          } else if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
        b.append('"');
      } else if (v instanceof JsonObject o) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : o) {
          b.append(first ? "" : ",");
          first = false;
          write(e.getKey(), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      } else if (v instanceof JsonArray a) {
        b.append('[');
        for (int i = 0; i < a.size(); i++) {
          b.append(i == 0 ? "" : ",");
          write(a.getValue(i), b);
        }
        b.append(']');
      } else {
        b.append(v);
      }
    }
  }
}
