package io.selfstream.config;

/** A configuration value is missing, unknown or invalid; the message names the key. */
public class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String message) {
    super("config key '" + key + "': " + message);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
