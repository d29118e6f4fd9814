package com.zenlogic.customerservice.platform.config;

/** A configuration value the service cannot start with; the message names the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String reason) {
    super("Invalid configuration " + key + ": " + reason);
  }
}
