package io.selfstream.trainer.consumer;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.UpdateAssembler;
import io.selfstream.schemas.model.UpdateListener;
import io.selfstream.schemas.model.UpdateRejected;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code model-updates} once, {@code read_committed}, from the beginning to the last stable
 * offset, to learn the newest committed version of one model (and, when it verifies with a trusted
 * key, its parameters: the exact copy consumers hold). Only committed transactions are visible, and
 * a version's chunks are committed together, so any chunk seen is a committed version.
 *
 * <p>Call it <em>after</em> the trainer's transactional producer ran {@code initTransactions()}:
 * that aborts a transaction its killed predecessor left open, which would otherwise hold the last
 * stable offset back until the transaction timeout.
 */
public final class PublishedVersions {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedVersions.class);

  /**
   * @param newestVersion newest committed version of the model (0 = none)
   * @param newestVerified that version, assembled and verified, when it is (a DELTA chain verifies
   *     only back to a FULL signed by a trusted key)
   */
  public record Scan(long newestVersion, Optional<ModelVersion> newestVerified) {}

  private PublishedVersions() {}

  /**
   * Scans the topic for {@code model}; fails when it cannot reach the end within {@code timeout}.
   */
  public static Scan scan(
      ClientSettings client, String model, Collection<PublicKey> trusted, Duration timeout) {
    Map<String, Object> props = new HashMap<>(ModelUpdateFollower.consumerConfig(client, model));
    props.put("client.id", "trainer-scan-" + model);
    UpdateAssembler assembler =
        new UpdateAssembler(
            model,
            trusted,
            new UpdateListener() {
              @Override
              public void rejected(UpdateRejected r) {
                LOG.debug("scan of {}: {}", model, r);
              }
            });
    long deadline = System.nanoTime() + timeout.toNanos();
    long newest = 0;
    String topic = Topics.MODEL_UPDATES.name();
    try (KafkaConsumer<String, ModelUpdate> consumer = new KafkaConsumer<>(props)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : infos) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (!reached(consumer, end)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end within " + timeout + " (end " + end + ")");
        }
        List<ConsumerRecord<String, ModelUpdate>> records = new ArrayList<>();
        try {
          consumer
              .poll(Duration.ofMillis(Math.min(200, left / 1_000_000 + 1)))
              .forEach(records::add);
        } catch (RecordDeserializationException e) {
          consumer.seek(e.topicPartition(), e.offset() + 1);
          continue;
        }
        for (ConsumerRecord<String, ModelUpdate> r : records) {
          ModelUpdate u = r.value();
          if (u == null || !model.equals(u.getModel())) {
            continue;
          }
          newest = Math.max(newest, u.getVersion());
          assembler.accept(u);
        }
      }
    }
    Optional<ModelVersion> verified =
        assembler.current().filter(v -> v.version() == assembler.currentVersion());
    long newestFinal = newest;
    return new Scan(newest, verified.filter(v -> v.version() == newestFinal));
  }

  private static boolean reached(
      KafkaConsumer<String, ModelUpdate> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
