package io.selfstream.ingest.produce;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.ingest.source.FrameSource;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How frames are ingested: which source id, how fast, how many, and how the producer is tuned.
 *
 * @param sourceId record key and {@code sourceId} of the frames
 * @param rate frames per second, 0 for as fast as possible
 * @param limit at most this many frames, 0 for all
 * @param startSeq seq of the first frame (to continue a source across runs)
 * @param linger producer {@code linger.ms}: how long a batch may wait to fill
 * @param batchBytes producer {@code batch.size}
 * @param compression producer {@code compression.type}
 * @param bufferBytes producer {@code buffer.memory}
 * @param maxRequestBytes producer {@code max.request.size} (must not exceed the topic's limit)
 * @param deliveryTimeout producer {@code delivery.timeout.ms}: a send fails after this long
 * @param progressInterval how often the progress callback runs
 */
public record IngestSettings(
    String sourceId,
    double rate,
    long limit,
    long startSeq,
    Duration linger,
    int batchBytes,
    Compression compression,
    long bufferBytes,
    int maxRequestBytes,
    Duration deliveryTimeout,
    Duration progressInterval) {

  /** Producer compression codecs. */
  public enum Compression {
    NONE,
    GZIP,
    SNAPPY,
    LZ4,
    ZSTD
  }

  /** The producer's request timeout; delivery.timeout.ms must cover it plus linger. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public static final ConfigKey<String> SOURCE_ID =
      ConfigKey.string("ingest.sourceId", "images", "source id: the record key of every frame");
  public static final ConfigKey<Double> RATE =
      ConfigKey.decimal("ingest.rate", 0, 0, 1e9, "frames per second, 0 = as fast as possible");
  public static final ConfigKey<Long> LIMIT =
      ConfigKey.longValue(
          "ingest.limit", 0, 0, Long.MAX_VALUE, "at most this many frames, 0 = all");
  public static final ConfigKey<Long> START_SEQ =
      ConfigKey.longValue("ingest.startSeq", 0, 0, Long.MAX_VALUE, "seq of the first frame");
  public static final ConfigKey<Duration> LINGER =
      ConfigKey.duration("ingest.producer.linger", "20ms", "producer linger.ms (batching delay)");
  public static final ConfigKey<Integer> BATCH_BYTES =
      ConfigKey.integer(
          "ingest.producer.batchBytes", 256 * 1024, 1024, 64 << 20, "producer batch.size in bytes");
  public static final ConfigKey<Compression> COMPRESSION =
      ConfigKey.enumValue(
          "ingest.producer.compression",
          Compression.class,
          Compression.LZ4,
          "producer compression: none, gzip, snappy, lz4, zstd");
  public static final ConfigKey<Long> BUFFER_BYTES =
      ConfigKey.longValue(
          "ingest.producer.bufferBytes",
          64L << 20,
          1 << 20,
          8L << 30,
          "producer buffer.memory in bytes");
  public static final ConfigKey<Integer> MAX_REQUEST_BYTES =
      ConfigKey.integer(
          "ingest.producer.maxRequestBytes",
          1 << 20,
          1024,
          1 << 30,
          "producer max.request.size: largest record that can be sent");
  public static final ConfigKey<Duration> DELIVERY_TIMEOUT =
      ConfigKey.duration(
          "ingest.producer.deliveryTimeout",
          "2m",
          "producer delivery.timeout.ms (>= linger + 30s)");
  public static final ConfigKey<Duration> PROGRESS_INTERVAL =
      ConfigKey.duration(
          "ingest.progressInterval", "200ms", "how often progress is reported while sending");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          SOURCE_ID,
          RATE,
          LIMIT,
          START_SEQ,
          LINGER,
          BATCH_BYTES,
          COMPRESSION,
          BUFFER_BYTES,
          MAX_REQUEST_BYTES,
          DELIVERY_TIMEOUT,
          PROGRESS_INTERVAL);

  public IngestSettings {
    if (sourceId == null || !sourceId.matches("[A-Za-z0-9._:-]{1,200}")) {
      throw new ConfigException(
          SOURCE_ID.name(), "must be 1-200 of [A-Za-z0-9._:-], got '" + sourceId + "'");
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new ConfigException(RATE.name(), "must be >= 0 and finite, got " + rate);
    }
    if (limit < 0) {
      throw new ConfigException(LIMIT.name(), "must be >= 0, got " + limit);
    }
    if (startSeq < 0) {
      throw new ConfigException(START_SEQ.name(), "must be >= 0, got " + startSeq);
    }
    if (linger.isNegative() || linger.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigException(LINGER.name(), "must be in [0, 1m], got " + linger);
    }
    if (deliveryTimeout.compareTo(linger.plus(REQUEST_TIMEOUT)) < 0) {
      throw new ConfigException(
          DELIVERY_TIMEOUT.name(),
          "must be >= linger + " + REQUEST_TIMEOUT.toSeconds() + "s, got " + deliveryTimeout);
    }
    if (bufferBytes < batchBytes) {
      throw new ConfigException(
          BUFFER_BYTES.name(), "must be >= " + BATCH_BYTES.name() + " (" + batchBytes + ")");
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new ConfigException(PROGRESS_INTERVAL.name(), "must be positive");
    }
  }

  public static IngestSettings from(Config config) {
    return new IngestSettings(
        config.get(SOURCE_ID),
        config.get(RATE),
        config.get(LIMIT),
        config.get(START_SEQ),
        config.get(LINGER),
        config.get(BATCH_BYTES),
        config.get(COMPRESSION),
        config.get(BUFFER_BYTES),
        config.get(MAX_REQUEST_BYTES),
        config.get(DELIVERY_TIMEOUT),
        config.get(PROGRESS_INTERVAL));
  }

  /** The defaults. */
  public static IngestSettings defaults() {
    return from(Config.defaults(KEYS));
  }

  public IngestSettings withSourceId(String id) {
    return new IngestSettings(
        id,
        rate,
        limit,
        startSeq,
        linger,
        batchBytes,
        compression,
        bufferBytes,
        maxRequestBytes,
        deliveryTimeout,
        progressInterval);
  }

  public IngestSettings withRate(double framesPerSecond) {
    return new IngestSettings(
        sourceId,
        framesPerSecond,
        limit,
        startSeq,
        linger,
        batchBytes,
        compression,
        bufferBytes,
        maxRequestBytes,
        deliveryTimeout,
        progressInterval);
  }

  public IngestSettings withLimit(long frames) {
    return new IngestSettings(
        sourceId,
        rate,
        frames,
        startSeq,
        linger,
        batchBytes,
        compression,
        bufferBytes,
        maxRequestBytes,
        deliveryTimeout,
        progressInterval);
  }

  /** {@code source} with this limit and rate applied (limit first, then pacing). */
  public FrameSource apply(FrameSource source) {
    return source.limit(limit).rateLimited(rate);
  }

  /**
   * Producer properties tuned for throughput without loss: idempotence on, {@code acks=all},
   * batching by linger and batch size, compression. Serializers are passed to the producer
   * directly.
   */
  public Properties producerProperties(String bootstrap) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap must not be blank");
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "selfstream-ingest-" + sourceId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
    p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger.toMillis()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.name().toLowerCase(Locale.ROOT));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(bufferBytes));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT.toMillis()));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeout.toMillis()));
    return p;
  }
}
