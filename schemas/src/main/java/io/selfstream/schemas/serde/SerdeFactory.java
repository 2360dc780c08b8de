package io.selfstream.schemas.serde;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.ClientSettings.RegistryApi;
import io.selfstream.schemas.TopicSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place that turns {@link ClientSettings} into Kafka serdes. Keys are always UTF-8 strings
 * (source id or model name); values are the generated Avro classes of the topic's {@link
 * TopicSpec}, written through the schema registry:
 *
 * <ul>
 *   <li>{@link RegistryApi#APICURIO}: Apicurio Registry serdes ({@code AvroKafkaSerializer} /
 *       {@code AvroKafkaDeserializer}) against the v3 API, artifact id {@code <topic>-value}, id in
 *       the payload (magic byte 0 + 4-byte content id, no headers), specific Avro reader;
 *   <li>{@link RegistryApi#CONFLUENT}: selfstream's {@link ConfluentAvroSerializer} / {@link
 *       ConfluentAvroDeserializer} against any Confluent-API registry (Confluent Schema Registry,
 *       Apicurio {@code /apis/ccompat/v7}), subject {@code <topic>-value}, Confluent framing.
 * </ul>
 *
 * <p>Typed serdes come from {@link #valueSerde}; code that configures serdes by class name (plain
 * Kafka clients, Flink's Kafka connector) uses {@link #producerConfig()} / {@link
 * #consumerConfig(TopicSpec)} or {@link #serdeConfig()}. Every map value is a {@code String} so the
 * maps are serializable and can travel inside a Flink job graph.
 */
public final class SerdeFactory {

  private final ClientSettings settings;

  public SerdeFactory(ClientSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public ClientSettings settings() {
    return settings;
  }

  /** Key serde of every topic. */
  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** A configured value serde for {@code topic}; the caller closes it. */
  public <V extends SpecificRecord> Serde<V> valueSerde(TopicSpec<V> topic) {
    return Serdes.serdeFrom(valueSerializer(topic), valueDeserializer(topic));
  }

  /** A configured value serializer for {@code topic}. */
  public <V extends SpecificRecord> Serializer<V> valueSerializer(TopicSpec<V> topic) {
    Objects.requireNonNull(topic, "topic");
    Serializer<V> serializer =
        switch (settings.registryApi()) {
          case APICURIO -> new ApicurioAvroSerializer<>();
          case CONFLUENT -> new ConfluentAvroSerializer<>();
        };
    serializer.configure(serdeConfig(), false);
    return serializer;
  }

  /** A configured value deserializer for {@code topic} that returns its generated class. */
  public <V extends SpecificRecord> Deserializer<V> valueDeserializer(TopicSpec<V> topic) {
    Objects.requireNonNull(topic, "topic");
    Deserializer<V> deserializer =
        switch (settings.registryApi()) {
          case APICURIO -> new AvroKafkaDeserializer<>();
          case CONFLUENT -> new ConfluentAvroDeserializer<>();
        };
    deserializer.configure(deserializerConfig(topic), false);
    return deserializer;
  }

  /** Value serializer class for configuration by class name. */
  @SuppressWarnings("rawtypes")
  public Class<? extends Serializer> valueSerializerClass() {
    return settings.registryApi() == RegistryApi.APICURIO
        ? ApicurioAvroSerializer.class
        : ConfluentAvroSerializer.class;
  }

  /** Value deserializer class for configuration by class name. */
  @SuppressWarnings("rawtypes")
  public Class<? extends Deserializer> valueDeserializerClass() {
    return settings.registryApi() == RegistryApi.APICURIO
        ? AvroKafkaDeserializer.class
        : ConfluentAvroDeserializer.class;
  }

  /**
   * The serde settings alone (registry URL, auto-register, reader and framing options), for {@code
   * Serializer.configure} / {@code Deserializer.configure} or to merge into client configs.
   */
  public Map<String, Object> serdeConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    switch (settings.registryApi()) {
      case APICURIO -> {
        config.put(AvroSerdeConfig.REGISTRY_URL, settings.registryUrl());
        config.put(
            AvroSerdeConfig.AUTO_REGISTER_ARTIFACT, Boolean.toString(settings.autoRegister()));
        config.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, "true");
        // schema id travels in the payload (magic byte + 4-byte id), not in record headers, so
        // records stay readable by tools and code paths that drop headers
        config.put(KafkaSerdeConfig.ENABLE_HEADERS, "false");
      }
      case CONFLUENT -> {
        config.put(ConfluentSerdeConfig.SCHEMA_REGISTRY_URL, settings.registryUrl());
        config.put(
            ConfluentSerdeConfig.AUTO_REGISTER_SCHEMAS, Boolean.toString(settings.autoRegister()));
      }
    }
    return config;
  }

  /**
   * Producer properties: {@code bootstrap.servers}, String key serializer, the value serializer
   * class and {@link #serdeConfig()}. Add tuning (acks, linger, ...) on top.
   */
  public Map<String, Object> producerConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSerializerClass().getName());
    config.putAll(serdeConfig());
    return config;
  }

  /**
   * Consumer properties for reading {@code topic}: {@code bootstrap.servers}, String key
   * deserializer, the value deserializer class returning the topic's generated class, and {@link
   * #serdeConfig()}. Add group id, offsets and isolation on top.
   */
  public Map<String, Object> consumerConfig(TopicSpec<?> topic) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializerClass().getName());
    config.putAll(deserializerConfig(topic));
    return config;
  }

  private Map<String, Object> deserializerConfig(TopicSpec<?> topic) {
    Map<String, Object> config = serdeConfig();
    if (settings.registryApi() == RegistryApi.CONFLUENT) {
      config.put(ConfluentSerdeConfig.VALUE_RETURN_CLASS, topic.valueType().getName());
    }
    // Apicurio's specific reader finds the generated class by the writer schema's full name
    return config;
  }
}
