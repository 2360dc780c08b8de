package io.selfstream.ops.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real broker and registry: topics, schemas and records survive a restart. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EmbeddedStackIT {

  @TempDir Path dataDir;

  @Test
  void startsCreatesTopicsAndSchemasAndKeepsDataAcrossRestart() throws Exception {
    StackSettings settings = StackSettings.forTests(dataDir);
    Map<String, Integer> idsBefore;
    try (EmbeddedStack stack = EmbeddedStack.start(settings)) {
      System.out.printf(
          "embedded stack (cold, registry %s) ready in %d ms%n",
          stack.registry().flavor(), stack.startupTime().toMillis());
      assertThat(topicNames(stack.bootstrap()))
          .containsAll(Topics.ALL.stream().map(TopicSpec::name).toList());
      assertThat(new SchemaRegistrar(stack.registry().confluentCompatibleUrl()).subjects())
          .containsAll(Topics.ALL.stream().map(t -> t.name() + "-value").toList());
      idsBefore = stack.schemaIds();
      // both registry families, by configuration alone, against the real registry
      assertRoundTrip(stack.clientSettings());
      assertRoundTrip(
          new ClientSettings(
              stack.bootstrap(),
              stack.registry().confluentCompatibleUrl(),
              ClientSettings.RegistryApi.CONFLUENT,
              true));
      produce(stack.bootstrap(), "before-restart");
      assertThat(EmbeddedStack.runningStack(dataDir)).isPresent();
    }
    assertThat(EmbeddedStack.runningStack(dataDir)).isEmpty();

    try (EmbeddedStack stack = EmbeddedStack.start(settings)) {
      System.out.printf(
          "embedded stack (warm restart) ready in %d ms%n", stack.startupTime().toMillis());
      // same subjects, same ids: records framed with an old id still decode
      assertThat(stack.schemaIds()).isEqualTo(idsBefore);
      produce(stack.bootstrap(), "after-restart");
      assertThat(readAll(stack.bootstrap())).containsExactly("before-restart", "after-restart");
    }
  }

  private static void assertRoundTrip(ClientSettings client) {
    SerdeFactory serdes = new SerdeFactory(client);
    EvalLabel label =
        EvalLabel.newBuilder()
            .setSourceId("serde-" + client.registryApi())
            .setSeq(7)
            .setLabel(3)
            .setDomain("fog")
            .setSeverity(5)
            .build();
    try (Serde<EvalLabel> serde = serdes.valueSerde(Topics.LABELS_EVAL)) {
      byte[] bytes = serde.serializer().serialize(Topics.LABELS_EVAL.name(), label);
      assertThat(bytes[0]).as("magic byte").isZero();
      assertThat(serde.deserializer().deserialize(Topics.LABELS_EVAL.name(), bytes))
          .isEqualTo(label);
    }
  }

  private static List<String> topicNames(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      return List.copyOf(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    }
  }

  private static void produce(String bootstrap, String value) throws Exception {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.LABELS_EVAL.name(), 0, null, value.getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> readAll(String bootstrap) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition tp = new TopicPartition(Topics.LABELS_EVAL.name(), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }
}
