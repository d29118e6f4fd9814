package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerQuery;
import com.zenlogic.customerservice.infra.DomainException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** Opaque page cursors: the keyset position, base64url-encoded so callers pass it back untouched. */
final class Cursors {
  private Cursors() {}

  static String encode(CustomerQuery.Position p) {
    if (p == null) {
      return null;
    }
    JsonObject json = new JsonObject().put("id", p.id().toString());
    if (p.sortKey() != null) {
      json.put("k", p.sortKey());
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.toBuffer().getBytes());
  }

  static CustomerQuery.Position decode(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      return new CustomerQuery.Position(json.getString("k"), UUID.fromString(json.getString("id")));
    } catch (RuntimeException e) {
      throw DomainException.invalid("cursor", "is not a cursor this service issued");
    }
  }
}
