package com.zenlogic.customerservice.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one reader of purchased lines: what it keeps, what it ignores, what it refuses and how it names it. */
class PurchaseItemsTest {

  @Test
  void keepsTheKnownFieldsIgnoresTheOthersAndPricesTheLineToTheCent() {
    List<PurchaseItem> items = PurchaseItems.read("items", new JsonArray()
        .add(new JsonObject().put("product_id", " latte ").put("name", "Latte").put("category", "coffee").put("quantity", "1.5")
            .put("unit_price", 0.99).put("sku", "L-1").put("modifiers", new JsonArray().add("oat")))
        .add(new JsonObject().put("variant_id", "v-1").put("name", "  ")));
    assertEquals(2, items.size());
    PurchaseItem latte = items.get(0);
    assertEquals("latte", latte.productId(), "trimmed");
    assertEquals(new BigDecimal("1.500"), latte.quantity());
    assertEquals(new BigDecimal("0.99"), latte.unitPrice());
    assertEquals(new BigDecimal("1.49"), latte.lineAmount(), "1.5 × 0.99 = 1.485, half up");
    assertEquals(1, latte.wholeUnits());
    PurchaseItem second = items.get(1);
    assertNull(second.name(), "blank is absent");
    assertEquals(new BigDecimal("1.000"), second.quantity(), "no quantity in an event: one unit");
    assertNull(second.lineAmount(), "no price, no line amount");
    assertEquals(List.of(), PurchaseItems.read("items", null));
  }

  @Test
  void aWrongFieldIsRefusedNamingItsLine() {
    JsonObject ok = new JsonObject().put("product_id", "p").put("quantity", 1);
    Object[][] cases = {
        {"quantity", 0, "data.items[1].quantity"},
        {"quantity", -2, "data.items[1].quantity"},
        {"quantity", "100000.001", "data.items[1].quantity"},
        {"quantity", 1e300, "data.items[1].quantity"},
        {"quantity", "1.0005", "data.items[1].quantity"},
        {"quantity", true, "data.items[1].quantity"},
        {"unit_price", "1.005", "data.items[1].unit_price"},
        {"unit_price", -1, "data.items[1].unit_price"},
        {"category", 5, "data.items[1].category"},
        {"product_id", "x".repeat(101), "data.items[1].product_id"},
        {"name", "a\u0000b", "data.items[1].name"}};
    for (Object[] c : cases) {
      JsonArray items = new JsonArray().add(ok).add(ok.copy().put((String) c[0], c[1]));
      DomainException e = assertThrows(DomainException.class, () -> PurchaseItems.read("data.items", items), c[0] + "=" + c[1]);
      assertEquals(c[2], e.field(), c[0] + "=" + c[1]);
    }
    assertEquals("data.items[0]", assertThrows(DomainException.class,
        () -> PurchaseItems.read("data.items", new JsonArray().add("latte"))).field());
    assertEquals("data.items", assertThrows(DomainException.class,
        () -> PurchaseItems.read("data.items", new JsonObject())).field());
    JsonArray many = new JsonArray();
    for (int i = 0; i < PurchaseItems.MAX_ITEMS; i++) {
      many.add(ok);
    }
    assertEquals(500, PurchaseItems.read("items", many).size());
    many.add(ok);
    assertEquals("items", assertThrows(DomainException.class, () -> PurchaseItems.read("items", many)).field());
  }
}
