package com.zenlogic.customerservice.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** openapi.yaml describes every capability, tags every operation from its declared list, and documents the write limit. */
class OpenApiCoverageTest {
  static final List<String> CAPABILITIES = List.of("customers", "addresses", "preferences", "loyalty", "credit", "segments",
      "purchases", "webhooks", "operations");
  static final Set<String> WRITES = Set.of("post", "put", "patch", "delete");

  @SuppressWarnings("unchecked")
  static Map<String, Object> document() throws Exception {
    try (InputStream in = OpenApiCoverageTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      return new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void theDescriptionNamesEveryCapabilityAndEachHasADeclaredTag() throws Exception {
    Map<String, Object> doc = document();
    String description = (String) ((Map<String, Object>) doc.get("info")).get("description");
    for (String capability : CAPABILITIES) {
      assertTrue(description.contains("**" + capability + "**"), "info.description names " + capability);
    }
    for (String named : List.of("RFM", "/asyncapi.yaml", "/health", "/metrics", "RATE_LIMIT_WRITES_PER_SECOND", "Retry-After")) {
      assertTrue(description.contains(named), "info.description mentions " + named);
    }
    Set<String> declared = new LinkedHashSet<>();
    for (Map<String, Object> tag : (List<Map<String, Object>>) doc.get("tags")) {
      declared.add((String) tag.get("name"));
      assertNotNull(tag.get("description"), "tag " + tag.get("name") + " has a description");
    }
    assertEquals(CAPABILITIES, List.copyOf(declared));
  }

  @SuppressWarnings("unchecked")
  @Test
  void everyOperationHasADeclaredTagAndEveryApiTagIsUsed() throws Exception {
    Map<String, Object> doc = document();
    Set<String> declared = new TreeSet<>();
    ((List<Map<String, Object>>) doc.get("tags")).forEach(t -> declared.add((String) t.get("name")));
    Set<String> used = new TreeSet<>();
    int operations = 0;
    for (var path : ((Map<String, Map<String, Object>>) doc.get("paths")).entrySet()) {
      for (var op : path.getValue().entrySet()) {
        if (!(op.getValue() instanceof Map<?, ?> operation) || !operation.containsKey("operationId")) {
          continue;
        }
        operations++;
        List<String> tags = (List<String>) operation.get("tags");
        String name = op.getKey() + " " + path.getKey();
        assertNotNull(tags, name + " is tagged");
        assertFalse(tags.isEmpty(), name + " is tagged");
        assertTrue(declared.containsAll(tags), name + " uses only declared tags: " + tags);
        used.addAll(tags);
      }
    }
    assertTrue(operations >= 44, "operations: " + operations);
    Set<String> unused = new TreeSet<>(declared);
    unused.removeAll(used);
    assertEquals(Set.of("operations"), unused, "only the operations endpoints live outside the paths");
  }

  @SuppressWarnings("unchecked")
  @Test
  void everyWriteUnderApiV1DocumentsTheRateLimitAndNoReadDoes() throws Exception {
    Map<String, Object> doc = document();
    int writes = 0;
    for (var path : ((Map<String, Map<String, Object>>) doc.get("paths")).entrySet()) {
      for (var op : path.getValue().entrySet()) {
        if (!(op.getValue() instanceof Map<?, ?> operation) || !operation.containsKey("responses")) {
          continue;
        }
        Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
        boolean write = WRITES.contains(op.getKey()) && path.getKey().startsWith("/api/v1/");
        assertEquals(write, responses.containsKey("429"), op.getKey() + " " + path.getKey());
        writes += write ? 1 : 0;
      }
    }
    assertTrue(writes >= 24, "writes: " + writes);
    Map<String, Object> limited = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc.get("components"))
        .get("responses")).get("RateLimited");
    assertTrue(((Map<String, Object>) limited.get("headers")).containsKey("Retry-After"));
  }
}
