package io.selfstream.trainer.temporal;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.graphreasoning.live.TemporalModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the Kafka temporal trainer ({@link TemporalTrainer}), the {@code temporalTrainer.*}
 * keys: how it assembles clips from {@code features}, how often it publishes and checkpoints, and
 * where its state lives. The learning hyperparameters are {@link TemporalConfig}'s {@code
 * temporal.*} keys, not these.
 *
 * @param client Kafka and schema registry
 * @param groupId consumer group the consumed offsets are committed to
 * @param transactionalId {@code transactional.id} of the update publisher, stable across restarts
 *     so a restarted trainer fences its predecessor (empty = the group id)
 * @param clipsPerStep clips (of any sources) per learner step
 * @param batchTimeout fewer clips are trained once the oldest ready one waited this long
 * @param idleTimeout a source silent this long has its partial clip ended (trained when long
 *     enough, else dropped), so a stopped feed never holds its partition's commit back
 * @param maxGapFrames missing seqs bridged inside a clip; a longer gap ends the clip
 * @param publishEverySteps publish a version after this many steps (0 = only by time)
 * @param publishEvery publish a version after this long with at least one new step (0 = only by
 *     steps)
 * @param fullEvery a FULL every K versions, ternary DELTAs with error feedback between
 * @param checkpointDir checkpoint directory (empty = {@code <dataDir>/trainer/dtgrm})
 * @param maxPollRecords {@code max.poll.records} of the features consumer
 * @param pollTimeout how long one poll waits
 * @param device DJL device spec: auto, cpu, gpu, gpu:N
 * @param torchThreads PyTorch intra-op threads (JVM-wide: the CLI sets it before DJL loads)
 * @param signingKeyDir Ed25519 model-signing key pair directory (empty = {@code <dataDir>/keys})
 * @param sourceModel the seed-trained DTGRM, a {@code selfstream train segmentation} checkpoint
 *     folder (empty = {@code <dataDir>/models/dtgrm-seed})
 * @param encoderVersion encoder version of the features the source model was trained on; frames of
 *     other versions are refused ({@link TemporalModels#FIXED_EXTRACTOR_VERSION} = the fixed
 *     synthetic-video extractor)
 * @param startupTimeout bound on reading {@code model-updates} and the committed offsets at start
 * @param closeTimeout bound on the final publish and checkpoint at a clean close
 */
public record TemporalTrainerSettings(
    ClientSettings client,
    String groupId,
    String transactionalId,
    int clipsPerStep,
    Duration batchTimeout,
    Duration idleTimeout,
    int maxGapFrames,
    int publishEverySteps,
    Duration publishEvery,
    int fullEvery,
    Optional<Path> checkpointDir,
    int maxPollRecords,
    Duration pollTimeout,
    String device,
    int torchThreads,
    Optional<Path> signingKeyDir,
    Optional<Path> sourceModel,
    long encoderVersion,
    Duration startupTimeout,
    Duration closeTimeout) {

  public static final ConfigKey<String> GROUP_ID =
      ConfigKey.string(
          "temporalTrainer.groupId",
          "selfstream-trainer-" + TemporalModels.MODEL,
          "consumer group of the features");
  public static final ConfigKey<String> TRANSACTIONAL_ID =
      new ConfigKey<>(
          "temporalTrainer.transactionalId",
          String::trim,
          "",
          "transactional.id of the update publisher, stable across restarts (empty: the group id)");
  public static final ConfigKey<Integer> CLIPS_PER_STEP =
      ConfigKey.integer("temporalTrainer.clipsPerStep", 1, 1, 1024, "clips per learner step");
  public static final ConfigKey<Duration> BATCH_TIMEOUT =
      ConfigKey.duration(
          "temporalTrainer.batchTimeout", "2s", "train fewer clips after waiting this long");
  public static final ConfigKey<Duration> IDLE_TIMEOUT =
      ConfigKey.duration(
          "temporalTrainer.idleTimeout",
          "30s",
          "end the partial clip of a source silent this long");
  public static final ConfigKey<Integer> MAX_GAP_FRAMES =
      ConfigKey.integer(
          "temporalTrainer.maxGapFrames", 4, 0, 1_000_000, "missing seqs bridged inside a clip");
  public static final ConfigKey<Integer> PUBLISH_EVERY_STEPS =
      ConfigKey.integer(
          "temporalTrainer.publishEverySteps",
          20,
          0,
          Integer.MAX_VALUE,
          "publish a dtgrm version every N steps (0: by time only)");
  public static final ConfigKey<Duration> PUBLISH_EVERY =
      ConfigKey.duration(
          "temporalTrainer.publishEvery",
          "30s",
          "publish a dtgrm version at least this often while training (0s: by steps only)");
  public static final ConfigKey<Integer> FULL_EVERY =
      ConfigKey.integer(
          "temporalTrainer.fullEvery",
          10,
          1,
          1_000_000,
          "a FULL update every K versions, DELTAs between");
  public static final ConfigKey<Optional<Path>> CHECKPOINT_DIR =
      ConfigKey.optionalPath(
          "temporalTrainer.checkpointDir",
          "checkpoint directory (empty: <stack.dataDir>/trainer/dtgrm)");
  public static final ConfigKey<Integer> MAX_POLL_RECORDS =
      ConfigKey.integer(
          "temporalTrainer.maxPollRecords",
          500,
          1,
          100_000,
          "max.poll.records of the features consumer");
  public static final ConfigKey<Duration> POLL_TIMEOUT =
      ConfigKey.duration(
          "temporalTrainer.pollTimeout", "200ms", "how long one poll of features waits");
  public static final ConfigKey<String> DEVICE =
      ConfigKey.string("temporalTrainer.device", "auto", "DJL device: auto, cpu, gpu, gpu:N");
  public static final ConfigKey<Integer> TORCH_THREADS =
      ConfigKey.integer(
          "temporalTrainer.torchThreads",
          2,
          1,
          256,
          "PyTorch intra-op threads (JVM-wide, set at start)");
  public static final ConfigKey<Optional<Path>> SIGNING_KEY_DIR =
      ConfigKey.optionalPath(
          "temporalTrainer.signingKeyDir",
          "model-signing key pair directory (empty: <stack.dataDir>/keys)");
  public static final ConfigKey<Optional<Path>> SOURCE_MODEL =
      ConfigKey.optionalPath(
          "temporalTrainer.sourceModel",
          "seed-trained DTGRM checkpoint folder (empty: <stack.dataDir>/models/dtgrm-seed)");
  public static final ConfigKey<Long> ENCODER_VERSION =
      ConfigKey.longValue(
          "temporalTrainer.encoderVersion",
          TemporalModels.FIXED_EXTRACTOR_VERSION,
          0,
          Long.MAX_VALUE,
          "encoder version of the features the source model reads (0: fixed extractor)");
  public static final ConfigKey<Duration> STARTUP_TIMEOUT =
      ConfigKey.duration(
          "temporalTrainer.startupTimeout",
          "60s",
          "bound on reading model-updates and offsets at start");
  public static final ConfigKey<Duration> CLOSE_TIMEOUT =
      ConfigKey.duration(
          "temporalTrainer.closeTimeout",
          "60s",
          "bound on the final publish and checkpoint at close");

  /** The trainer's own keys (with {@link ClientSettings#KEYS} and {@link TemporalConfig#KEYS}). */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          GROUP_ID,
          TRANSACTIONAL_ID,
          CLIPS_PER_STEP,
          BATCH_TIMEOUT,
          IDLE_TIMEOUT,
          MAX_GAP_FRAMES,
          PUBLISH_EVERY_STEPS,
          PUBLISH_EVERY,
          FULL_EVERY,
          CHECKPOINT_DIR,
          MAX_POLL_RECORDS,
          POLL_TIMEOUT,
          DEVICE,
          TORCH_THREADS,
          SIGNING_KEY_DIR,
          SOURCE_MODEL,
          ENCODER_VERSION,
          STARTUP_TIMEOUT,
          CLOSE_TIMEOUT);

  public TemporalTrainerSettings {
    Objects.requireNonNull(client, "client");
    groupId = groupId == null || groupId.isBlank() ? GROUP_ID.defaultValue() : groupId.trim();
    transactionalId =
        transactionalId == null || transactionalId.isBlank() ? groupId : transactionalId.trim();
    if (!transactionalId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(TRANSACTIONAL_ID.name(), "must be 1-200 of [A-Za-z0-9._-]");
    }
    if (clipsPerStep < 1) {
      throw new ConfigException(CLIPS_PER_STEP.name(), "must be >= 1");
    }
    positive(BATCH_TIMEOUT, batchTimeout);
    positive(IDLE_TIMEOUT, idleTimeout);
    if (maxGapFrames < 0) {
      throw new ConfigException(MAX_GAP_FRAMES.name(), "must be >= 0");
    }
    if (publishEverySteps < 0) {
      throw new ConfigException(PUBLISH_EVERY_STEPS.name(), "must be >= 0");
    }
    if (publishEvery == null || publishEvery.isNegative()) {
      throw new ConfigException(PUBLISH_EVERY.name(), "must be >= 0");
    }
    if (publishEverySteps == 0 && publishEvery.isZero()) {
      throw new ConfigException(
          PUBLISH_EVERY_STEPS.name(),
          "and " + PUBLISH_EVERY.name() + " are both 0: the trainer would never publish");
    }
    if (fullEvery < 1) {
      throw new ConfigException(FULL_EVERY.name(), "must be >= 1");
    }
    if (maxPollRecords < 1) {
      throw new ConfigException(MAX_POLL_RECORDS.name(), "must be >= 1");
    }
    positive(POLL_TIMEOUT, pollTimeout);
    if (torchThreads < 1) {
      throw new ConfigException(TORCH_THREADS.name(), "must be >= 1");
    }
    if (encoderVersion < 0) {
      throw new ConfigException(ENCODER_VERSION.name(), "must be >= 0");
    }
    positive(STARTUP_TIMEOUT, startupTimeout);
    positive(CLOSE_TIMEOUT, closeTimeout);
    device = device == null || device.isBlank() ? "auto" : device.trim();
    checkpointDir = checkpointDir == null ? Optional.empty() : checkpointDir;
    signingKeyDir = signingKeyDir == null ? Optional.empty() : signingKeyDir;
    sourceModel = sourceModel == null ? Optional.empty() : sourceModel;
  }

  private static void positive(ConfigKey<?> key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new ConfigException(key.name(), "must be positive");
    }
  }

  /** Reads the settings; {@code config} must also declare {@link ClientSettings#KEYS}. */
  public static TemporalTrainerSettings from(Config config) {
    return from(ClientSettings.from(config), config);
  }

  /** Reads the settings with the client settings from elsewhere; {@code config} declares KEYS. */
  public static TemporalTrainerSettings from(ClientSettings client, Config config) {
    return new TemporalTrainerSettings(
        client,
        config.get(GROUP_ID),
        config.get(TRANSACTIONAL_ID),
        config.get(CLIPS_PER_STEP),
        config.get(BATCH_TIMEOUT),
        config.get(IDLE_TIMEOUT),
        config.get(MAX_GAP_FRAMES),
        config.get(PUBLISH_EVERY_STEPS),
        config.get(PUBLISH_EVERY),
        config.get(FULL_EVERY),
        config.get(CHECKPOINT_DIR),
        config.get(MAX_POLL_RECORDS),
        config.get(POLL_TIMEOUT),
        config.get(DEVICE),
        config.get(TORCH_THREADS),
        config.get(SIGNING_KEY_DIR),
        config.get(SOURCE_MODEL),
        config.get(ENCODER_VERSION),
        config.get(STARTUP_TIMEOUT),
        config.get(CLOSE_TIMEOUT));
  }

  /** Client keys, {@link #KEYS} and the learner's {@link TemporalConfig#KEYS}. */
  public static List<ConfigKey<?>> allKeys() {
    List<ConfigKey<?>> keys = new ArrayList<>(ClientSettings.KEYS);
    keys.addAll(KEYS);
    keys.addAll(TemporalConfig.KEYS);
    return keys;
  }

  /** The model name published: {@value TemporalModels#MODEL}. */
  public String model() {
    return TemporalModels.MODEL;
  }

  /**
   * Fills in the data-dir defaults: checkpoints {@code <dataDir>/trainer/dtgrm}, keys {@code
   * <dataDir>/keys}, source model {@code <dataDir>/models/dtgrm-seed}.
   */
  public TemporalTrainerSettings resolve(Path dataDir) {
    return new TemporalTrainerSettings(
        client,
        groupId,
        transactionalId,
        clipsPerStep,
        batchTimeout,
        idleTimeout,
        maxGapFrames,
        publishEverySteps,
        publishEvery,
        fullEvery,
        Optional.of(checkpointDir.orElse(dataDir.resolve("trainer").resolve(TemporalModels.MODEL))),
        maxPollRecords,
        pollTimeout,
        device,
        torchThreads,
        Optional.of(signingKeyDir.orElse(dataDir.resolve("keys"))),
        Optional.of(sourceModel.orElse(dataDir.resolve("models").resolve("dtgrm-seed"))),
        encoderVersion,
        startupTimeout,
        closeTimeout);
  }

  /** The checkpoint directory, which must be set (directly or by {@link #resolve}). */
  public Path requireCheckpointDir() {
    return checkpointDir.orElseThrow(
        () ->
            new ConfigException(
                CHECKPOINT_DIR.name(), "not set: name a directory or resolve against a data dir"));
  }
}
