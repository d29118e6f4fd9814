package com.zenlogic.customerservice.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/**
 * The event types a subscription may name: exactly those asyncapi.yaml says the service publishes
 * (its "send" operations), so the contract stays the one list (AsyncApiContractTest keeps it equal
 * to what the code can publish). Read once; blocking, so callers load it off the event loop.
 */
public final class EventCatalogue {
  private static volatile Set<String> published;

  private EventCatalogue() {}

  @SuppressWarnings("unchecked")
  public static Set<String> published() {
    Set<String> types = published;
    if (types != null) {
      return types;
    }
    try (InputStream in = EventCatalogue.class.getClassLoader().getResourceAsStream("asyncapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("asyncapi.yaml is not on the classpath");
      }
      Map<String, Object> doc = new Yaml().load(in);
      Map<String, Object> channels = (Map<String, Object>) doc.get("channels");
      Set<String> found = new TreeSet<>();
      for (Object o : ((Map<String, Object>) doc.get("operations")).values()) {
        Map<String, Object> op = (Map<String, Object>) o;
        if ("send".equals(op.get("action"))) {
          String ref = (String) ((Map<String, Object>) op.get("channel")).get("$ref");
          Map<String, Object> channel = (Map<String, Object>) channels.get(ref.substring(ref.lastIndexOf('/') + 1));
          found.add((String) channel.get("address"));
        }
      }
      published = Set.copyOf(found);
      return published;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
