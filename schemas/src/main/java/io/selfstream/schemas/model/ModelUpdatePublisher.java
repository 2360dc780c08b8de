package io.selfstream.schemas.model;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.serde.SerdeFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes model versions to {@code model-updates}: every chunk of one version (from {@link
 * UpdateEncoder}) goes out in one Kafka transaction, keyed by model name, so a {@code
 * read_committed} consumer sees either all chunks of a version or none of them — a crashed
 * publisher never leaves a torn version behind.
 *
 * <p>The transactional id identifies the publisher: a second publisher started with the same id
 * fences the first (which then fails with {@link ProducerFencedException} and must be closed). Use
 * one id per trainer of a model. Thread-safe (one version at a time).
 */
public final class ModelUpdatePublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelUpdatePublisher.class);

  /** Room left in a record for the Avro header fields, key and batch overhead. */
  static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

  /** Default producer {@code transaction.timeout.ms}: well below the broker's 15-minute maximum. */
  public static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

  /**
   * What one {@link #publish} call wrote.
   *
   * @param model model name (the record key)
   * @param version version published
   * @param parentVersion its parent
   * @param kind FULL or DELTA
   * @param chunks records written
   * @param payloadBytes bytes of the assembled payload
   * @param partition partition of {@code model-updates} the chunks went to
   * @param firstOffset offset of the first chunk
   * @param lastOffset offset of the last chunk
   * @param startedAt when publishing began (before the transaction)
   * @param committedAt when the transaction committed: the version is visible from here on
   */
  public record Published(
      String model,
      long version,
      long parentVersion,
      UpdateKind kind,
      int chunks,
      long payloadBytes,
      int partition,
      long firstOffset,
      long lastOffset,
      Instant startedAt,
      Instant committedAt) {}

  private final Producer<String, ModelUpdate> producer;
  private final UpdateEncoder encoder;
  private final String topic;
  private final Clock clock;
  private boolean broken;
  private boolean closed;

  /**
   * Wraps a transactional producer (its {@code transactional.id} set, values written with the
   * registry serializer of {@code model-updates}) and calls {@code initTransactions()} on it. The
   * publisher owns and closes it.
   */
  public ModelUpdatePublisher(
      Producer<String, ModelUpdate> producer, UpdateEncoder encoder, Clock clock) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.topic = Topics.MODEL_UPDATES.name();
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close();
      throw e;
    }
  }

  /**
   * A publisher with its own transactional {@link KafkaProducer} against {@code client}'s cluster
   * and registry.
   *
   * @param transactionalId the producer's {@code transactional.id}; one per publishing trainer
   */
  public static ModelUpdatePublisher create(
      ClientSettings client, UpdateEncoder encoder, String transactionalId) {
    return create(client, encoder, transactionalId, Map.of());
  }

  /** As {@link #create(ClientSettings, UpdateEncoder, String)}, with extra producer settings. */
  public static ModelUpdatePublisher create(
      ClientSettings client,
      UpdateEncoder encoder,
      String transactionalId,
      Map<String, Object> producerOverrides) {
    return new ModelUpdatePublisher(
        new KafkaProducer<>(producerConfig(client, encoder, transactionalId, producerOverrides)),
        encoder,
        Clock.systemUTC());
  }

  /** The producer configuration {@link #create} uses (exposed for tests and diagnostics). */
  public static Map<String, Object> producerConfig(
      ClientSettings client,
      UpdateEncoder encoder,
      String transactionalId,
      Map<String, Object> overrides) {
    if (transactionalId == null || transactionalId.isBlank()) {
      throw new IllegalArgumentException("transactionalId must not be blank");
    }
    Map<String, Object> props = new LinkedHashMap<>(new SerdeFactory(client).producerConfig());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Integer.toString(DEFAULT_TRANSACTION_TIMEOUT_MS));
    // a chunk plus its header must fit one request; the broker's message.max.bytes must allow it
    props.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(Math.max(1 << 20, encoder.maxChunkBytes() + RECORD_OVERHEAD_BYTES)));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId + "-publisher");
    props.putAll(overrides);
    return props;
  }

  public UpdateEncoder encoder() {
    return encoder;
  }

  /** Encodes, signs and publishes a FULL version. */
  public Published publishFull(
      String model,
      long version,
      long parentVersion,
      ModelParameters parameters,
      Map<String, Double> metrics) {
    return publish(encoder.encodeFull(model, version, parentVersion, parameters, metrics));
  }

  /** Encodes, signs and publishes a DELTA version (a {@link TernaryDelta} payload). */
  public Published publishDelta(
      String model,
      long version,
      long parentVersion,
      byte[] ternaryPayload,
      Map<String, Double> metrics) {
    return publish(encoder.encodeDelta(model, version, parentVersion, ternaryPayload, metrics));
  }

  /**
   * Publishes the chunks of one version in one transaction. The chunks must be exactly one
   * version's complete, ordered set (as {@link UpdateEncoder} makes them); they are sent
   * unmodified, so this is also how a test or a relay republishes chunks it already has.
   *
   * @throws IllegalArgumentException when the chunks are not one complete version
   * @throws KafkaException when the transaction failed (it was aborted; nothing became visible)
   */
  public synchronized Published publish(List<ModelUpdate> chunks) {
    return publish(chunks, Map.of(), null);
  }

  /**
   * Publishes the chunks of one version and, in the same transaction, commits {@code offsets} for
   * {@code group} ({@code sendOffsetsToTransaction}): a trainer that consumed its inputs with
   * {@code read_committed} and manual commits makes "version v is visible" and "the records that
   * produced it are consumed" one atomic fact, so a restart never trains twice on committed input
   * nor loses a version's input.
   *
   * @param offsets next offsets to commit per input partition (empty: none, as {@link
   *     #publish(List)})
   * @param group the input consumer's {@code groupMetadata()}; required when {@code offsets} is not
   *     empty
   * @throws KafkaException when the transaction failed (it was aborted; neither the version nor the
   *     offsets became visible)
   */
  public synchronized Published publish(
      List<ModelUpdate> chunks,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata group) {
    checkOneVersion(chunks);
    Objects.requireNonNull(offsets, "offsets");
    if (!offsets.isEmpty() && group == null) {
      throw new IllegalArgumentException("committing offsets needs the consumer's group metadata");
    }
    if (closed) {
      throw new IllegalStateException("publisher is closed");
    }
    if (broken) {
      throw new IllegalStateException(
          "publisher was fenced or hit a fatal producer error; close it and create a new one");
    }
    ModelUpdate first = chunks.get(0);
    String model = first.getModel();
    Instant started = clock.instant();
    List<Future<RecordMetadata>> sent = new ArrayList<>(chunks.size());
    try {
      producer.beginTransaction();
      for (ModelUpdate chunk : chunks) {
        sent.add(producer.send(new ProducerRecord<>(topic, model, chunk)));
      }
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, group);
      }
      producer.commitTransaction();
    } catch (ProducerFencedException
        | OutOfOrderSequenceException
        | AuthorizationException
        | UnsupportedVersionException e) {
      broken = true;
      LOG.error(
          "model update {} v{} not published (fatal producer error)", model, first.getVersion(), e);
      throw e;
    } catch (KafkaException e) {
      abortQuietly(e);
      throw e;
    }
    Instant committed = clock.instant();
    RecordMetadata head = metadata(sent.get(0));
    RecordMetadata tail = metadata(sent.get(sent.size() - 1));
    long payloadBytes = first.getPayloadSize();
    Published published =
        new Published(
            model,
            first.getVersion(),
            first.getParentVersion(),
            first.getKind(),
            chunks.size(),
            payloadBytes,
            head == null ? -1 : head.partition(),
            head == null ? -1 : head.offset(),
            tail == null ? -1 : tail.offset(),
            started,
            committed);
    LOG.info(
        "published {} v{} ({} from v{}, {} bytes in {} chunks)",
        model,
        first.getVersion(),
        first.getKind(),
        first.getParentVersion(),
        payloadBytes,
        chunks.size());
    return published;
  }

  private void abortQuietly(KafkaException cause) {
    try {
      producer.abortTransaction();
    } catch (KafkaException abortFailed) {
      broken = true;
      cause.addSuppressed(abortFailed);
    }
  }

  private static RecordMetadata metadata(Future<RecordMetadata> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      // cannot happen after a successful commit; report offsets as unknown
      return null;
    }
  }

  /** Checks that {@code chunks} are one version's complete set, in chunk order. */
  static void checkOneVersion(List<ModelUpdate> chunks) {
    if (chunks == null || chunks.isEmpty()) {
      throw new IllegalArgumentException("no chunks to publish");
    }
    ModelUpdate first = chunks.get(0);
    if (first.getModel() == null || first.getModel().isBlank()) {
      throw new IllegalArgumentException("chunk without a model name");
    }
    for (int i = 0; i < chunks.size(); i++) {
      ModelUpdate c = Objects.requireNonNull(chunks.get(i), "chunk " + i);
      if (!first.getModel().equals(c.getModel()) || first.getVersion() != c.getVersion()) {
        throw new IllegalArgumentException(
            "chunk "
                + i
                + " is "
                + c.getModel()
                + " v"
                + c.getVersion()
                + ", not "
                + first.getModel()
                + " v"
                + first.getVersion()
                + ": publish one version at a time");
      }
      if (c.getChunkIndex() != i || c.getChunkCount() != chunks.size()) {
        throw new IllegalArgumentException(
            "chunk "
                + i
                + " says "
                + c.getChunkIndex()
                + " of "
                + c.getChunkCount()
                + "; need all "
                + chunks.size()
                + " chunks of the version, in order");
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      producer.close(java.time.Duration.ofSeconds(10));
    }
  }
}
