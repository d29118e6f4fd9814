package com.zenlogic.customerservice.platform.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.credit.CreditEventMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyEventMessages;
import com.zenlogic.customerservice.segmentation.SegmentationEventMessages;
import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Generative round trip over every request and reply type of every Address the capabilities
 * declare: random instances from the record components, encoded to the wire, decoded, equal.
 */
class WireCodecTest {
  private static final long SEED = Long.getLong("bus.seed", 20261202L);
  private static final int PER_TYPE = 300;
  private static final List<Class<?>> MESSAGES = List.of(LoyaltyMessages.class, CreditMessages.class, SegmentationMessages.class,
      LoyaltyEventMessages.class, CreditEventMessages.class, SegmentationEventMessages.class);

  @Test
  void everyRequestAndReplyOfEveryAddressSurvivesTheWire() throws Exception {
    Map<String, Address<?, ?>> addresses = declaredAddresses();
    assertTrue(addresses.size() >= 35, "addresses found: " + addresses.size());
    Random random = new Random(SEED);
    WireCodec codec = new WireCodec();
    int checked = 0;
    Set<Class<?>> types = new LinkedHashSet<>();
    for (Address<?, ?> address : addresses.values()) {
      for (Class<?> type : List.of(address.requestType(), address.replyType())) {
        types.add(type);
        for (int i = 0; i < PER_TYPE; i++) {
          Object original = instance(type, random, i % 3 != 0);
          Buffer wire = Buffer.buffer();
          codec.encodeToWire(wire, original);
          Buffer framed = Buffer.buffer().appendBytes(new byte[] {1, 2, 3}).appendBuffer(wire);
          Object back = codec.decodeFromWire(3, framed);
          assertEquals(original, back, () -> address + " " + type.getSimpleName() + " seed " + SEED + ": "
              + wire.getString(4, wire.length()));
          assertEquals(WireCodec.toJson(original), WireCodec.toJson(back));
          checked++;
        }
      }
    }
    System.out.printf("bus wire round trip: %d addresses, %d distinct types, %d instances (seed %d)%n",
        addresses.size(), types.size(), checked, SEED);
  }

  @Test
  void theWireIsVersionedJsonWithStableTypeNamesAndExactDecimals() {
    var earn = new LoyaltyMessages.EarnResult(12, 340, "gold", true, false);
    JsonObject json = new JsonObject(WireCodec.toJson(earn));
    assertEquals(WireCodec.VERSION, json.getInteger("v"));
    assertEquals("loyalty.earn/reply", json.getString("type"));
    assertEquals(340, json.getJsonObject("body").getInteger("pointsBalance"));

    var balance = new CreditMessages.Balance(UUID.randomUUID(), new BigDecimal("10.50"), new BigDecimal("0.000"), BigDecimal.ZERO);
    JsonObject body = new JsonObject(WireCodec.toJson(balance)).getJsonObject("body");
    assertEquals("10.50", body.getString("availableAmount"));
    assertEquals("0.000", body.getString("outstanding"));
    CreditMessages.Balance back = (CreditMessages.Balance) WireCodec.fromJson(WireCodec.toJson(balance));
    assertEquals(2, back.availableAmount().scale());
    assertEquals(3, back.outstanding().scale());
  }

  @Test
  void anUnknownSchemaVersionOrTypeIsAClearFailureNotACrash() {
    String json = WireCodec.toJson(new LoyaltyMessages.EarnResult(1, 2, "bronze", false, false));
    Object future = WireCodec.fromJson(json.replace("\"v\":1", "\"v\":99"));
    WireCodec.Undecodable u = assertInstanceOf(WireCodec.Undecodable.class, future);
    assertTrue(u.reason().contains("unsupported bus schema version 99"), u.reason());
    assertInstanceOf(WireCodec.Undecodable.class, WireCodec.fromJson(json.replace("loyalty.earn/reply", "loyalty.nope/reply")));
    assertInstanceOf(WireCodec.Undecodable.class, WireCodec.fromJson("{not json"));
    Buffer wire = Buffer.buffer();
    byte[] bytes = json.replace("\"v\":1", "\"v\":2").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    wire.appendInt(bytes.length).appendBytes(bytes);
    assertInstanceOf(WireCodec.Undecodable.class, new WireCodec().decodeFromWire(0, wire));
  }

  @Test
  void localDeliveryPassesTheSameInstance() {
    var earn = new LoyaltyMessages.EarnResult(1, 2, "bronze", false, false);
    assertTrue(new WireCodec().transform(earn) == earn);
    assertFalse(WireCodec.isRegistered("a string"));
  }

