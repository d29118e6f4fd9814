package com.zenlogic.customerservice.platform.bus;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one codec of the bus's records. Within a process {@link #transform} passes the record by
 * reference; across nodes the record travels as JSON (never Java serialization):
 * {@code {"v":1,"type":"loyalty.earn/request","body":{...}}}, length-prefixed. The type name is
 * registered per {@link Address} ({@code <address>/request}, {@code <address>/reply}), so moving a
 * Java class to another package does not change the wire. BigDecimal travels as a string (exact
 * scale), Instant and LocalDate as ISO-8601 strings.
 *
 * <p>A body this node cannot read (unknown schema version, unknown type, bad JSON) decodes to an
 * {@link Undecodable}, which the receiver answers with a clear failure instead of crashing the
 * connection.
 */
public final class WireCodec implements MessageCodec<Object, Object> {
  /** Schema version of the envelope and bodies: bump on any change an older node cannot read. */
  public static final int VERSION = 1;
  static final String NAME = "zl-record";

  private static final Map<String, Class<?>> TYPES = new ConcurrentHashMap<>();
  private static final Map<Class<?>, TreeSet<String>> NAMES = new ConcurrentHashMap<>();

  static final ObjectMapper MAPPER = mapper();

  /** What a node received but cannot read; answered with a failure, never handed to a handler. */
  public record Undecodable(String reason) {}

  static void register(String typeName, Class<?> type) {
    Class<?> before = TYPES.putIfAbsent(typeName, type);
    if (before != null && before != type) {
      throw new IllegalStateException("Wire type " + typeName + " is already " + before.getName());
    }
    NAMES.computeIfAbsent(type, t -> new TreeSet<>()).add(typeName);
  }

  /** The stable wire name of a registered type (the smallest of its names, so every node picks the same). */
  static String typeName(Class<?> type) {
    TreeSet<String> names = NAMES.get(type);
    if (names == null && type.getEnclosingClass() != null) {
      // A record built before its *Messages class (which declares the Addresses) was initialized.
      try {
        Class.forName(type.getEnclosingClass().getName(), true, type.getClassLoader());
      } catch (ClassNotFoundException ignored) {
        // reported below
      }
      names = NAMES.get(type);
    }
    if (names == null) {
      throw new IllegalArgumentException("Not a registered bus type (declare it on an Address): " + type.getName());
    }
    synchronized (names) {
      return names.first();
    }
  }

  static boolean isRegistered(Object body) {
    return body != null && NAMES.containsKey(body.getClass());
  }

  @Override
  public void encodeToWire(Buffer buffer, Object o) {
    byte[] bytes = toJson(o).getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson(buffer.getString(pos + 4, pos + 4 + length, "UTF-8"));
  }

  /** The wire JSON of one record. */
  public static String toJson(Object o) {
    Objects.requireNonNull(o, "body");
    ObjectNode envelope = MAPPER.createObjectNode();
    envelope.put("v", VERSION);
    envelope.put("type", typeName(o.getClass()));
    envelope.set("body", MAPPER.valueToTree(o));
    try {
      return MAPPER.writeValueAsString(envelope);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode " + o.getClass().getName() + " for the wire", e);
    }
  }

  /** The record back from its wire JSON, or an {@link Undecodable} saying why not. */
  public static Object fromJson(String json) {
    try {
      JsonNode envelope = MAPPER.readTree(json);
      int version = envelope.path("v").asInt(-1);
      String type = envelope.path("type").asText(null);
      if (version != VERSION) {
        return new Undecodable("unsupported bus schema version " + envelope.path("v") + " (this node reads " + VERSION + ") for " + type);
      }
      Class<?> cls = type == null ? null : TYPES.get(type);
      if (cls == null) {
        return new Undecodable("unknown bus type " + type);
      }
      return MAPPER.treeToValue(envelope.path("body"), cls);
    } catch (IOException | RuntimeException e) {
      return new Undecodable("unreadable bus message: " + e.getMessage());
    }
  }

  @Override
  public Object transform(Object o) {
    return o;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private static ObjectMapper mapper() {
    SimpleModule vertxJson = new SimpleModule("vertx-json");
    vertxJson.addSerializer(JsonObject.class, new StdSerializer<>(JsonObject.class) {
      @Override
      public void serialize(JsonObject value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        provider.defaultSerializeValue(value.getMap(), gen);
      }
    });
    vertxJson.addSerializer(JsonArray.class, new StdSerializer<>(JsonArray.class) {
      @Override
      public void serialize(JsonArray value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        provider.defaultSerializeValue(value.getList(), gen);
      }
    });
    vertxJson.addDeserializer(JsonObject.class, new StdDeserializer<>(JsonObject.class) {
      @Override
      @SuppressWarnings("unchecked")
      public JsonObject deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return new JsonObject((Map<String, Object>) p.readValueAs(Map.class));
      }
    });
    vertxJson.addDeserializer(JsonArray.class, new StdDeserializer<>(JsonArray.class) {
      @Override
      public JsonArray deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return new JsonArray((java.util.List<?>) p.readValueAs(java.util.List.class));
      }
    });
    ObjectMapper mapper = new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .registerModule(vertxJson)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    mapper.configOverride(BigDecimal.class).setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING));
    return mapper;
  }
}
