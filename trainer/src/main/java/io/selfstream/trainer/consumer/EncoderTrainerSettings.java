package io.selfstream.trainer.consumer;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.trainer.adapt.AdaptationMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one Kafka encoder trainer ({@link EncoderTrainer}): which method it runs, how it
 * batches the {@code views} stream, how often it publishes and checkpoints, and where its state
 * lives. The learning hyper-parameters are the {@code adapt.*} keys of the learner, not these.
 *
 * <p>Several keys default to "derived": an empty group id, transactional id, checkpoint directory,
 * key directory or source model is filled in from the method and the data dir by {@link #resolve},
 * so that N trainers of different methods in one JVM (the benchmark, the demo) never share a
 * consumer group, a transactional id or a checkpoint.
 *
 * @param client Kafka and schema registry
 * @param method the adaptation method; its {@link AdaptationMethod#modelName()} is the model name
 *     published
 * @param groupId consumer group the consumed offsets are committed to (empty = {@code
 *     selfstream-trainer-<method>})
 * @param transactionalId {@code transactional.id} of the update publisher; a restarted trainer must
 *     reuse it so it fences its predecessor (empty = the group id)
 * @param batchSize views per learner step
 * @param batchTimeout a partial batch is trained after waiting this long for more views (so the
 *     tail of a stream is not held back forever)
 * @param publishEverySteps publish a version after this many steps (0 = only by time)
 * @param publishEvery publish a version after this long with at least one new step (0 = only by
 *     steps)
 * @param fullEvery a FULL every K versions, DELTAs between
 * @param checkpointDir checkpoint directory of this trainer (empty = {@code
 *     <dataDir>/trainer/<method>})
 * @param maxPollRecords {@code max.poll.records} of the views consumer
 * @param pollTimeout how long one poll waits
 * @param device DJL device spec: auto, cpu, gpu, gpu:N
 * @param torchThreads PyTorch intra-op threads (a JVM-wide setting: the CLI applies it before the
 *     engine loads)
 * @param signingKeyDir directory of the Ed25519 model-signing key pair (empty = {@code
 *     <dataDir>/keys})
 * @param sourceModel the bootstrapped source model file, version 1 (empty = {@code
 *     <dataDir>/models/encoder-v1.bin})
 * @param seed seed of the learner
 * @param startupTimeout bound on reading {@code model-updates} and the committed offsets at start
 * @param closeTimeout bound on the final publish and checkpoint at a clean close
 */
public record EncoderTrainerSettings(
    ClientSettings client,
    AdaptationMethod method,
    String groupId,
    String transactionalId,
    int batchSize,
    Duration batchTimeout,
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
    long seed,
    Duration startupTimeout,
    Duration closeTimeout) {

  public static final ConfigKey<AdaptationMethod> METHOD =
      new ConfigKey<>(
          "trainer.method",
          s -> {
            AdaptationMethod m = AdaptationMethod.parse(s);
            if (m == AdaptationMethod.SOURCE) {
              throw new IllegalArgumentException(
                  "the source model does not train: use selfstream, selftrain or tent");
            }
            return m;
          },
          "selfstream",
          "adaptation method: selfstream (MUST), selftrain (pseudo-labels only) or tent");
  public static final ConfigKey<String> GROUP_ID =
      new ConfigKey<>(
          "trainer.groupId",
          String::trim,
          "",
          "consumer group of the views (empty: selfstream-trainer-<method>)");
  public static final ConfigKey<String> TRANSACTIONAL_ID =
      new ConfigKey<>(
          "trainer.transactionalId",
          String::trim,
          "",
          "transactional.id of the update publisher, stable across restarts (empty: the group id)");
  public static final ConfigKey<Integer> BATCH_SIZE =
      ConfigKey.integer("trainer.batchSize", 64, 1, 65_536, "views per learner step");
  public static final ConfigKey<Duration> BATCH_TIMEOUT =
      ConfigKey.duration(
          "trainer.batchTimeout", "2s", "train a partial batch after waiting this long for more");
  public static final ConfigKey<Integer> PUBLISH_EVERY_STEPS =
      ConfigKey.integer(
          "trainer.publishEverySteps",
          50,
          0,
          Integer.MAX_VALUE,
          "publish a model version every N steps (0: by time only)");
  public static final ConfigKey<Duration> PUBLISH_EVERY =
      ConfigKey.duration(
          "trainer.publishEvery",
          "30s",
          "publish a model version at least this often while training (0s: by steps only)");
  public static final ConfigKey<Integer> FULL_EVERY =
      ConfigKey.integer(
          "trainer.fullEvery", 10, 1, 1_000_000, "a FULL update every K versions, DELTAs between");
  public static final ConfigKey<Optional<Path>> CHECKPOINT_DIR =
      ConfigKey.optionalPath(
          "trainer.checkpointDir",
          "checkpoint directory (empty: <stack.dataDir>/trainer/<method>)");
  public static final ConfigKey<Integer> MAX_POLL_RECORDS =
      ConfigKey.integer(
          "trainer.maxPollRecords", 256, 1, 100_000, "max.poll.records of the views consumer");
  public static final ConfigKey<Duration> POLL_TIMEOUT =
      ConfigKey.duration("trainer.pollTimeout", "200ms", "how long one poll of views waits");
  public static final ConfigKey<String> DEVICE =
      ConfigKey.string("trainer.device", "auto", "DJL device: auto, cpu, gpu, gpu:N");
  public static final ConfigKey<Integer> TORCH_THREADS =
      ConfigKey.integer(
          "trainer.torchThreads", 2, 1, 256, "PyTorch intra-op threads (JVM-wide, set at start)");
  public static final ConfigKey<Optional<Path>> SIGNING_KEY_DIR =
      ConfigKey.optionalPath(
          "trainer.signingKeyDir",
          "model-signing key pair directory (empty: <stack.dataDir>/keys)");
  public static final ConfigKey<Optional<Path>> SOURCE_MODEL =
      ConfigKey.optionalPath(
          "trainer.sourceModel",
          "source encoder file, version 1 (empty: <stack.dataDir>/models/encoder-v1.bin)");
  public static final ConfigKey<Long> SEED =
      ConfigKey.longValue(
          "trainer.seed", 7, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the learner's randomness");
  public static final ConfigKey<Duration> STARTUP_TIMEOUT =
      ConfigKey.duration(
          "trainer.startupTimeout", "60s", "bound on reading model-updates and offsets at start");
  public static final ConfigKey<Duration> CLOSE_TIMEOUT =
      ConfigKey.duration(
          "trainer.closeTimeout", "60s", "bound on the final publish and checkpoint at close");

  /** The trainer's own keys (with {@link ClientSettings#KEYS} and the learner's keys). */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          METHOD,
          GROUP_ID,
          TRANSACTIONAL_ID,
          BATCH_SIZE,
          BATCH_TIMEOUT,
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
          SEED,
          STARTUP_TIMEOUT,
          CLOSE_TIMEOUT);

  public EncoderTrainerSettings {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(method, "method");
    if (method == AdaptationMethod.SOURCE) {
      throw new ConfigException(METHOD.name(), "the source model does not train");
    }
    groupId = groupId == null || groupId.isBlank() ? defaultGroupId(method) : groupId.trim();
    transactionalId =
        transactionalId == null || transactionalId.isBlank() ? groupId : transactionalId.trim();
    if (!transactionalId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(TRANSACTIONAL_ID.name(), "must be 1-200 of [A-Za-z0-9._-]");
    }
    if (batchSize < 1) {
      throw new ConfigException(BATCH_SIZE.name(), "must be >= 1");
    }
    requirePositive(BATCH_TIMEOUT, batchTimeout);
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
    requirePositive(POLL_TIMEOUT, pollTimeout);
    if (torchThreads < 1) {
      throw new ConfigException(TORCH_THREADS.name(), "must be >= 1");
    }
    requirePositive(STARTUP_TIMEOUT, startupTimeout);
    requirePositive(CLOSE_TIMEOUT, closeTimeout);
    device = device == null || device.isBlank() ? "auto" : device.trim();
    checkpointDir = checkpointDir == null ? Optional.empty() : checkpointDir;
    signingKeyDir = signingKeyDir == null ? Optional.empty() : signingKeyDir;
    sourceModel = sourceModel == null ? Optional.empty() : sourceModel;
  }

  private static void requirePositive(ConfigKey<?> key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new ConfigException(key.name(), "must be positive");
    }
  }

  /** {@code selfstream-trainer-<method>}. */
  public static String defaultGroupId(AdaptationMethod method) {
    return "selfstream-trainer-" + method.id();
  }

  /** Reads the settings; {@code config} must also declare {@link ClientSettings#KEYS}. */
  public static EncoderTrainerSettings from(Config config) {
    return new EncoderTrainerSettings(
        ClientSettings.from(config),
        config.get(METHOD),
        config.get(GROUP_ID),
        config.get(TRANSACTIONAL_ID),
        config.get(BATCH_SIZE),
        config.get(BATCH_TIMEOUT),
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
        config.get(SEED),
        config.get(STARTUP_TIMEOUT),
        config.get(CLOSE_TIMEOUT));
  }

  /** Client keys plus {@link #KEYS}. */
  public static List<ConfigKey<?>> allKeys() {
    List<ConfigKey<?>> keys = new ArrayList<>(ClientSettings.KEYS);
    keys.addAll(KEYS);
    return keys;
  }

  /** The model name this trainer publishes ({@link AdaptationMethod#modelName()}). */
  public String model() {
    return method.modelName();
  }

  /**
   * Fills in the data-dir defaults: checkpoint dir {@code <dataDir>/trainer/<method>}, key dir
   * {@code <dataDir>/keys}, source model {@code <dataDir>/models/encoder-v1.bin}.
   */
  public EncoderTrainerSettings resolve(Path dataDir) {
    return new EncoderTrainerSettings(
        client,
        method,
        groupId,
        transactionalId,
        batchSize,
        batchTimeout,
        publishEverySteps,
        publishEvery,
        fullEvery,
        Optional.of(checkpointDir.orElse(dataDir.resolve("trainer").resolve(method.id()))),
        maxPollRecords,
        pollTimeout,
        device,
        torchThreads,
        Optional.of(signingKeyDir.orElse(dataDir.resolve("keys"))),
        Optional.of(sourceModel.orElse(dataDir.resolve("models").resolve("encoder-v1.bin"))),
        seed,
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
