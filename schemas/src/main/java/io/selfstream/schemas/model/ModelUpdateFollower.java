package io.selfstream.schemas.model;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.serde.SerdeFactory;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a plain service on the newest verified version of one model: reads {@code model-updates}
 * from the beginning ({@code read_committed}, no consumer group: every follower sees the whole
 * history), feeds an {@link UpdateAssembler} and calls back on every version it accepts. Rejected
 * updates (torn, tampered, unsigned, replayed, out of order) are logged and counted by the
 * assembler, and the version served stays the last good one.
 *
 * <p>Either {@link #start()} a background thread, or drive it with {@link #pollOnce} from a loop of
 * your own. The callback runs on the polling thread; keep it short (swap a reference) or hand the
 * work off.
 */
public final class ModelUpdateFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateFollower.class);

  private final org.apache.kafka.clients.consumer.Consumer<String, ModelUpdate> consumer;
  private final UpdateAssembler assembler;
  private final Consumer<ModelVersion> onVersion;
  private final Duration pollTimeout;
  private final String topic = Topics.MODEL_UPDATES.name();
  private final Object versionMonitor = new Object();
  private boolean assigned;
  private volatile boolean running;
  private Thread thread;
  private volatile RuntimeException failure;

  /**
   * @param consumer a consumer of {@code model-updates} values (not yet assigned; the follower
   *     assigns every partition and seeks to the beginning); the follower owns and closes it
   * @param assembler verifies and assembles the updates of one model
   * @param onVersion called with every newly accepted version (may be {@code null})
   * @param pollTimeout how long one poll waits for records
   */
  public ModelUpdateFollower(
      org.apache.kafka.clients.consumer.Consumer<String, ModelUpdate> consumer,
      UpdateAssembler assembler,
      Consumer<ModelVersion> onVersion,
      Duration pollTimeout) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.assembler = Objects.requireNonNull(assembler, "assembler");
    this.onVersion = onVersion == null ? v -> {} : onVersion;
    this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
  }

  /**
   * A follower of {@code model} on {@code client}'s cluster trusting {@code trustedKeys}, already
   * {@linkplain #start() started}.
   */
  public static ModelUpdateFollower start(
      ClientSettings client,
      String model,
      Collection<PublicKey> trustedKeys,
      Consumer<ModelVersion> onVersion) {
    ModelUpdateFollower follower =
        new ModelUpdateFollower(
            new KafkaConsumer<>(consumerConfig(client, model)),
            new UpdateAssembler(model, trustedKeys),
            onVersion,
            Duration.ofMillis(200));
    follower.start();
    return follower;
  }

  /**
   * The consumer configuration {@link #start(ClientSettings, String, Collection, Consumer)} uses.
   */
  public static Map<String, Object> consumerConfig(ClientSettings client, String model) {
    Map<String, Object> props =
        new LinkedHashMap<>(new SerdeFactory(client).consumerConfig(Topics.MODEL_UPDATES));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "model-follower-" + model);
    return props;
  }

  /** Starts the background polling thread (daemon). */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = new Thread(this::loop, "model-follower-" + assembler.model());
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long backoffMs = 100;
    while (running) {
      try {
        pollOnce(pollTimeout);
        backoffMs = 100;
      } catch (WakeupException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        // transient cluster or registry trouble: keep serving the last good version and retry
        failure = e;
        LOG.warn(
            "model follower of {}: poll failed, retrying: {}", assembler.model(), e.toString());
        sleep(backoffMs);
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }
  }

  /**
   * Polls once and feeds what arrived to the assembler; returns how many records it read. Call from
   * one thread only (and not while {@link #start() started}).
   */
  public int pollOnce(Duration timeout) {
    assignIfNeeded();
    List<ConsumerRecord<String, ModelUpdate>> records = new ArrayList<>();
    try {
      consumer.poll(timeout).forEach(records::add);
    } catch (RecordDeserializationException e) {
      // a record that does not decode cannot be a valid update: skip it
      LOG.warn(
          "model follower of {}: skipping undecodable record at {}@{}: {}",
          assembler.model(),
          e.topicPartition(),
          e.offset(),
          e.getMessage());
      consumer.seek(e.topicPartition(), e.offset() + 1);
      return 0;
    }
    for (ConsumerRecord<String, ModelUpdate> record : records) {
      Optional<ModelVersion> accepted = assembler.accept(record.value());
      if (accepted.isPresent()) {
        synchronized (versionMonitor) {
          versionMonitor.notifyAll();
        }
        try {
          onVersion.accept(accepted.get());
        } catch (RuntimeException e) {
          LOG.warn(
              "model follower of {}: callback failed on v{}",
              assembler.model(),
              accepted.get().version(),
              e);
        }
      }
    }
    return records.size();
  }

  private void assignIfNeeded() {
    if (assigned) {
      return;
    }
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : infos) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    assigned = true;
  }

  /** The version served now, if any. */
  public Optional<ModelVersion> current() {
    return assembler.current();
  }

  public long currentVersion() {
    return assembler.currentVersion();
  }

  public UpdateCounters counters() {
    return assembler.counters();
  }

  /** The last error of the background thread (it keeps retrying), if any. */
  public Optional<RuntimeException> lastFailure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Waits until a version {@code >= version} is served or {@code timeout} passes; returns whether
   * it is.
   */
  public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (versionMonitor) {
      while (assembler.currentVersion() < version) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        versionMonitor.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
      }
      return true;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      consumer.wakeup();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
