package io.selfstream.trainer.views;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the Flink views job ({@link ViewsJob#define}).
 *
 * @param client Kafka and schema registry
 * @param jobName Flink job name
 * @param model model name of the teacher on {@code model-updates}
 * @param encoder the teacher's architecture, with the SimMIM mask patch and ratio of the views;
 *     updates whose parameter layout does not match it are refused
 * @param confidenceThreshold a pseudo-label is emitted when the teacher's max probability reaches
 *     it
 * @param seed job seed mixed into every frame's augmentation seed
 * @param parallelism parallelism of the frames source, the views operator and the sinks
 * @param checkpointInterval checkpoint interval: exactly-once output becomes visible at checkpoints
 * @param checkpointDir checkpoint storage directory (empty = the cluster's / JobManager memory)
 * @param transactionalIdPrefix prefix of the sinks' transactional ids (unique per job)
 * @param transactionTimeout producer {@code transaction.timeout.ms} of the sinks: above the
 *     checkpoint interval plus restart time, below the broker's {@code transaction.max.timeout.ms}
 * @param groupId consumer group of the frames source (committed on checkpoints)
 * @param startFrom where the frames source starts without a checkpoint
 * @param trustedKeyFiles Ed25519 public keys (PEM or DER) whose signed updates are trusted
 * @param batchSize frames per teacher forward pass
 * @param batchTimeout a partial batch is flushed after this long (and at every checkpoint)
 * @param device DJL device spec: auto, cpu, gpu, gpu:N
 * @param torchThreads PyTorch intra-op threads per task manager JVM (set before the engine loads)
 * @param restartAttempts fixed-delay restart attempts after a failure
 * @param restartDelay delay between restarts
 * @param producerCompression {@code compression.type} of the sinks' producers: none on one machine
 *     (the co-located broker would spend CPU decompressing to validate), lz4/zstd across a network
 * @param dlqMaxOriginalBytes dead letters keep at most this many bytes of the original value
 * @param failOnceAfterFrames chaos: the first attempt of frames subtask 0 fails after this many
 *     frames (0 = never); for failover tests
 * @param videoSources regex over a frame's whole {@code sourceId} naming the live video feeds
 *     (empty = none): their frames get fixed {@link VideoFeaturesFunction} features instead of
 *     views and teacher features
 * @param videoFeatureGrid pooling grid of the video features; must divide the video frame side
 */
public record ViewsJobSettings(
    ClientSettings client,
    String jobName,
    String model,
    EncoderConfig encoder,
    double confidenceThreshold,
    long seed,
    int parallelism,
    Duration checkpointInterval,
    Optional<Path> checkpointDir,
    String transactionalIdPrefix,
    Duration transactionTimeout,
    String groupId,
    StartFrom startFrom,
    List<Path> trustedKeyFiles,
    int batchSize,
    Duration batchTimeout,
    String device,
    int torchThreads,
    int restartAttempts,
    Duration restartDelay,
    String producerCompression,
    int dlqMaxOriginalBytes,
    long failOnceAfterFrames,
    String videoSources,
    int videoFeatureGrid) {

  /** Where the frames source starts when there is no checkpoint to restore. */
  public enum StartFrom {
    /** The group's committed offsets, earliest where there are none. */
    COMMITTED,
    EARLIEST,
    LATEST
  }

  /** The broker's default {@code transaction.max.timeout.ms}. */
  public static final Duration BROKER_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  public static final ConfigKey<String> JOB_NAME =
      ConfigKey.string("views.jobName", "selfstream-views", "Flink job name of the views job");
  public static final ConfigKey<String> MODEL =
      ConfigKey.string("views.model", EncoderUpdates.MODEL, "teacher model name on model-updates");
  public static final ConfigKey<String> ENCODER =
      new ConfigKey<>(
          "views.encoder",
          String::trim,
          "",
          "teacher architecture as k=v,... over EncoderConfig fields (empty = the default ViT)");
  public static final ConfigKey<Double> CONFIDENCE_THRESHOLD =
      ConfigKey.decimal(
          "views.confidenceThreshold",
          0.7,
          0,
          1,
          "pseudo-label when the teacher's max probability reaches this");
  public static final ConfigKey<Integer> MASK_PATCH =
      ConfigKey.integer(
          "views.maskPatch",
          14,
          1,
          4096,
          "SimMIM mask block side in pixels (multiple of the model patch, divides the image)");
  public static final ConfigKey<Double> MASK_RATIO =
      ConfigKey.decimal("views.maskRatio", 0.3, 0, 1, "fraction of mask blocks hidden");
  public static final ConfigKey<Long> SEED =
      ConfigKey.longValue(
          "views.seed", 42, Long.MIN_VALUE, Long.MAX_VALUE, "job seed of the augmentations");
  public static final ConfigKey<Integer> PARALLELISM =
      ConfigKey.integer("views.parallelism", 2, 1, 1024, "parallelism of the views job");
  public static final ConfigKey<Duration> CHECKPOINT_INTERVAL =
      ConfigKey.duration(
          "views.checkpointInterval", "5s", "checkpoint interval (exactly-once output visibility)");
  public static final ConfigKey<Optional<Path>> CHECKPOINT_DIR =
      ConfigKey.optionalPath(
          "views.checkpointDir",
          "checkpoint directory (empty: the CLI uses <stack.dataDir>/flink/checkpoints)");
  public static final ConfigKey<String> TRANSACTIONAL_ID_PREFIX =
      ConfigKey.string(
          "views.transactionalIdPrefix",
          "selfstream-views",
          "prefix of the Kafka sinks' transactional ids (unique per job)");
  public static final ConfigKey<Duration> TRANSACTION_TIMEOUT =
      ConfigKey.duration(
          "views.transactionTimeout",
          "5m",
          "Kafka sink transaction.timeout.ms (below the broker's transaction.max.timeout.ms)");
  public static final ConfigKey<String> GROUP_ID =
      ConfigKey.string("views.groupId", "selfstream-views", "consumer group of the frames source");
  public static final ConfigKey<StartFrom> START_FROM =
      ConfigKey.enumValue(
          "views.startFrom",
          StartFrom.class,
          StartFrom.COMMITTED,
          "frames start without a checkpoint: committed, earliest or latest");
  public static final ConfigKey<String> TRUSTED_KEYS =
      new ConfigKey<>(
          "views.trustedKeys",
          String::trim,
          "",
          "comma-separated public key files trusted for model updates"
              + " (empty: the CLI uses <stack.dataDir>/keys/model-signing.pub.pem)");
  public static final ConfigKey<Integer> BATCH_SIZE =
      ConfigKey.integer("views.batchSize", 32, 1, 4096, "frames per teacher forward pass");
  public static final ConfigKey<Duration> BATCH_TIMEOUT =
      ConfigKey.duration("views.batchTimeout", "50ms", "flush a partial batch after this long");
  public static final ConfigKey<String> DEVICE =
      ConfigKey.string("views.device", "auto", "DJL device: auto, cpu, gpu, gpu:N");
  public static final ConfigKey<Integer> TORCH_THREADS =
      ConfigKey.integer(
          "views.torchThreads", 1, 1, 256, "PyTorch intra-op threads per task manager");
  public static final ConfigKey<Integer> RESTART_ATTEMPTS =
      ConfigKey.integer(
          "views.restartAttempts", 10, 0, 1_000_000, "fixed-delay restart attempts on failure");
  public static final ConfigKey<Duration> RESTART_DELAY =
      ConfigKey.duration("views.restartDelay", "2s", "delay between restarts");
  public static final ConfigKey<String> PRODUCER_COMPRESSION =
      new ConfigKey<>(
          "views.producerCompression",
          s -> {
            String v = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(v)) {
              throw new IllegalArgumentException(
                  "'" + s + "' is not one of none, gzip, snappy, lz4, zstd");
            }
            return v;
          },
          "none",
          "compression.type of the sinks (none on one machine; lz4/zstd across a network)");
  public static final ConfigKey<Integer> DLQ_MAX_ORIGINAL_BYTES =
      ConfigKey.integer(
          "views.dlqMaxOriginalBytes",
          960 * 1024,
          0,
          Integer.MAX_VALUE - 64,
          "dead letters keep at most this many bytes of the original frame value");
  public static final ConfigKey<Long> FAIL_ONCE_AFTER_FRAMES =
      ConfigKey.longValue(
          "views.chaos.failOnceAfterFrames",
          0,
          0,
          Long.MAX_VALUE,
          "chaos: fail the first attempt of frames subtask 0 after N frames (0 = never)");
  public static final ConfigKey<String> VIDEO_SOURCES =
      new ConfigKey<>(
          "views.videoSources",
          s -> {
            String v = s.trim();
            // a PatternSyntaxException is an IllegalArgumentException: Config names the key
            java.util.regex.Pattern.compile(v);
            return v;
          },
          "",
          "regex matching the whole sourceId of video feeds: fixed video features, no views"
              + " (empty = no video sources)");
  public static final ConfigKey<Integer> VIDEO_FEATURE_GRID =
      ConfigKey.integer(
          "views.videoFeatureGrid",
          VideoFeatures.DEFAULT_GRID,
          1,
          4096,
          "pooling grid of the video features (must divide the normalized frame side)");

  /** The views job's own keys (with {@link ClientSettings#KEYS} they make a full config). */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          JOB_NAME,
          MODEL,
          ENCODER,
          CONFIDENCE_THRESHOLD,
          MASK_PATCH,
          MASK_RATIO,
          SEED,
          PARALLELISM,
          CHECKPOINT_INTERVAL,
          CHECKPOINT_DIR,
          TRANSACTIONAL_ID_PREFIX,
          TRANSACTION_TIMEOUT,
          GROUP_ID,
          START_FROM,
          TRUSTED_KEYS,
          BATCH_SIZE,
          BATCH_TIMEOUT,
          DEVICE,
          TORCH_THREADS,
          RESTART_ATTEMPTS,
          RESTART_DELAY,
          PRODUCER_COMPRESSION,
          DLQ_MAX_ORIGINAL_BYTES,
          FAIL_ONCE_AFTER_FRAMES,
          VIDEO_SOURCES,
          VIDEO_FEATURE_GRID);

  public ViewsJobSettings {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(encoder, "encoder");
    if (!(confidenceThreshold >= 0 && confidenceThreshold <= 1)) {
      throw new ConfigException(CONFIDENCE_THRESHOLD.name(), "must be in [0, 1]");
    }
    if (parallelism < 1) {
      throw new ConfigException(PARALLELISM.name(), "must be >= 1");
    }
    if (checkpointInterval == null
        || checkpointInterval.isNegative()
        || checkpointInterval.toMillis() < 10) {
      throw new ConfigException(CHECKPOINT_INTERVAL.name(), "must be at least 10ms");
    }
    if (transactionTimeout == null || transactionTimeout.compareTo(checkpointInterval) <= 0) {
      throw new ConfigException(
          TRANSACTION_TIMEOUT.name(),
          "must be longer than the checkpoint interval "
              + checkpointInterval
              + " (transactions stay open from one checkpoint to the next)");
    }
    if (transactionTimeout.compareTo(BROKER_MAX_TRANSACTION_TIMEOUT) > 0) {
      throw new ConfigException(
          TRANSACTION_TIMEOUT.name(),
          "must not exceed the broker's transaction.max.timeout.ms (15 min by default), got "
              + transactionTimeout);
    }
    if (transactionalIdPrefix == null || !transactionalIdPrefix.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(TRANSACTIONAL_ID_PREFIX.name(), "must be 1-200 of [A-Za-z0-9._-]");
    }
    if (batchSize < 1) {
      throw new ConfigException(BATCH_SIZE.name(), "must be >= 1");
    }
    if (batchTimeout == null || batchTimeout.isNegative() || batchTimeout.isZero()) {
      throw new ConfigException(BATCH_TIMEOUT.name(), "must be positive");
    }
    videoSources = videoSources == null ? "" : videoSources.trim();
    try {
      java.util.regex.Pattern.compile(videoSources);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new ConfigException(VIDEO_SOURCES.name(), "not a regex: " + e.getMessage());
    }
    if (videoFeatureGrid < 1) {
      throw new ConfigException(VIDEO_FEATURE_GRID.name(), "must be >= 1");
    }
    checkpointDir = checkpointDir == null ? Optional.empty() : checkpointDir;
    trustedKeyFiles = trustedKeyFiles == null ? List.of() : List.copyOf(trustedKeyFiles);
    startFrom = startFrom == null ? StartFrom.COMMITTED : startFrom;
  }

  /** Reads the settings; {@code config} must also declare {@link ClientSettings#KEYS}. */
  public static ViewsJobSettings from(Config config) {
    EncoderConfig encoder = parseEncoder(config.get(ENCODER));
    try {
      encoder = encoder.withMask(config.get(MASK_PATCH), config.get(MASK_RATIO));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(MASK_PATCH.name(), e.getMessage());
    }
    List<Path> keys = new ArrayList<>();
    for (String part : config.get(TRUSTED_KEYS).split(",")) {
      if (!part.isBlank()) {
        String p = part.trim();
        keys.add(
            p.startsWith("~/")
                ? Path.of(System.getProperty("user.home")).resolve(p.substring(2))
                : Path.of(p));
      }
    }
    return new ViewsJobSettings(
        ClientSettings.from(config),
        config.get(JOB_NAME),
        config.get(MODEL),
        encoder,
        config.get(CONFIDENCE_THRESHOLD),
        config.get(SEED),
        config.get(PARALLELISM),
        config.get(CHECKPOINT_INTERVAL),
        config.get(CHECKPOINT_DIR),
        config.get(TRANSACTIONAL_ID_PREFIX),
        config.get(TRANSACTION_TIMEOUT),
        config.get(GROUP_ID),
        config.get(START_FROM),
        keys,
        config.get(BATCH_SIZE),
        config.get(BATCH_TIMEOUT),
        config.get(DEVICE),
        config.get(TORCH_THREADS),
        config.get(RESTART_ATTEMPTS),
        config.get(RESTART_DELAY),
        config.get(PRODUCER_COMPRESSION),
        config.get(DLQ_MAX_ORIGINAL_BYTES),
        config.get(FAIL_ONCE_AFTER_FRAMES),
        config.get(VIDEO_SOURCES),
        config.get(VIDEO_FEATURE_GRID));
  }

  /** Every key a standalone views job reads: client keys plus {@link #KEYS}. */
  public static List<ConfigKey<?>> allKeys() {
    List<ConfigKey<?>> keys = new ArrayList<>(ClientSettings.KEYS);
    keys.addAll(KEYS);
    return keys;
  }

  /**
   * Parses {@code k=v,k=v} over {@link EncoderConfig#toMap()} fields; missing fields keep the
   * default.
   */
  public static EncoderConfig parseEncoder(String spec) {
    if (spec == null || spec.isBlank()) {
      return EncoderConfig.DEFAULT;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new ConfigException(ENCODER.name(), "'" + part.trim() + "' is not field=value");
      }
      fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    try {
      return EncoderConfig.fromMap(fields);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ENCODER.name(), e.getMessage());
    }
  }

  /** {@code config} as a {@link #ENCODER} value. */
  public static String encoderSpec(EncoderConfig config) {
    StringBuilder sb = new StringBuilder();
    config
        .toMap()
        .forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }

  /** Reads the trusted public keys; fails naming the key when there are none or one is bad. */
  public List<PublicKey> loadTrustedKeys() {
    if (trustedKeyFiles.isEmpty()) {
      throw new ConfigException(
          TRUSTED_KEYS.name(),
          "no trusted public key: name the model-signing public key file(s) that verify updates");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : trustedKeyFiles) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException(TRUSTED_KEYS.name(), "no such file: " + file);
      }
      try {
        keys.add(SigningKeys.readPublicKey(file));
      } catch (RuntimeException e) {
        throw new ConfigException(TRUSTED_KEYS.name(), e.getMessage());
      }
    }
    return keys;
  }

  /** Whether any source is a video feed ({@link #videoSources} is set). */
  public boolean hasVideoSources() {
    return !videoSources.isEmpty();
  }

  public ViewsJobSettings withTrustedKeyFiles(List<Path> files) {
    return new ViewsJobSettings(
        client,
        jobName,
        model,
        encoder,
        confidenceThreshold,
        seed,
        parallelism,
        checkpointInterval,
        checkpointDir,
        transactionalIdPrefix,
        transactionTimeout,
        groupId,
        startFrom,
        files,
        batchSize,
        batchTimeout,
        device,
        torchThreads,
        restartAttempts,
        restartDelay,
        producerCompression,
        dlqMaxOriginalBytes,
        failOnceAfterFrames,
        videoSources,
        videoFeatureGrid);
  }

  public ViewsJobSettings withCheckpointDir(Path dir) {
    return new ViewsJobSettings(
        client,
        jobName,
        model,
        encoder,
        confidenceThreshold,
        seed,
        parallelism,
        checkpointInterval,
        Optional.ofNullable(dir),
        transactionalIdPrefix,
        transactionTimeout,
        groupId,
        startFrom,
        trustedKeyFiles,
        batchSize,
        batchTimeout,
        device,
        torchThreads,
        restartAttempts,
        restartDelay,
        producerCompression,
        dlqMaxOriginalBytes,
        failOnceAfterFrames,
        videoSources,
        videoFeatureGrid);
  }

  public ViewsJobSettings withClient(ClientSettings client) {
    return new ViewsJobSettings(
        client,
        jobName,
        model,
        encoder,
        confidenceThreshold,
        seed,
        parallelism,
        checkpointInterval,
        checkpointDir,
        transactionalIdPrefix,
        transactionTimeout,
        groupId,
        startFrom,
        trustedKeyFiles,
        batchSize,
        batchTimeout,
        device,
        torchThreads,
        restartAttempts,
        restartDelay,
        producerCompression,
        dlqMaxOriginalBytes,
        failOnceAfterFrames,
        videoSources,
        videoFeatureGrid);
  }
}
