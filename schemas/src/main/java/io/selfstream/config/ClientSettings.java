package io.selfstream.config;

import java.util.List;

/**
 * Where the Kafka cluster and the schema registry are. Shared by every command, so {@code
 * --bootstrap} / {@code --registry} point any of them at an external cluster.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param registryUrl registry base URL: the Apicurio v3 API ({@code .../apis/registry/v3}) or a
 *     Confluent-compatible API ({@code .../apis/ccompat/v7} or a Confluent Schema Registry)
 * @param registryApi which REST API the serdes speak
 * @param autoRegister whether producers register schemas they do not find
 */
public record ClientSettings(
    String bootstrap, String registryUrl, RegistryApi registryApi, boolean autoRegister) {

  /** The two schema-registry families selfstream's serdes talk to. */
  public enum RegistryApi {
    /** Apicurio Registry v3 REST API, through the Apicurio serdes. */
    APICURIO,
    /** Confluent Schema Registry REST API (also Apicurio's ccompat/v7), with Confluent framing. */
    CONFLUENT
  }

  public static final ConfigKey<String> BOOTSTRAP =
      ConfigKey.string("kafka.bootstrap", "localhost:9092", "Kafka bootstrap servers");
  public static final ConfigKey<String> REGISTRY_URL =
      ConfigKey.string(
          "registry.url", "http://localhost:8081/apis/registry/v3", "schema registry base URL");
  public static final ConfigKey<RegistryApi> REGISTRY_API =
      ConfigKey.enumValue(
          "registry.api",
          RegistryApi.class,
          RegistryApi.APICURIO,
          "registry REST API: apicurio (v3) or confluent (Confluent / ccompat)");
  public static final ConfigKey<Boolean> REGISTRY_AUTO_REGISTER =
      ConfigKey.bool("registry.autoRegister", true, "producers register missing schemas");

  public static final List<ConfigKey<?>> KEYS =
      List.of(BOOTSTRAP, REGISTRY_URL, REGISTRY_API, REGISTRY_AUTO_REGISTER);

  public ClientSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new ConfigException(BOOTSTRAP.name(), "must not be blank");
    }
    if (registryUrl == null || !registryUrl.matches("https?://.+")) {
      throw new ConfigException(REGISTRY_URL.name(), "must be an http(s) URL, got " + registryUrl);
    }
  }

  public static ClientSettings from(Config config) {
    return new ClientSettings(
        config.get(BOOTSTRAP),
        config.get(REGISTRY_URL),
        config.get(REGISTRY_API),
        config.get(REGISTRY_AUTO_REGISTER));
  }
}
