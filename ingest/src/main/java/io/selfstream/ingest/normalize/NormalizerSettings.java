package io.selfstream.ingest.normalize;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.ingest.image.ResizeMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The frame normalizer: the model resolution frames are converted to, the limits beyond which a
 * frame is rejected, and how the Kafka Streams app runs.
 *
 * @param applicationId Kafka Streams {@code application.id} (consumer group, transactional ids)
 * @param width model input width
 * @param height model input height
 * @param channels model input channels: 1 (gray) or 3 (RGB)
 * @param resize how frames of another size are resized; NONE rejects them
 * @param convertChannels whether RGB frames become gray (luminance) and gray ones RGB; when false a
 *     frame with other channels is rejected
 * @param maxDimension largest width or height accepted (guards decoders against huge headers)
 * @param maxRecordBytes largest serialized {@code frames.raw} value accepted
 * @param dlqMaxOriginalBytes dead letters keep at most this many bytes of the original record (the
 *     dead letter must fit the DLQ topic's message limit); the message says when cut
 * @param threads {@code num.stream.threads}
 * @param commitInterval {@code commit.interval.ms} (transaction length under exactly-once)
 * @param stateDir Kafka Streams {@code state.dir}; empty for the Kafka Streams default
 */
public record NormalizerSettings(
    String applicationId,
    int width,
    int height,
    int channels,
    ResizeMethod resize,
    boolean convertChannels,
    int maxDimension,
    int maxRecordBytes,
    int dlqMaxOriginalBytes,
    int threads,
    Duration commitInterval,
    Optional<Path> stateDir) {

  public static final ConfigKey<String> APPLICATION_ID =
      ConfigKey.string(
          "normalizer.applicationId", "selfstream-normalizer", "Kafka Streams application.id");
  public static final ConfigKey<Integer> WIDTH =
      ConfigKey.integer("normalizer.width", 28, 1, 4096, "model input width in pixels");
  public static final ConfigKey<Integer> HEIGHT =
      ConfigKey.integer("normalizer.height", 28, 1, 4096, "model input height in pixels");
  public static final ConfigKey<Integer> CHANNELS =
      ConfigKey.integer("normalizer.channels", 1, 1, 3, "model input channels: 1 gray or 3 RGB");
  public static final ConfigKey<ResizeMethod> RESIZE =
      ConfigKey.enumValue(
          "normalizer.resize",
          ResizeMethod.class,
          ResizeMethod.AREA,
          "resize to the model resolution: area, bilinear, or none (reject other sizes)");
  public static final ConfigKey<Boolean> CONVERT_CHANNELS =
      ConfigKey.bool(
          "normalizer.convertChannels",
          true,
          "convert RGB to gray (luminance) or gray to RGB; false rejects other channel counts");
  public static final ConfigKey<Integer> MAX_DIMENSION =
      ConfigKey.integer(
          "normalizer.maxDimension", 4096, 1, 65535, "largest accepted frame width or height");
  public static final ConfigKey<Integer> MAX_RECORD_BYTES =
      ConfigKey.integer(
          "normalizer.maxRecordBytes",
          1 << 20,
          64,
          Integer.MAX_VALUE - 64,
          "largest accepted serialized frames.raw value in bytes");
  public static final ConfigKey<Integer> DLQ_MAX_ORIGINAL_BYTES =
      ConfigKey.integer(
          "normalizer.dlqMaxOriginalBytes",
          960 * 1024,
          0,
          Integer.MAX_VALUE - 64,
          "dead letters keep at most this many bytes of the original record");
  public static final ConfigKey<Integer> THREADS =
      ConfigKey.integer("normalizer.threads", 1, 1, 64, "Kafka Streams num.stream.threads");
  public static final ConfigKey<Duration> COMMIT_INTERVAL =
      ConfigKey.duration(
          "normalizer.commitInterval", "100ms", "Kafka Streams commit.interval.ms (exactly-once)");
  public static final ConfigKey<Optional<Path>> STATE_DIR =
      ConfigKey.optionalPath(
          "normalizer.stateDir", "Kafka Streams state.dir (empty = Kafka Streams default)");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          APPLICATION_ID,
          WIDTH,
          HEIGHT,
          CHANNELS,
          RESIZE,
          CONVERT_CHANNELS,
          MAX_DIMENSION,
          MAX_RECORD_BYTES,
          DLQ_MAX_ORIGINAL_BYTES,
          THREADS,
          COMMIT_INTERVAL,
          STATE_DIR);

  public NormalizerSettings {
    if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(
          APPLICATION_ID.name(), "must be 1-200 of [A-Za-z0-9._-], got '" + applicationId + "'");
    }
    if (width < 1) {
      throw new ConfigException(WIDTH.name(), "must be >= 1, got " + width);
    }
    if (height < 1) {
      throw new ConfigException(HEIGHT.name(), "must be >= 1, got " + height);
    }
    if (channels != 1 && channels != 3) {
      throw new ConfigException(CHANNELS.name(), "must be 1 (gray) or 3 (RGB), got " + channels);
    }
    if (resize == null) {
      throw new ConfigException(RESIZE.name(), "must be set");
    }
    if (maxDimension < 1) {
      throw new ConfigException(MAX_DIMENSION.name(), "must be >= 1, got " + maxDimension);
    }
    if (maxRecordBytes < 1) {
      throw new ConfigException(MAX_RECORD_BYTES.name(), "must be >= 1, got " + maxRecordBytes);
    }
    if (dlqMaxOriginalBytes < 0) {
      throw new ConfigException(
          DLQ_MAX_ORIGINAL_BYTES.name(), "must be >= 0, got " + dlqMaxOriginalBytes);
    }
    if (threads < 1) {
      throw new ConfigException(THREADS.name(), "must be >= 1, got " + threads);
    }
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw new ConfigException(COMMIT_INTERVAL.name(), "must be positive");
    }
    stateDir = stateDir == null ? Optional.empty() : stateDir;
  }

  public static NormalizerSettings from(Config config) {
    return new NormalizerSettings(
        config.get(APPLICATION_ID),
        config.get(WIDTH),
        config.get(HEIGHT),
        config.get(CHANNELS),
        config.get(RESIZE),
        config.get(CONVERT_CHANNELS),
        config.get(MAX_DIMENSION),
        config.get(MAX_RECORD_BYTES),
        config.get(DLQ_MAX_ORIGINAL_BYTES),
        config.get(THREADS),
        config.get(COMMIT_INTERVAL),
        config.get(STATE_DIR));
  }

  /** The defaults: 28x28x1 (Fashion-MNIST), area resize, 4096 px, 1 MiB records. */
  public static NormalizerSettings defaults() {
    return from(Config.defaults(KEYS));
  }

  /** These settings with another model resolution. */
  public NormalizerSettings withShape(int newWidth, int newHeight, int newChannels) {
    return new NormalizerSettings(
        applicationId,
        newWidth,
        newHeight,
        newChannels,
        resize,
        convertChannels,
        maxDimension,
        maxRecordBytes,
        dlqMaxOriginalBytes,
        threads,
        commitInterval,
        stateDir);
  }

  /** Bytes of one normalized frame. */
  public int frameBytes() {
    return width * height * channels;
  }
}
