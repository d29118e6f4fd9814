package com.zenlogic.customerservice.platform.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verified tokens remembered for a short while: a POS terminal sends the same token with every
 * scan. Keyed by the SHA-256 of the token, so a heap dump holds no usable token; bounded, least
 * recently used first out. Shared by every API verticle instance, hence synchronized.
 */
final class VerifiedTokens {
  private record Entry(JsonObject claims, long untilMillis) {}

  private final int maxEntries;
  private final Map<String, Entry> entries;

  VerifiedTokens(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > VerifiedTokens.this.maxEntries;
      }
    };
  }

  /** The claims of a token verified before and still reusable, else null. */
  synchronized JsonObject get(String token, long nowMillis) {
    String key = key(token);
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (e.untilMillis() <= nowMillis) {
      entries.remove(key);
      return null;
    }
    return e.claims();
  }

  synchronized void put(String token, JsonObject claims, long untilMillis, long nowMillis) {
    if (untilMillis > nowMillis) {
      entries.put(key(token), new Entry(claims.copy(), untilMillis));
    }
  }

  synchronized int size() {
    return entries.size();
  }

  static String key(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
