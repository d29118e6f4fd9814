package com.zenlogic.customerservice.platform.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Layers, later wins: conf/config.json, the file named by CONFIG_FILE, environment variables. */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static Future<JsonObject> load(Vertx vertx, List<String> keys) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(file("conf/config.json", true));
    String extra = System.getenv("CONFIG_FILE");
    if (extra != null && !extra.isBlank()) {
      options.addStore(file(extra, false));
    }
    options.addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("keys", new JsonArray(keys)).put("raw-data", true)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .recover(e -> Future.failedFuture(new ConfigException(extra != null ? "CONFIG_FILE" : "conf/config.json",
            "cannot be read: " + e.getMessage())))
        .eventually(retriever::close);
  }


  private static ConfigStoreOptions file(String path, boolean optional) {
    return new ConfigStoreOptions().setType("file").setFormat("json").setOptional(optional)
        .setConfig(new JsonObject().put("path", path));
  }
}
