package io.selfstream.schemas.serde;

/**
 * Configuration keys of {@link ConfluentAvroSerializer} and {@link ConfluentAvroDeserializer} when
 * a Kafka client or Flink connector creates them by class name. The first two are the names
 * Confluent's own serdes use, so existing client configs keep working.
 */
public final class ConfluentSerdeConfig {

  private ConfluentSerdeConfig() {}

  /** Registry base URL (Confluent Schema Registry or Apicurio {@code .../apis/ccompat/v7}). */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  /** Whether the serializer registers schemas it does not find (default true). */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /**
   * Generated Avro class the value deserializer returns; without it the class is found by the
   * writer schema's full name, else a {@code GenericRecord} comes back.
   */
  public static final String VALUE_RETURN_CLASS = "selfstream.registry.value.return-class";

  /** As {@link #VALUE_RETURN_CLASS}, for a key deserializer. */
  public static final String KEY_RETURN_CLASS = "selfstream.registry.key.return-class";

  /** Magic byte that starts every Confluent-framed message. */
  public static final byte MAGIC_BYTE = 0;

  /** Bytes before the Avro body: magic byte + 4-byte big-endian schema id. */
  public static final int HEADER_SIZE = 5;

  static String required(java.util.Map<String, ?> configs, String key) {
    Object value = configs.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new org.apache.kafka.common.config.ConfigException(
          key, value, "the Confluent-API serde needs " + key);
    }
    return value.toString();
  }

  static boolean bool(java.util.Map<String, ?> configs, String key, boolean dflt) {
    Object value = configs.get(key);
    if (value == null) {
      return dflt;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String s = value.toString().trim();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new org.apache.kafka.common.config.ConfigException(key, value, "must be true or false");
  }
}
