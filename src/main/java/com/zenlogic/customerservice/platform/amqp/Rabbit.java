package com.zenlogic.customerservice.platform.amqp;

import io.vertx.core.Vertx;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

/** RabbitMQ clients that keep reconnecting by themselves after the broker restarts or the network drops. */
public final class Rabbit {
  private Rabbit() {}

  public static RabbitMQClient client(Vertx vertx, String amqpUrl, String connectionName) {
    RabbitMQOptions options = new RabbitMQOptions()
        .setUri(amqpUrl)
        .setConnectionName("customer-service/" + connectionName)
        // Vert.x restarts the connection (and its consumers); the Java client's own recovery stays off.
        .setAutomaticRecoveryEnabled(false)
        .setReconnectAttempts(Integer.MAX_VALUE)
        .setReconnectInterval(1000)
        .setConnectionTimeout(5000)
        .setRequestedHeartbeat(10);
    return RabbitMQClient.create(vertx, options);
  }
}
