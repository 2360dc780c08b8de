package io.selfstream.graphreasoning.live;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live segmentation app as a running process part: a {@link ModelUpdateFollower} on the
 * temporal model feeding a {@link TemporalModelHolder}, and a Kafka Streams client running {@link
 * SegmentationTopology} against it. Thin: everything it does is in those pieces.
 *
 * <p>In-process use (demo, benchmarks):
 *
 * <pre>{@code
 * try (LiveSegmentationApp app = LiveSegmentationApp.start(settings, client)) {
 *   app.holder().awaitVersion(1, Duration.ofSeconds(30)); // optional: wait for a first model
 *   ...
 * }
 * }</pre>
 *
 * Frames that arrive before a first model serves are counted ({@code noModel}) and not labelled.
 */
public final class LiveSegmentationApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveSegmentationApp.class);

  private final LiveSegmentationSettings settings;
  private final TemporalModelHolder holder;
  private final LiveCounters counters;
  private final ModelUpdateFollower follower;
  private final KafkaStreams streams;

  private LiveSegmentationApp(
      LiveSegmentationSettings settings,
      TemporalModelHolder holder,
      LiveCounters counters,
      ModelUpdateFollower follower,
      KafkaStreams streams) {
    this.settings = settings;
    this.holder = holder;
    this.counters = counters;
    this.follower = follower;
    this.streams = streams;
  }

  /**
   * Starts following {@code settings.model()} on {@code model-updates} and starts the streams
   * client.
   *
   * @throws IllegalArgumentException when no trusted key file is set
   */
  public static LiveSegmentationApp start(
      LiveSegmentationSettings settings, ClientSettings client) {
    return start(settings, client, LiveListener.NONE);
  }

  /**
   * As {@link #start(LiveSegmentationSettings, ClientSettings)}, reporting labels, segments and
   * applied model versions to {@code listener} (the CLI's Prometheus meters).
   */
  public static LiveSegmentationApp start(
      LiveSegmentationSettings settings, ClientSettings client, LiveListener listener) {
    List<PublicKey> keys = trustedKeys(settings.trustedKeyFiles());
    TemporalModelHolder holder = new TemporalModelHolder(settings.model());
    LiveCounters counters = new LiveCounters();
    ModelUpdateFollower follower = null;
    KafkaStreams streams = null;
    try {
      follower =
          ModelUpdateFollower.start(
              client,
              settings.model(),
              keys,
              v -> {
                if (holder.offer(v)) {
                  listener.applied(v, System.currentTimeMillis());
                }
              });
      SegmentationSerdes serdes = SegmentationSerdes.of(new SerdeFactory(client));
      streams =
          new KafkaStreams(
              SegmentationTopology.build(settings, holder, serdes, counters, listener),
              streamsProperties(settings, client.bootstrap()));
      streams.setUncaughtExceptionHandler(
          e -> {
            log.error("segmentation stream thread failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      streams.start();
      return new LiveSegmentationApp(settings, holder, counters, follower, streams);
    } catch (RuntimeException e) {
      if (streams != null) {
        streams.close(Duration.ofSeconds(10));
      }
      if (follower != null) {
        follower.close();
      }
      holder.close();
      throw e;
    }
  }

  /** Reads the trusted public keys (PEM or DER). */
  public static List<PublicKey> trustedKeys(List<Path> files) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          LiveSegmentationSettings.TRUSTED_KEYS.name()
              + " is empty: name the public key(s) whose dtgrm updates are trusted");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (Path f : files) {
      keys.add(SigningKeys.readPublicKey(f));
    }
    return keys;
  }

  /**
   * Kafka Streams properties: exactly-once v2 (labels and segments of a frame, and the state that
   * produced them, commit together), the settings' threads, commit interval and state dir, no
   * record cache (labels should leave at once), small linger, {@code earliest} for a new app.
   */
  public static Properties streamsProperties(LiveSegmentationSettings settings, String bootstrap) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap must not be blank");
    }
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(settings.threads()));
    p.put(
        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        Long.toString(settings.commitInterval().toMillis()));
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    settings.stateDir().ifPresent(dir -> p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
  }

  public LiveSegmentationSettings settings() {
    return settings;
  }

  /** The model holder (current version, refusals, {@code awaitVersion}). */
  public TemporalModelHolder holder() {
    return holder;
  }

  public LiveCounters.Snapshot counters() {
    return counters.snapshot();
  }

  /** The follower (verification counters of the update codec). */
  public ModelUpdateFollower follower() {
    return follower;
  }

  /** The underlying client, for state listeners and metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Stops the streams client (bounded by {@code timeout}), the follower, then frees the model. */
  public boolean close(Duration timeout) {
    boolean closed = streams.close(timeout);
    follower.close();
    holder.close();
    return closed;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
