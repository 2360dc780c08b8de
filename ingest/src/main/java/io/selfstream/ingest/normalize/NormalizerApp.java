package io.selfstream.ingest.normalize;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame normalizer as a running Kafka Streams application (exactly-once v2). Bad records never
 * reach the uncaught-exception handler (they become dead letters); what does reach it is an
 * infrastructure failure, which shuts the client down rather than looping.
 */
public final class NormalizerApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NormalizerApp.class);

  private final KafkaStreams streams;

  /**
   * @param settings normalizer settings
   * @param bootstrap Kafka bootstrap servers
   * @param serdes configured value serdes
   */
  public NormalizerApp(NormalizerSettings settings, String bootstrap, NormalizerSerdes serdes) {
    this(settings, bootstrap, serdes, NormalizerListener.NONE);
  }

  /**
   * As {@link #NormalizerApp(NormalizerSettings, String, NormalizerSerdes)}, reporting every record
   * to {@code listener} (the CLI's Prometheus meters).
   */
  public NormalizerApp(
      NormalizerSettings settings,
      String bootstrap,
      NormalizerSerdes serdes,
      NormalizerListener listener) {
    this(
        NormalizerTopology.build(settings, serdes, listener),
        streamsProperties(settings, bootstrap));
  }

  /** Runs any topology with the given properties (e.g. {@link #streamsProperties} + overrides). */
  public NormalizerApp(Topology topology, Properties properties) {
    this.streams = new KafkaStreams(topology, properties);
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("normalizer stream thread failed; shutting the client down", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
  }

  /**
   * Kafka Streams properties: {@code processing.guarantee=exactly_once_v2}, the settings' threads,
   * commit interval and state dir, no record cache (stateless), LZ4-compressed output batches, and
   * {@code read_committed} input (set by exactly-once).
   */
  public static Properties streamsProperties(NormalizerSettings settings, String bootstrap) {
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
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
        Integer.toString(256 << 10));
    // a raw record up to maxRecordBytes must be fetchable, and its dead letter producible
    int maxBytes = Math.max(settings.maxRecordBytes(), settings.dlqMaxOriginalBytes()) + (64 << 10);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        Integer.toString(Math.max(maxBytes, 1 << 20)));
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Integer.toString(Math.max(maxBytes, 1 << 20)));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The underlying client, for state listeners and metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  /** Stops processing, committing the current transaction, waiting up to {@code timeout}. */
  public boolean close(Duration timeout) {
    return streams.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
