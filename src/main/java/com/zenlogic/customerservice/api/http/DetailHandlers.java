package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.Address;
import com.zenlogic.customerservice.customer.AddressBook;
import com.zenlogic.customerservice.customer.PreferenceService;
import com.zenlogic.customerservice.customer.Preferences;
import com.zenlogic.customerservice.platform.auth.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Addresses and preferences sub-resources of a customer. */
final class DetailHandlers {
  private final AddressBook addresses;
  private final PreferenceService preferences;

  DetailHandlers(AddressBook addresses, PreferenceService preferences) {
    this.addresses = addresses;
    this.preferences = preferences;
  }

  void listAddresses(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    addresses.list(caller, Requests.pathId(ctx, "id"))
        .onSuccess(list -> {
          JsonArray items = new JsonArray();
          list.forEach(a -> items.add(json(a)));
          Responses.ok(ctx, new JsonObject().put("items", items));
        })
        .onFailure(ctx::fail);
  }

  void addAddress(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    UUID customerId = Requests.pathId(ctx, "id");
    addresses.add(caller, customerId, input(Requests.body(ctx)))
        .onSuccess(a -> Responses.json(ctx, 201, json(a)))
        .onFailure(ctx::fail);
  }

  void replaceAddress(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    UUID customerId = Requests.pathId(ctx, "id");
    UUID addressId = Requests.pathId(ctx, "address_id");
    addresses.replace(caller, customerId, addressId, input(Requests.body(ctx)))
        .onSuccess(a -> Responses.ok(ctx, json(a)))
        .onFailure(ctx::fail);
  }

  void deleteAddress(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    addresses.remove(caller, Requests.pathId(ctx, "id"), Requests.pathId(ctx, "address_id"))
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  void getPreferences(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    preferences.get(caller, Requests.pathId(ctx, "id"))
        .onSuccess(p -> Responses.ok(ctx, json(p)))
        .onFailure(ctx::fail);
  }

  void replacePreferences(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    JsonObject body = Requests.body(ctx);
    Map<String, Boolean> consent = new LinkedHashMap<>();
    JsonObject consentJson = body.getJsonObject("marketing_consent", new JsonObject());
    consentJson.fieldNames().forEach(ch -> consent.put(ch, consentJson.getBoolean(ch)));
    preferences.replace(caller, Requests.pathId(ctx, "id"),
            CustomerInput.strings(body.getJsonArray("favourite_channels")),
            CustomerInput.strings(body.getJsonArray("categories_of_interest")),
            CustomerInput.strings(body.getJsonArray("restrictions")),
            consent)
        .onSuccess(p -> Responses.ok(ctx, json(p)))
        .onFailure(ctx::fail);
  }

  private static Address input(JsonObject b) {
    return new Address(null, null, b.getString("kind"), b.getString("label"), b.getString("line1"), b.getString("line2"),
        b.getString("city"), b.getString("region"), b.getString("postal_code"), b.getString("country"),
        b.getBoolean("is_default", false), null, null);
  }

  static JsonObject json(Address a) {
    return new JsonObject()
        .put("id", a.id().toString())
        .put("customer_id", a.customerId().toString())
        .put("kind", a.kind())
        .put("label", a.label())
        .put("line1", a.line1())
        .put("line2", a.line2())
        .put("city", a.city())
        .put("region", a.region())
        .put("postal_code", a.postalCode())
        .put("country", a.country())
        .put("is_default", a.isDefault())
        .put("created_at", a.createdAt().toString())
        .put("updated_at", a.updatedAt().toString());
  }

  static JsonObject json(Preferences p) {
    JsonObject consent = new JsonObject();
    p.marketingConsent().forEach((ch, c) ->
        consent.put(ch, new JsonObject().put("granted", c.granted()).put("updated_at", c.updatedAt().toString())));
    return new JsonObject()
        .put("favourite_channels", new JsonArray(List.copyOf(p.favouriteChannels())))
        .put("categories_of_interest", new JsonArray(List.copyOf(p.categoriesOfInterest())))
        .put("restrictions", new JsonArray(List.copyOf(p.restrictions())))
        .put("marketing_consent", consent)
        .put("updated_at", p.updatedAt() == null ? null : p.updatedAt().toString());
  }
}
