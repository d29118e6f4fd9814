package com.zenlogic.customerservice;

import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.auth.Permission;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigLoader;
import com.zenlogic.customerservice.platform.config.DevDefaults;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** scripts/token: prints a development token for the configured HS256 key. Not part of the running service. */
public final class DevToken {
  /** Every permission the service checks; a dev token without --perm gets them all. */
  public static final List<String> ALL_PERMISSIONS = Permission.allWire();

  private DevToken() {}

  public static void main(String[] args) throws Exception {
    UUID org = UUID.fromString("00000000-0000-4000-8000-000000000001");
    String user = "dev-admin";
    int minutes = 12 * 60;
    List<String> perms = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--org" -> org = UUID.fromString(args[++i]);
        case "--perm" -> perms.add(args[++i]);
        case "--user" -> user = args[++i];
        case "--minutes" -> minutes = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: scripts/token [--org UUID] [--perm P]... [--user ID] [--minutes N]");
          System.exit(2);
        }
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      AppConfig config = AppConfig.from(ConfigLoader.load(vertx, AppConfig.KEY_LIST).await(30, TimeUnit.SECONDS));
      if (config.jwtHs256Secret() == null) {
        config = config.withJwtHs256Secret(DevDefaults.devJwtSecret(config.dataDir()));
      }
      JsonObject claims = new JsonObject().put("sub", user).put("user_id", user).put("organization_id", org.toString())
          .put("permissions", new JsonArray(perms.isEmpty() ? ALL_PERMISSIONS : perms));
      System.out.println(Auth.devToken(vertx, config.jwt(), claims, minutes));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    } finally {
      vertx.close();
    }
  }
}
