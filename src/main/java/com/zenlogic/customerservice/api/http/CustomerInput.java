package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerFields;
import com.zenlogic.customerservice.customer.CustomerProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** JSON bodies to customer profiles through the customer capability's one field reader (CustomerFields). */
final class CustomerInput {
  private CustomerInput() {}

  static CustomerProfile create(JsonObject body) {
    return CustomerFields.create(source(body));
  }

  /** RFC 7396: a present key sets the field, null clears it, an absent key leaves it. */
  static CustomerProfile mergePatch(CustomerProfile p, JsonObject patch) {
    return CustomerFields.mergePatch(p, source(patch));
  }

  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add(v == null ? null : v.toString()));
    }
    return out;
  }

  private static CustomerFields.Source source(JsonObject body) {
    return new CustomerFields.Source() {
      @Override
      public boolean has(String name) {
        return body.containsKey(name);
      }

      @Override
      public String text(String name) {
        return body.getString(name);
      }

      @Override
      public List<String> list(String name) {
        JsonArray array = body.getJsonArray(name);
        return array == null ? null : strings(array);
      }
    };
  }
}
