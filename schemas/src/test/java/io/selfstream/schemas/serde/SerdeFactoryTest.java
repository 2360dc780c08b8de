package io.selfstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.ClientSettings.RegistryApi;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.Frame;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SerdeFactoryTest {

  @Test
  void confluentSerdeRoundTripsThroughTheRegistry() throws Exception {
    try (FakeConfluentRegistry registry = new FakeConfluentRegistry()) {
      SerdeFactory factory =
          new SerdeFactory(
              new ClientSettings("localhost:9092", registry.url(), RegistryApi.CONFLUENT, true));
      Frame frame = ConfluentSerdeTest.frame(5);
      try (Serde<Frame> serde = factory.valueSerde(Topics.FRAMES)) {
        byte[] bytes = serde.serializer().serialize(Topics.FRAMES.name(), frame);
        assertThat(bytes[0]).isZero();
        assertThat(serde.deserializer().deserialize(Topics.FRAMES.name(), bytes)).isEqualTo(frame);
      }
      assertThat(registry.subjects).containsOnlyKeys("frames-value");
      assertThat(factory.keySerde().serializer().serialize("t", "cam-1"))
          .isEqualTo("cam-1".getBytes());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void confluentClientConfigsWorkByClassName() throws Exception {
    try (FakeConfluentRegistry registry = new FakeConfluentRegistry()) {
      SerdeFactory factory =
          new SerdeFactory(
              new ClientSettings("broker:9092", registry.url(), RegistryApi.CONFLUENT, true));
      Map<String, Object> producer = factory.producerConfig();
      Map<String, Object> consumer = factory.consumerConfig(Topics.FRAMES);
      assertThat(producer)
          .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
          .containsEntry(
              ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())
          .containsEntry(
              ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ConfluentAvroSerializer.class.getName())
          .containsEntry(ConfluentSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
      assertThat(consumer)
          .containsEntry(
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName())
          .containsEntry(ConfluentSerdeConfig.VALUE_RETURN_CLASS, Frame.class.getName());
      assertThat(consumer.values()).allMatch(v -> v instanceof String);

      Serializer<Frame> serializer =
          (Serializer<Frame>)
              Class.forName((String) producer.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG))
                  .getDeclaredConstructor()
                  .newInstance();
      serializer.configure(producer, false);
      Deserializer<Object> deserializer =
          (Deserializer<Object>)
              Class.forName((String) consumer.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG))
                  .getDeclaredConstructor()
                  .newInstance();
      deserializer.configure(consumer, false);

      Frame frame = ConfluentSerdeTest.frame(9);
      Object back = deserializer.deserialize("frames", serializer.serialize("frames", frame));
      assertThat(back).isInstanceOf(Frame.class).isEqualTo(frame);
    }
  }

  @Test
  void apicurioSerdesAreConfiguredForTheV3ApiWithSpecificReader() {
    String url = "http://127.0.0.1:1/apis/registry/v3";
    SerdeFactory factory =
        new SerdeFactory(new ClientSettings("localhost:9092", url, RegistryApi.APICURIO, false));

    assertThat(factory.serdeConfig())
        .containsEntry("apicurio.registry.url", url)
        .containsEntry("apicurio.registry.auto-register", "false")
        .containsEntry("apicurio.registry.use-specific-avro-reader", "true")
        .containsEntry("apicurio.registry.headers.enabled", "false");
    assertThat(factory.valueSerializerClass()).isEqualTo(ApicurioAvroSerializer.class);
    assertThat(factory.valueDeserializerClass()).isEqualTo(AvroKafkaDeserializer.class);
    assertThat(factory.consumerConfig(Topics.MODEL_UPDATES))
        .containsEntry(
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
    try (Serde<Frame> serde = factory.valueSerde(Topics.FRAMES)) {
      assertThat(serde.serializer()).isInstanceOf(AvroKafkaSerializer.class);
      assertThat(serde.deserializer()).isInstanceOf(AvroKafkaDeserializer.class);
    }
  }
}
