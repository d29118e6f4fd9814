package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerQuery;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page cursors, one convention for every list: {@code {items, next_cursor}} out, {@code cursor} in.
 * A cursor is base64url JSON of the organization, the list it came from (with its scope: the customer,
 * the segment, the sort order) and the keyset position of the last row served. A cursor from another
 * organization or another list is refused (400, field cursor) instead of silently paging something else.
 * Not signed: a forged position can only move within the caller's own organization's rows.
 */
final class Cursors {
  private static final String INVALID = "is not a cursor this service issued for this list";

  private Cursors() {}

  /** Where a page of history ends: newest first by (occurred_at, id). */
  record HistoryPosition(Instant occurredAt, long id) {}

  static String search(UUID org, boolean byName, CustomerQuery.Position p) {
    if (p == null) {
      return null;
    }
    JsonArray position = byName ? new JsonArray().add(p.sortKey()).add(p.id().toString()) : new JsonArray().add(p.id().toString());
    return encode(org, byName ? "customers.search:name" : "customers.search:id", position);
  }

  static CustomerQuery.Position search(UUID org, boolean byName, String cursor) {
    JsonArray p = decode(org, byName ? "customers.search:name" : "customers.search:id", cursor);
    if (p == null) {
      return null;
    }
    return guarded(() -> byName
        ? new CustomerQuery.Position(Text.checked("cursor", p.getString(0)), uuid(p.getString(1)))
        : new CustomerQuery.Position(null, uuid(p.getString(0))));
  }

  /** A route's customers page by id, like the search by keys; the cursor belongs to that route. */
  static String route(UUID org, String route, CustomerQuery.Position p) {
    return p == null ? null : encode(org, "routes:" + route, new JsonArray().add(p.id().toString()));
  }

  static CustomerQuery.Position route(UUID org, String route, String cursor) {
    JsonArray p = decode(org, "routes:" + route, cursor);
    return p == null ? null : guarded(() -> new CustomerQuery.Position(null, uuid(p.getString(0))));
  }

  static String ledger(UUID org, UUID customerId, Long lastId) {
    return afterId(org, "loyalty.ledger:" + customerId, lastId);
  }

  static Long ledger(UUID org, UUID customerId, String cursor) {
    return afterId(org, "loyalty.ledger:" + customerId, cursor);
  }

  static String history(UUID org, UUID customerId, HistoryPosition last) {
    return last == null ? null : encode(org, "history:" + customerId,
        new JsonArray().add(last.occurredAt().toString()).add(last.id()));
  }

  static HistoryPosition history(UUID org, UUID customerId, String cursor) {
    JsonArray p = decode(org, "history:" + customerId, cursor);
    return p == null ? null : guarded(() -> new HistoryPosition(Instant.parse(p.getString(0)), positive(p.getLong(1))));
  }

  static String audit(UUID org, UUID customerId, Long lastId) {
    return afterId(org, "customers.audit:" + customerId, lastId);
  }

  static Long audit(UUID org, UUID customerId, String cursor) {
    return afterId(org, "customers.audit:" + customerId, cursor);
  }

  static String consents(UUID org, UUID customerId, Long lastId) {
    return afterId(org, "customers.consents:" + customerId, lastId);
  }

  static Long consents(UUID org, UUID customerId, String cursor) {
    return afterId(org, "customers.consents:" + customerId, cursor);
  }

  static String segment(UUID org, String segment, UUID lastCustomer) {
    return lastCustomer == null ? null : encode(org, "segment:" + segment, new JsonArray().add(lastCustomer.toString()));
  }

  static UUID segment(UUID org, String segment, String cursor) {
    JsonArray p = decode(org, "segment:" + segment, cursor);
    return p == null ? null : guarded(() -> uuid(p.getString(0)));
  }

  /** A subscription's delivery log, newest first: the last delivery id served. */
  static String webhookDeliveries(UUID org, UUID subscription, Long lastId) {
    return afterId(org, "webhook.deliveries:" + subscription, lastId);
  }

  static Long webhookDeliveries(UUID org, UUID subscription, String cursor) {
    return afterId(org, "webhook.deliveries:" + subscription, cursor);
  }

  /** A list paged by a row id (newest first or oldest first): the position is the last id served. */
  private static String afterId(UUID org, String list, Long lastId) {
    return lastId == null ? null : encode(org, list, new JsonArray().add(lastId));
  }

  private static Long afterId(UUID org, String list, String cursor) {
    JsonArray p = decode(org, list, cursor);
    return p == null ? null : guarded(() -> positive(p.getLong(0)));
  }

  private static String encode(UUID org, String list, JsonArray position) {
    JsonObject json = new JsonObject().put("o", org.toString()).put("l", list).put("p", position);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.toBuffer().getBytes());
  }

  private static JsonArray decode(UUID org, String list, String cursor) {
    if (cursor == null) {
      return null;
    }
    JsonObject json = guarded(() -> new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)));
    JsonArray position = guarded(() -> {
      if (!org.toString().equals(json.getString("o")) || !list.equals(json.getString("l"))) {
        throw new IllegalArgumentException("another organization or list");
      }
      return json.getJsonArray("p");
    });
    if (position == null || position.isEmpty()) {
      throw DomainException.invalid("cursor", INVALID);
    }
    return position;
  }

  private static UUID uuid(String value) {
    return Ids.parse("cursor", value);
  }

  private static long positive(Long value) {
    if (value == null || value <= 0) {
      throw new IllegalArgumentException("not a row id");
    }
    return value;
  }

  /** Any decoding problem (base64, JSON, types, another list) is one answer: not a cursor for this list. */
  private static <T> T guarded(java.util.function.Supplier<T> decoding) {
    try {
      return decoding.get();
    } catch (DomainException e) {
      throw "cursor".equals(e.field()) ? e : DomainException.invalid("cursor", INVALID);
    } catch (RuntimeException e) {
      throw DomainException.invalid("cursor", INVALID);
    }
  }
}
