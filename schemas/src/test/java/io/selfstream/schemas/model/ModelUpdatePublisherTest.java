package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Transaction boundaries, keys and chunk checks of the publisher, on a MockProducer. */
class ModelUpdatePublisherTest {

  static final KeyPair KEY = SigningKeys.generate();
  static final Serializer<ModelUpdate> AVRO =
      (topic, value) -> {
        try {
          return value.toByteBuffer().array();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };

  final TestModels.ManualClock clock = new TestModels.ManualClock();
  final UpdateEncoder encoder = new UpdateEncoder(KEY, 4096, clock);
  final ModelParameters params = TestModels.random(TestModels.SMALL, 7, 0.1);

  MockProducer<String, ModelUpdate> producer() {
    return new MockProducer<>(true, null, new StringSerializer(), AVRO);
  }

  @Test
  void allChunksOfAVersionGoInOneCommittedTransactionKeyedByModel() {
    MockProducer<String, ModelUpdate> mock = producer();
    try (ModelUpdatePublisher publisher = new ModelUpdatePublisher(mock, encoder, clock)) {
      assertThat(mock.transactionInitialized()).isTrue();
      ModelUpdatePublisher.Published p = publisher.publishFull("encoder", 1, 0, params, Map.of());

      List<ProducerRecord<String, ModelUpdate>> sent = mock.history();
      assertThat(sent).hasSizeGreaterThan(1);
      assertThat(sent).allSatisfy(r -> assertThat(r.key()).isEqualTo("encoder"));
      assertThat(sent)
          .allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.MODEL_UPDATES.name()));
      assertThat(mock.commitCount()).isEqualTo(1);
      assertThat(mock.transactionCommitted()).isTrue();
      assertThat(p.chunks()).isEqualTo(sent.size());
      assertThat(p.version()).isEqualTo(1);
      assertThat(p.kind()).isEqualTo(UpdateKind.FULL);
      assertThat(p.payloadBytes()).isEqualTo(params.toBytes().length);

      // what was sent assembles back into the same parameters
      UpdateAssembler assembler = new UpdateAssembler("encoder", List.of(KEY.getPublic()));
      ModelVersion v = null;
      for (ProducerRecord<String, ModelUpdate> r : sent) {
        v = assembler.accept(r.value()).orElse(v);
      }
      assertThat(v).isNotNull();
      assertThat(v.parameters().maxAbsDifference(params)).isZero();

      publisher.publishFull("encoder", 2, 1, params, Map.of());
      assertThat(mock.commitCount()).isEqualTo(2);
    }
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void aFailedSendAbortsTheTransactionAndThePublisherStaysUsable() {
    MockProducer<String, ModelUpdate> mock = producer();
    try (ModelUpdatePublisher publisher = new ModelUpdatePublisher(mock, encoder, clock)) {
      mock.sendException = new KafkaException("broker said no");
      assertThatThrownBy(() -> publisher.publishFull("encoder", 1, 0, params, Map.of()))
          .isInstanceOf(KafkaException.class);
      assertThat(mock.transactionAborted()).isTrue();
      assertThat(mock.commitCount()).isZero();

      mock.sendException = null;
      publisher.publishFull("encoder", 1, 0, params, Map.of());
      assertThat(mock.commitCount()).isEqualTo(1);
    }
  }

  @Test
  void aFencedPublisherRefusesFurtherVersions() {
    MockProducer<String, ModelUpdate> mock = producer();
    try (ModelUpdatePublisher publisher = new ModelUpdatePublisher(mock, encoder, clock)) {
      mock.commitTransactionException = new ProducerFencedException("another publisher took over");
      assertThatThrownBy(() -> publisher.publishFull("encoder", 1, 0, params, Map.of()))
          .isInstanceOf(ProducerFencedException.class);
      mock.commitTransactionException = null;
      assertThatThrownBy(() -> publisher.publishFull("encoder", 2, 0, params, Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("fenced");
    }
  }

  @Test
  void offsetsCommitInTheVersionsTransactionAndNotWhenItAborts() {
    MockProducer<String, ModelUpdate> mock = producer();
    Map<TopicPartition, OffsetAndMetadata> offsets =
        Map.of(new TopicPartition("views", 0), new OffsetAndMetadata(42));
    ConsumerGroupMetadata group = new ConsumerGroupMetadata("trainer");
    try (ModelUpdatePublisher publisher = new ModelUpdatePublisher(mock, encoder, clock)) {
      mock.sendException = new KafkaException("broker said no");
      assertThatThrownBy(
              () ->
                  publisher.publish(
                      encoder.encodeFull("encoder", 1, 0, params, Map.of()), offsets, group))
          .isInstanceOf(KafkaException.class);
      assertThat(mock.consumerGroupOffsetsHistory()).isEmpty();

      mock.sendException = null;
      publisher.publish(encoder.encodeFull("encoder", 1, 0, params, Map.of()), offsets, group);
      assertThat(mock.commitCount()).isEqualTo(1);
      assertThat(mock.consumerGroupOffsetsHistory()).containsExactly(Map.of("trainer", offsets));
      assertThatThrownBy(
              () ->
                  publisher.publish(
                      encoder.encodeFull("encoder", 2, 1, params, Map.of()), offsets, null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void refusesAnythingButOneCompleteOrderedVersion() {
    List<ModelUpdate> v1 = encoder.encodeFull("encoder", 1, 0, params, Map.of());
    List<ModelUpdate> v2 = encoder.encodeFull("encoder", 2, 1, params, Map.of());
    assertThat(v1).hasSizeGreaterThan(2);

    assertThatThrownBy(() -> ModelUpdatePublisher.checkOneVersion(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelUpdatePublisher.checkOneVersion(v1.subList(0, v1.size() - 1)))
        .hasMessageContaining("need all");
    List<ModelUpdate> mixed = new ArrayList<>(v1);
    mixed.set(1, v2.get(1));
    assertThatThrownBy(() -> ModelUpdatePublisher.checkOneVersion(mixed))
        .hasMessageContaining("one version at a time");
    List<ModelUpdate> swapped = new ArrayList<>(v1);
    swapped.set(0, v1.get(1));
    swapped.set(1, v1.get(0));
    assertThatThrownBy(() -> ModelUpdatePublisher.checkOneVersion(swapped))
        .hasMessageContaining("in order");
    ModelUpdatePublisher.checkOneVersion(v1);
  }

  @Test
  void producerConfigIsTransactionalAndFitsAChunk() {
    ClientSettings client =
        new ClientSettings(
            "localhost:1",
            "http://localhost:2/apis/registry/v3",
            ClientSettings.RegistryApi.APICURIO,
            true);
    Map<String, Object> config =
        ModelUpdatePublisher.producerConfig(
            client, new UpdateEncoder(KEY), "trainer-encoder", Map.of());
    assertThat(config)
        .containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trainer-encoder")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    assertThat(Integer.parseInt((String) config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)))
        .isGreaterThan(UpdateEncoder.DEFAULT_MAX_CHUNK_BYTES);
    assertThat(config.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
    assertThatThrownBy(() -> ModelUpdatePublisher.producerConfig(client, encoder, " ", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
