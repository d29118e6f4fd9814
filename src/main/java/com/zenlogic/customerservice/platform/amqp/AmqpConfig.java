package com.zenlogic.customerservice.platform.amqp;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/** RabbitMQ: null = events wait in the outbox and nothing is consumed. */
public record AmqpConfig(String url) {
  public static final List<String> KEYS = List.of("AMQP_URL");

  public static AmqpConfig from(ConfigReader r) {
    return new AmqpConfig(r.uri("AMQP_URL", "amqp"));
  }
}
