package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The follower on a MockConsumer: assignment from the beginning, callbacks, bad updates. */
class ModelUpdateFollowerTest {

  static final KeyPair KEY = SigningKeys.generate();
  static final String TOPIC = Topics.MODEL_UPDATES.name();
  static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  final UpdateEncoder encoder = new UpdateEncoder(KEY, 4096);
  final List<ModelVersion> seen = new CopyOnWriteArrayList<>();
  long offset;

  MockConsumer<String, ModelUpdate> consumer() {
    MockConsumer<String, ModelUpdate> mock = new MockConsumer<>("earliest");
    Node node = new Node(0, "localhost", 9092);
    mock.updatePartitions(
        TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})));
    mock.updateBeginningOffsets(Map.of(TP, 0L));
    return mock;
  }

  void enqueue(MockConsumer<String, ModelUpdate> mock, List<ModelUpdate> chunks) {
    List<ModelUpdate> copy = new ArrayList<>(chunks);
    mock.schedulePollTask(
        () -> {
          for (ModelUpdate c : copy) {
            mock.addRecord(new ConsumerRecord<>(TOPIC, 0, offset++, c.getModel(), c));
          }
        });
  }

  @Test
  void servesEachVerifiedVersionAndKeepsTheLastGoodOneOnATamperedUpdate() {
    MockConsumer<String, ModelUpdate> mock = consumer();
    ModelParameters p1 = TestModels.random(TestModels.SMALL, 1, 0.1);
    ModelParameters p2 = TestModels.random(TestModels.SMALL, 2, 0.1);
    List<ModelUpdate> tampered = new ArrayList<>(encoder.encodeFull("encoder", 3, 2, p1, Map.of()));
    ByteBuffer payload = tampered.get(0).getPayload();
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    bytes[5] ^= 0x40;
    tampered.set(
        0, ModelUpdate.newBuilder(tampered.get(0)).setPayload(ByteBuffer.wrap(bytes)).build());

    try (ModelUpdateFollower follower =
        new ModelUpdateFollower(
            mock,
            new UpdateAssembler("encoder", List.of(KEY.getPublic())),
            seen::add,
            Duration.ofMillis(10))) {
      enqueue(mock, encoder.encodeFull("encoder", 1, 0, p1, Map.of()));
      enqueue(mock, encoder.encodeFull("other-model", 1, 0, p2, Map.of()));
      enqueue(mock, encoder.encodeFull("encoder", 2, 1, p2, Map.of()));
      enqueue(mock, tampered);
      for (int i = 0; i < 4; i++) {
        follower.pollOnce(Duration.ofMillis(10));
      }
      assertThat(mock.assignment()).containsExactly(TP);
      assertThat(seen).extracting(ModelVersion::version).containsExactly(1L, 2L);
      assertThat(follower.currentVersion()).isEqualTo(2);
      assertThat(follower.current().orElseThrow().parameters().maxAbsDifference(p2)).isZero();
      assertThat(follower.counters().rejected(UpdateRejected.Reason.TAMPERED)).isEqualTo(1);
      assertThat(follower.counters().ignored()).isPositive();
    }
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void backgroundThreadDeliversAndAwaitReturnsBounded() throws Exception {
    MockConsumer<String, ModelUpdate> mock = consumer();
    ModelParameters p1 = TestModels.random(TestModels.SMALL, 1, 0.1);
    ModelUpdateFollower follower =
        new ModelUpdateFollower(
            mock,
            new UpdateAssembler("encoder", List.of(KEY.getPublic())),
            v -> {
              seen.add(v);
              throw new IllegalStateException("a failing callback must not stop the follower");
            },
            Duration.ofMillis(10));
    try (follower) {
      enqueue(mock, encoder.encodeFull("encoder", 1, 0, p1, Map.of()));
      follower.start();
      assertThat(follower.awaitVersion(1, Duration.ofSeconds(30))).isTrue();
      assertThat(follower.awaitVersion(2, Duration.ofMillis(50))).isFalse();
      enqueue(mock, encoder.encodeFull("encoder", 2, 1, p1, Map.of()));
      assertThat(follower.awaitVersion(2, Duration.ofSeconds(30))).isTrue();
    }
    assertThat(seen).extracting(ModelVersion::version).containsExactly(1L, 2L);
  }
}