  static Map<String, Address<?, ?>> declaredAddresses() throws IllegalAccessException {
    Map<String, Address<?, ?>> found = new TreeMap<>();
    for (Class<?> messages : MESSAGES) {
      for (Field f : messages.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == Address.class) {
          Address<?, ?> a = (Address<?, ?>) f.get(null);
          found.put(a.name(), a);
        }
      }
    }
    return found;
  }

  // ---- random instances from record components ----

  static Object instance(Class<?> type, Random random, boolean nulls) throws Exception {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        return value(type, type, random, attempt < 25 && nulls, 0);
      } catch (RuntimeException e) {
        last = e; // a compact constructor refused these values: draw again
      }
    }
    throw new AssertionError("cannot build a " + type.getName(), last);
  }

  private static Object value(Type generic, Class<?> raw, Random r, boolean nulls, int depth) throws Exception {
    if (raw == String.class) {
      return string(r);
    }
    if (raw == int.class || raw == Integer.class) {
      return r.nextInt(5) == 0 ? r.nextInt() : r.nextInt(1000);
    }
    if (raw == long.class || raw == Long.class) {
      return r.nextInt(5) == 0 ? r.nextLong() : (long) r.nextInt(100_000);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return r.nextBoolean();
    }
    if (raw == double.class || raw == Double.class) {
      return r.nextDouble() * 1000;
    }
    if (raw == UUID.class) {
      return UUID.randomUUID();
    }
    if (raw == BigDecimal.class) {
      BigInteger unscaled = BigInteger.valueOf(r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(1_000_000));
      return new BigDecimal(r.nextInt(6) == 0 ? unscaled.negate() : unscaled, r.nextInt(7));
    }
    if (raw == Instant.class) {
      return Instant.ofEpochSecond(1_500_000_000L + r.nextInt(500_000_000), r.nextInt(3) == 0 ? 0 : r.nextInt(1_000_000_000));
    }
    if (raw == LocalDate.class) {
      return LocalDate.ofEpochDay(10_000 + r.nextInt(20_000));
    }
    if (raw == java.time.LocalTime.class) {
      return java.time.LocalTime.ofSecondOfDay(r.nextInt(86_400));
    }
    if (raw.isEnum()) {
      Object[] constants = raw.getEnumConstants();
      return constants[r.nextInt(constants.length)];
    }
    if (raw == JsonObject.class) {
      return json(r, depth);
    }
    if (raw == List.class || raw == Set.class) {
      Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
      Class<?> elementRaw = element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) element;
      int n = depth > 2 ? 0 : r.nextInt(4);
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        list.add(value(element, elementRaw, r, nulls, depth + 1));
      }
      return raw == Set.class ? new HashSet<>(list) : list;
    }
    if (raw.isRecord()) {
      RecordComponent[] components = raw.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      Object[] args = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        boolean nullable = nulls && !types[i].isPrimitive() && types[i] != List.class && types[i] != Set.class && r.nextInt(8) == 0;
        args[i] = nullable ? null : value(components[i].getGenericType(), types[i], r, nulls, depth + 1);
      }
      Constructor<?> ctor = raw.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      try {
        return ctor.newInstance(args);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      }
    }
    throw new AssertionError("no generator for " + generic);
  }

  private static String string(Random r) {
    String[] samples = {"", "a", "café ☕", "O'Brien \"quoted\"", "line\nbreak", "\u0000nul", "😀 emoji", "<tag>&amp;"};
    if (r.nextBoolean()) {
      return samples[r.nextInt(samples.length)];
    }
    StringBuilder s = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      s.append((char) ('a' + r.nextInt(26)));
    }
    return s.toString();
  }

  private static JsonObject json(Random r, int depth) {
    JsonObject o = new JsonObject();
    for (int i = r.nextInt(4); i > 0; i--) {
      String key = "k" + r.nextInt(100);
      switch (r.nextInt(depth > 2 ? 4 : 6)) {
        case 0 -> o.put(key, string(r));
        case 1 -> o.put(key, r.nextInt(10_000));
        case 2 -> o.put(key, r.nextBoolean());
        case 3 -> o.putNull(key);
        case 4 -> o.put(key, json(r, depth + 1));
        default -> o.put(key, new JsonArray().add(string(r)).add(r.nextInt(50)));
      }
    }
    return o;
  }
}
