package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of purchased lines, for the REST purchase and earn bodies and the consumed
 * order.completed / pos.transaction.completed events. Fields it does not know are ignored (the
 * Order and POS services send more than we keep); a known field that is wrong is refused naming
 * it, e.g. {@code items[2].quantity}.
 */
public final class PurchaseItems {
  /** Lines per purchase: a long supermarket receipt, not a catalogue. */
  public static final int MAX_ITEMS = 500;
  static final int MAX_ID = 100;
  static final int MAX_NAME = 200;
  static final int MAX_CATEGORY = 100;

  private PurchaseItems() {}

  /** {@code path} names the array in errors ("items", "data.items"); null or absent is no items. */
  public static List<PurchaseItem> read(String path, Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw DomainException.invalid(path, "must be an array of items");
    }
    if (array.size() > MAX_ITEMS) {
      throw DomainException.invalid(path, "must have at most " + MAX_ITEMS + " items");
    }
    List<PurchaseItem> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw DomainException.invalid(at, "must be an object");
      }
      Object quantity = item.getValue("quantity");
      Object price = item.getValue("unit_price");
      items.add(new PurchaseItem(
          text(item, at, "product_id", MAX_ID),
          text(item, at, "variant_id", MAX_ID),
          text(item, at, "name", MAX_NAME),
          text(item, at, "category", MAX_CATEGORY),
          // An event without a quantity sold one unit (as punch cards always read it).
          quantity == null ? BigDecimal.ONE.setScale(3) : Decimals.quantity(at + ".quantity", quantity),
          price == null ? null : Decimals.money(at + ".unit_price", price)));
    }
    return List.copyOf(items);
  }

  /** An optional string field: trimmed, blank is absent, storable text of at most {@code max} characters. */
  private static String text(JsonObject item, String at, String field, int max) {
    Object v = item.getValue(field);
    if (v == null) {
      return null;
    }
    String path = at + "." + field;
    if (!(v instanceof String s)) {
      throw DomainException.invalid(path, "must be a string");
    }
    String t = Text.checked(path, s).strip();
    if (t.length() > max) {
      throw DomainException.invalid(path, "must be at most " + max + " characters");
    }
    return t.isEmpty() ? null : t;
  }
}
