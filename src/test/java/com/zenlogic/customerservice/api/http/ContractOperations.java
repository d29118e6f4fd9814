package com.zenlogic.customerservice.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every operation of src/main/resources/openapi.yaml with its parameters and body schema, $refs
 * resolved: the fuzz and the tenant matrix are written from the document, so a new operation is
 * covered without touching the tests.
 */
final class ContractOperations {
  record Param(String name, String in, JsonObject schema, boolean required) {}

  record Op(String id, String method, String path, List<Param> params, JsonObject body, boolean bodyRequired) {
    List<Param> in(String location) {
      return params.stream().filter(p -> p.in().equals(location)).toList();
    }
  }

  private ContractOperations() {}

  static List<Op> load(Vertx vertx) throws Exception {
    // The router's copy (HttpApiVerticle): the file and import uploads' media types Vert.x OpenAPI cannot load are dropped.
    JsonObject raw = io.vertx.openapi.impl.Utils.readYamlOrJson(vertx, "openapi.yaml").map(HttpApiVerticle::withRoutableMediaTypes)
        .compose(json -> OpenAPIContract.from(vertx, json)).await(30, TimeUnit.SECONDS).getRawContract();
    List<Op> ops = new ArrayList<>();
    JsonObject paths = raw.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject)) {
        continue; // bookkeeping the loader adds, such as __absolute_uri__
      }
      JsonObject item = resolve(raw, paths.getJsonObject(path));
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        JsonObject op = item.getJsonObject(method);
        if (op == null) {
          continue;
        }
        Map<String, Param> params = new LinkedHashMap<>();
        for (JsonArray list : new JsonArray[] {item.getJsonArray("parameters"), op.getJsonArray("parameters")}) {
          if (list != null) {
            for (Object o : list) {
              JsonObject p = resolve(raw, (JsonObject) o);
              params.put(p.getString("in") + ":" + p.getString("name"), new Param(p.getString("name"), p.getString("in"),
                  p.getJsonObject("schema"), p.getBoolean("required", false)));
            }
          }
        }
        JsonObject body = null;
        boolean required = false;
        if (op.containsKey("requestBody")) {
          JsonObject rb = op.getJsonObject("requestBody");
          JsonObject json = rb.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
          body = json == null ? null : json.getJsonObject("schema");
          required = rb.getBoolean("required", false);
        }
        ops.add(new Op(op.getString("operationId"), method.toUpperCase(), path, List.copyOf(params.values()), body, required));
      }
    }
    return ops;
  }

  /** A copy with every {@code $ref} replaced by what it points to (the contract has no recursive schemas). */
  static JsonObject resolve(JsonObject root, JsonObject node) {
    return (JsonObject) resolveValue(root, node);
  }

  private static Object resolveValue(JsonObject root, Object value) {
    if (value instanceof JsonObject o) {
      if (o.containsKey("$ref")) {
        Object target = root;
        String ref = o.getString("$ref");
        for (String part : ref.substring(ref.indexOf('#') + 2).split("/")) {
          target = ((JsonObject) target).getValue(part);
        }
        JsonObject resolved = ((JsonObject) resolveValue(root, target)).copy();
        o.fieldNames().stream().filter(k -> !k.equals("$ref")).forEach(k -> resolved.put(k, resolveValue(root, o.getValue(k))));
        return resolved;
      }
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), resolveValue(root, e.getValue())));
      return out;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(resolveValue(root, v)));
      return out;
    }
    return value;
  }

  /** The types a schema allows ("type" may be one name or a list). */
  static List<String> types(JsonObject schema) {
    Object t = schema == null ? null : schema.getValue("type");
    if (t instanceof String s) {
      return List.of(s);
    }
    if (t instanceof JsonArray a) {
      return a.stream().map(String::valueOf).toList();
    }
    return List.of();
  }
}
