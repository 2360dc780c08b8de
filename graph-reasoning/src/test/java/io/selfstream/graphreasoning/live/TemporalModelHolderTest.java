package io.selfstream.graphreasoning.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateAssembler;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.model.UpdateRejected;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Hot swap through the real update path: signed {@code dtgrm} updates on a MockConsumer, the {@link
 * ModelUpdateFollower} verifying them, the holder serving what passed.
 */
class TemporalModelHolderTest {

  private static final KeyPair KEY = SigningKeys.generate();
  private static final String TOPIC = Topics.MODEL_UPDATES.name();
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  private final UpdateEncoder encoder = new UpdateEncoder(KEY, 64 * 1024);
  private long offset;

  private MockConsumer<String, ModelUpdate> consumer() {
    MockConsumer<String, ModelUpdate> mock = new MockConsumer<>("earliest");
    Node node = new Node(0, "localhost", 9092);
    mock.updatePartitions(
        TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})));
    mock.updateBeginningOffsets(Map.of(TP, 0L));
    return mock;
  }

  private void enqueue(MockConsumer<String, ModelUpdate> mock, List<ModelUpdate> chunks) {
    List<ModelUpdate> copy = new ArrayList<>(chunks);
    mock.schedulePollTask(
        () -> {
          for (ModelUpdate c : copy) {
            mock.addRecord(new ConsumerRecord<>(TOPIC, 0, offset++, c.getModel(), c));
          }
        });
  }

  private static List<ModelUpdate> tamper(List<ModelUpdate> chunks) {
    List<ModelUpdate> out = new ArrayList<>(chunks);
    ByteBuffer payload = out.get(0).getPayload();
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    bytes[bytes.length - 3] ^= 0x40; // a weight, not the header
    out.set(0, ModelUpdate.newBuilder(out.get(0)).setPayload(ByteBuffer.wrap(bytes)).build());
    return out;
  }

  @Test
  void tamperedAndContradictoryUpdatesAreRefusedAndTheLastGoodModelKeepsServing() {
    ModelParameters p = LiveFixtures.trained();
    Map<String, Double> metrics = TemporalModels.metrics(TemporalModels.descriptor(p));
    Map<String, Double> lying = new java.util.HashMap<>(metrics);
    lying.put(TemporalModels.FEATURES_ENCODER_VERSION, 9.0);
    ModelParameters notTemporal = ModelParameters.builder().put("w", new float[] {1f}).build();
    MockConsumer<String, ModelUpdate> mock = consumer();
    try (TemporalModelHolder holder = new TemporalModelHolder(TemporalModels.MODEL);
        ModelUpdateFollower follower =
            new ModelUpdateFollower(
                mock,
                new UpdateAssembler(TemporalModels.MODEL, List.of(KEY.getPublic())),
                holder::offer,
                Duration.ofMillis(10))) {
      enqueue(mock, encoder.encodeFull(TemporalModels.MODEL, 1, 0, p, metrics));
      follower.pollOnce(Duration.ofMillis(10));
      assertThat(holder.currentVersion()).isEqualTo(1);
      TemporalModel v1 = holder.borrow();
      v1.release();

      enqueue(mock, tamper(encoder.encodeFull(TemporalModels.MODEL, 2, 1, p, metrics)));
      follower.pollOnce(Duration.ofMillis(10));
      assertThat(follower.counters().rejected(UpdateRejected.Reason.TAMPERED)).isEqualTo(1);
      assertThat(holder.currentVersion()).isEqualTo(1);

      // verified by the codec, but not servable: metrics lie about the encoder, or no model at all
      enqueue(mock, encoder.encodeFull(TemporalModels.MODEL, 3, 1, p, lying));
      enqueue(mock, encoder.encodeFull(TemporalModels.MODEL, 4, 3, notTemporal, Map.of()));
      follower.pollOnce(Duration.ofMillis(10));
      follower.pollOnce(Duration.ofMillis(10));
      assertThat(holder.refusedCount()).isEqualTo(2);
      assertThat(holder.lastRefusal()).hasValueSatisfying(r -> assertThat(r).startsWith("v4"));
      assertThat(holder.currentVersion()).isEqualTo(1);
      assertThat(v1.freed()).isFalse();

      // a good version swaps in and the old one is freed once nobody borrows it
      TemporalModel borrowed = holder.borrow();
      enqueue(mock, encoder.encodeFull(TemporalModels.MODEL, 5, 4, p, metrics));
      follower.pollOnce(Duration.ofMillis(10));
      assertThat(holder.currentVersion()).isEqualTo(5);
      assertThat(borrowed.freed()).as("still borrowed").isFalse();
      int[] labels = new int[1];
      float[] conf = new float[1];
      borrowed.label(new float[][] {new float[138], new float[138]}, new int[] {1}, labels, conf);
      borrowed.release();
      assertThat(borrowed.freed()).isTrue();
      assertThat(holder.acceptedCount()).isEqualTo(2);
    }
  }

  @Test
  void olderVersionsDoNotReplaceNewerOnes() {
    try (TemporalModelHolder holder = new TemporalModelHolder(TemporalModels.MODEL)) {
      ModelParameters p = LiveFixtures.trained();
      assertThat(holder.offer(LiveFixtures.version(3, p, Map.of()))).isTrue();
      assertThat(holder.offer(LiveFixtures.version(2, p, Map.of()))).isFalse();
      assertThat(holder.currentVersion()).isEqualTo(3);
    }
  }
}
