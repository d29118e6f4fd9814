package com.zenlogic.customerservice.segmentation;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Where quintiles 2..5 started at the last batch, as [value, customer id] pairs in ntile's order;
 * scoring one customer against them gives exactly the score the batch would.
 */
record Bounds(int windowDays, JsonArray recency, JsonArray frequency, JsonArray monetary, JsonArray vip) {

  int recencyScore(Instant last, UUID id) {
    int score = 1;
    for (Object b : recency) {
      JsonArray pair = (JsonArray) b;
      int c = Instant.parse(pair.getString(0)).compareTo(last);
      if (c < 0 || c == 0 && pgOrder(pair.getString(1), id) <= 0) {
        score++;
      }
    }
    return score;
  }

  int frequencyScore(long f, UUID id) {
    return numberScore(frequency, new BigDecimal(f), id);
  }

  int monetaryScore(BigDecimal m, UUID id) {
    return numberScore(monetary, m, id);
  }

  boolean vip(BigDecimal m, UUID id) {
    if (vip == null || vip.isEmpty()) {
      return false;
    }
    int c = new BigDecimal(vip.getString(0)).compareTo(m);
    return c < 0 || c == 0 && pgOrder(vip.getString(1), id) <= 0;
  }

  private static int numberScore(JsonArray bounds, BigDecimal value, UUID id) {
    int score = 1;
    for (Object b : bounds) {
      JsonArray pair = (JsonArray) b;
      int c = new BigDecimal(pair.getString(0)).compareTo(value);
      if (c < 0 || c == 0 && pgOrder(pair.getString(1), id) <= 0) {
        score++;
      }
    }
    return score;
  }

  /** PostgreSQL orders uuids by their bytes, which is the order of their canonical lower-case text. */
  private static int pgOrder(String boundId, UUID id) {
    return boundId.compareTo(id.toString());
  }
}
