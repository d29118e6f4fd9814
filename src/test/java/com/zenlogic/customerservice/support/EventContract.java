package com.zenlogic.customerservice.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/**
 * src/main/resources/asyncapi.yaml, read once: the message of each routing key, published (send
 * operations on customer_events) and consumed (receive operations), with its payload schema
 * ($refs inlined) compiled for validation.
 */
public final class EventContract {
  public static final String EXCHANGE = "customer_events";
  private static final EventContract INSTANCE = load();

  public final JsonObject document;
  private final Map<String, Message> published = new LinkedHashMap<>();
  private final Map<String, Message> consumed = new LinkedHashMap<>();

  /** One message of the document: its routing key (= event type), exchange, payload schema and examples. */
  public record Message(String routingKey, String exchange, JsonObject message, Validator payload, Validator headers) {
    public JsonArray examples() {
      return message.getJsonArray("examples", new JsonArray());
    }
  }

  private EventContract(JsonObject document) {
    this.document = document;
    JsonObject operations = document.getJsonObject("operations");
    for (String id : operations.fieldNames()) {
      JsonObject op = operations.getJsonObject(id);
      for (Object m : op.getJsonArray("messages")) {
        JsonObject messageRef = (JsonObject) m;
        JsonObject message = (JsonObject) resolve(messageRef, document);
        String type = message.getString("name");
        String exchange = exchangeOf(type);
        Validator payload = validator(message.getJsonObject("payload"));
        Validator headers = message.containsKey("headers") ? validator(message.getJsonObject("headers")) : null;
        Message entry = new Message(type, exchange, message, payload, headers);
        ("send".equals(op.getString("action")) ? published : consumed).put(type, entry);
      }
    }
  }

  public static EventContract get() {
    return INSTANCE;
  }

  private static EventContract load() {
    try (InputStream in = EventContract.class.getClassLoader().getResourceAsStream("asyncapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("asyncapi.yaml is not on the classpath");
      }
      Object yaml = new Yaml().load(in);
      return new EventContract(JsonObject.of().mergeIn(new JsonObject((Map<String, Object>) yaml), true).copy());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Map<String, Message> published() {
    return published;
  }

  public Map<String, Message> consumed() {
    return consumed;
  }

  /** The exchange a routing key is published on, from its channel's AMQP binding. */
  private String exchangeOf(String routingKey) {
    JsonObject channels = document.getJsonObject("channels");
    for (String id : channels.fieldNames()) {
      JsonObject ch = channels.getJsonObject(id);
      if (routingKey.equals(ch.getString("address"))) {
        return ch.getJsonObject("bindings").getJsonObject("amqp").getJsonObject("exchange").getString("name");
      }
    }
    throw new IllegalStateException("no channel has the address " + routingKey);
  }

  /**
   * Checks one message seen on customer_events: its routing key is a published message of the
   * document, the envelope's event_type is the routing key, and body and headers validate.
   */
  public void checkPublished(String routingKey, String body, Map<String, Object> headers) {
    Message m = published.get(routingKey);
    if (m == null) {
      throw new AssertionError("customer_events carried routing key " + routingKey + ", which asyncapi.yaml does not declare: " + body);
    }
    JsonObject json = new JsonObject(body);
    if (!routingKey.equals(json.getString("event_type"))) {
      throw new AssertionError("routing key " + routingKey + " carried event_type " + json.getString("event_type"));
    }
    check(m.payload(), json, routingKey + " payload", body);
    if (m.headers() != null && headers != null) {
      JsonObject h = new JsonObject();
      headers.forEach((k, v) -> h.put(k, v == null ? null : v instanceof Number ? v : v.toString()));
      check(m.headers(), h, routingKey + " headers", h.encode());
    }
  }

  /** Checks an event another service would send against the consumed message of its routing key. */
  public void checkConsumed(String routingKey, JsonObject envelope) {
    Message m = consumed.get(routingKey);
    if (m == null) {
      throw new AssertionError("asyncapi.yaml declares no consumed message " + routingKey);
    }
    check(m.payload(), envelope, routingKey + " (consumed)", envelope.encode());
  }

  /** Every event type constant the document names as published. */
  public Set<String> publishedTypes() {
    return new TreeSet<>(published.keySet());
  }

  private static void check(Validator validator, JsonObject json, String what, String body) {
    OutputUnit result = validator.validate(json);
    if (!result.getValid()) {
      StringBuilder errors = new StringBuilder();
      List<OutputUnit> list = result.getErrors();
      if (list != null) {
        for (OutputUnit e : list) {
          errors.append("\n  ").append(e.getInstanceLocation()).append(": ").append(e.getError())
              .append(" (").append(e.getKeywordLocation()).append(")");
        }
      }
      throw new AssertionError(what + " does not match asyncapi.yaml:" + errors + "\n  message: " + body);
    }
  }

  private Validator validator(JsonObject schema) {
    JsonObject inlined = (JsonObject) resolve(schema, document);
    return Validator.create(JsonSchema.of(inlined), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("https://zenlogic.example/asyncapi").setOutputFormat(OutputFormat.Basic));
  }

  /** The value with every local $ref ("#/a/b") replaced by what it points at, recursively. */
  static Object resolve(Object value, JsonObject root) {
    if (value instanceof JsonObject o) {
      if (o.containsKey("$ref")) {
        String ref = o.getString("$ref");
        if (!ref.startsWith("#/")) {
          throw new IllegalStateException("only local $refs are used: " + ref);
        }
        Object target = root;
        for (String part : ref.substring(2).split("/")) {
          target = ((JsonObject) target).getValue(part.replace("~1", "/").replace("~0", "~"));
          if (target == null) {
            throw new IllegalStateException("dangling $ref " + ref);
          }
        }
        JsonObject merged = ((JsonObject) resolve(target, root)).copy();
        o.forEach(e -> {
          if (!e.getKey().equals("$ref")) {
            merged.put(e.getKey(), resolve(e.getValue(), root));
          }
        });
        return merged;
      }
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), resolve(e.getValue(), root)));
      return out;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(resolve(v, root)));
      return out;
    }
    return value;
  }
}
