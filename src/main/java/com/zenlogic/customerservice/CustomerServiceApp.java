package com.zenlogic.customerservice;

import com.zenlogic.customerservice.api.http.HttpApiVerticle;
import com.zenlogic.customerservice.infra.AppConfig;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.Migrations;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Brings the service up on a Vert.x instance: migrations off the event loop, then one deployment
 * per concern. Main uses it, and so do the integration tests, so they run exactly what ships.
 */
public final class CustomerServiceApp {
  private CustomerServiceApp() {}

  public static Future<Void> deploy(Vertx vertx, AppConfig config) {
    DbUrl owner = DbUrl.parse("DB_URL", config.dbUrl());
    DbUrl runtime = owner.as(config.dbAppUser(), config.dbAppPassword());
    return vertx.executeBlocking(() -> {
          Migrations.apply(owner, config.dbAppUser(), config.dbAppPassword());
          return null;
        }, false)
        .compose(v -> vertx.deployVerticle(() -> new HttpApiVerticle(config, runtime),
            new DeploymentOptions().setInstances(config.httpInstances())))
        .mapEmpty();
  }
}
