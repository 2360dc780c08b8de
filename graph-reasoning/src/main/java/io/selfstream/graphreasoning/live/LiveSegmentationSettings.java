package io.selfstream.graphreasoning.live;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The live segmentation app: which model it follows, how much context and lookahead it gives the
 * model, what it does with features of another encoder version, how segments are smoothed, and how
 * the Kafka Streams app runs.
 *
 * @param applicationId Kafka Streams {@code application.id}
 * @param model model name followed on {@code model-updates} ({@value TemporalModels#MODEL})
 * @param windowFrames frames per source the model sees per inference (context + lookahead); the
 *     cost of one inference grows linearly with it
 * @param lookaheadFrames frames after frame t the model sees before t is labelled (0 = causal);
 *     adds {@code lookaheadFrames / fps} of latency (16 frames at 30 fps: 533 ms)
 * @param featurePolicy features of an encoder version other than the model's: skip or use
 * @param minSegmentFrames a label change opens a new segment only once the new label held this many
 *     frames; shorter runs are merged into the open segment (segments only: per-frame labels are
 *     never altered). Delays segment events by {@code minSegmentFrames - 1} frames
 * @param maxGapFrames a jump in {@code seq} larger than this (frames lost upstream, a restarted
 *     camera) ends the open segment and starts a fresh window; smaller gaps are bridged
 * @param catchUpLag a frame that arrives more than this after its capture means the app is behind
 *     (a backlog: more frames per second than one inference per frame can serve)
 * @param catchUpFrames while behind, labelling waits until this many frames are due and labels them
 *     in one inference (each sees more than {@code lookaheadFrames} later frames); 1 = one
 *     inference per frame always. Back within the lag, every frame is labelled as soon as it is due
 * @param idleTimeout a source silent this long (wall clock) has its pending lookahead frames
 *     labelled and its open segment closed; zero disables
 * @param provisionalEvents also emit a {@code closed=false} event when a segment opens
 * @param trustedKeyFiles Ed25519 public keys whose signed {@code dtgrm} versions are trusted
 *     (empty: the CLI uses the data dir's dev key)
 * @param threads {@code num.stream.threads}
 * @param commitInterval {@code commit.interval.ms}
 * @param stateDir Kafka Streams {@code state.dir}; empty for the Kafka Streams default
 */
public record LiveSegmentationSettings(
    String applicationId,
    String model,
    int windowFrames,
    int lookaheadFrames,
    FeaturePolicy featurePolicy,
    int minSegmentFrames,
    int maxGapFrames,
    Duration catchUpLag,
    int catchUpFrames,
    Duration idleTimeout,
    boolean provisionalEvents,
    List<Path> trustedKeyFiles,
    int threads,
    Duration commitInterval,
    Optional<Path> stateDir) {

  public static final ConfigKey<String> APPLICATION_ID =
      ConfigKey.string(
          "segmentation.applicationId", "selfstream-segmentation", "Kafka Streams application.id");
  public static final ConfigKey<String> MODEL =
      ConfigKey.string(
          "segmentation.model", TemporalModels.MODEL, "temporal model name on model-updates");
  public static final ConfigKey<Integer> WINDOW_FRAMES =
      ConfigKey.integer(
          "segmentation.windowFrames",
          64,
          2,
          4096,
          "frames per source the model sees per inference (context + lookahead)");
  public static final ConfigKey<Integer> LOOKAHEAD_FRAMES =
      ConfigKey.integer(
          "segmentation.lookaheadFrames",
          8,
          0,
          1024,
          "frames after t seen before t is labelled (0 = causal); latency += lookahead / fps");
  public static final ConfigKey<FeaturePolicy> FEATURE_POLICY =
      ConfigKey.enumValue(
          "segmentation.featurePolicy",
          FeaturePolicy.class,
          FeaturePolicy.STRICT,
          "features of another encoder version than the model's: strict (skip) or latest (use)");
  public static final ConfigKey<Integer> MIN_SEGMENT_FRAMES =
      ConfigKey.integer(
          "segmentation.minSegmentFrames",
          1,
          1,
          1024,
          "a new segment opens once its label held this many frames (shorter runs merge)");
  public static final ConfigKey<Integer> MAX_GAP_FRAMES =
      ConfigKey.integer(
          "segmentation.maxGapFrames",
          30,
          0,
          Integer.MAX_VALUE,
          "seq jumps beyond this end the open segment and restart the window");
  public static final ConfigKey<Duration> CATCH_UP_LAG =
      ConfigKey.duration(
          "segmentation.catchUpLag",
          "250ms",
          "capture-to-arrival lag beyond which the app batches labelling to catch up");
  public static final ConfigKey<Integer> CATCH_UP_FRAMES =
      ConfigKey.integer(
          "segmentation.catchUpFrames",
          40,
          1,
          100_000,
          "frames labelled per inference while behind, at most windowFrames - lookaheadFrames"
              + " (1 = one inference per frame always)");
  public static final ConfigKey<Duration> IDLE_TIMEOUT =
      ConfigKey.duration(
          "segmentation.idleTimeout",
          "2s",
          "flush lookahead and close the segment of a source silent this long (0s = never)");
  public static final ConfigKey<Boolean> PROVISIONAL_EVENTS =
      ConfigKey.bool(
          "segmentation.provisionalEvents", false, "emit closed=false events when segments open");
  public static final ConfigKey<String> TRUSTED_KEYS =
      new ConfigKey<>(
          "segmentation.trustedKeys",
          String::trim,
          "",
          "comma-separated public key files trusted for dtgrm updates"
              + " (empty: the CLI uses <stack.dataDir>/keys/model-signing.pub.pem)");
  public static final ConfigKey<Integer> THREADS =
      ConfigKey.integer("segmentation.threads", 1, 1, 64, "Kafka Streams num.stream.threads");
  public static final ConfigKey<Duration> COMMIT_INTERVAL =
      ConfigKey.duration(
          "segmentation.commitInterval", "100ms", "Kafka Streams commit.interval.ms");
  public static final ConfigKey<Optional<Path>> STATE_DIR =
      ConfigKey.optionalPath(
          "segmentation.stateDir", "Kafka Streams state.dir (empty = Kafka Streams default)");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          APPLICATION_ID,
          MODEL,
          WINDOW_FRAMES,
          LOOKAHEAD_FRAMES,
          FEATURE_POLICY,
          MIN_SEGMENT_FRAMES,
          MAX_GAP_FRAMES,
          CATCH_UP_LAG,
          CATCH_UP_FRAMES,
          IDLE_TIMEOUT,
          PROVISIONAL_EVENTS,
          TRUSTED_KEYS,
          THREADS,
          COMMIT_INTERVAL,
          STATE_DIR);

  public LiveSegmentationSettings {
    if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new ConfigException(
          APPLICATION_ID.name(), "must be 1-200 of [A-Za-z0-9._-], got '" + applicationId + "'");
    }
    if (model == null || model.isBlank()) {
      throw new ConfigException(MODEL.name(), "must not be blank");
    }
    if (windowFrames < 2) {
      throw new ConfigException(WINDOW_FRAMES.name(), "must be >= 2, got " + windowFrames);
    }
    if (lookaheadFrames < 0 || lookaheadFrames >= windowFrames) {
      throw new ConfigException(
          LOOKAHEAD_FRAMES.name(),
          "must be in [0, "
              + (windowFrames - 1)
              + "] (below segmentation.windowFrames="
              + windowFrames
              + "), got "
              + lookaheadFrames);
    }
    if (featurePolicy == null) {
      throw new ConfigException(FEATURE_POLICY.name(), "must be set");
    }
    if (minSegmentFrames < 1) {
      throw new ConfigException(MIN_SEGMENT_FRAMES.name(), "must be >= 1, got " + minSegmentFrames);
    }
    if (maxGapFrames < 0) {
      throw new ConfigException(MAX_GAP_FRAMES.name(), "must be >= 0, got " + maxGapFrames);
    }
    if (catchUpLag == null || catchUpLag.isNegative()) {
      throw new ConfigException(CATCH_UP_LAG.name(), "must be >= 0");
    }
    if (catchUpFrames < 1) {
      throw new ConfigException(CATCH_UP_FRAMES.name(), "must be >= 1, got " + catchUpFrames);
    }
    // the frames waiting for a batch must stay in the window behind the lookahead
    catchUpFrames = Math.min(catchUpFrames, Math.max(1, windowFrames - lookaheadFrames));
    if (idleTimeout == null || idleTimeout.isNegative()) {
      throw new ConfigException(IDLE_TIMEOUT.name(), "must be >= 0");
    }
    if (threads < 1) {
      throw new ConfigException(THREADS.name(), "must be >= 1, got " + threads);
    }
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw new ConfigException(COMMIT_INTERVAL.name(), "must be positive");
    }
    trustedKeyFiles = trustedKeyFiles == null ? List.of() : List.copyOf(trustedKeyFiles);
    stateDir = stateDir == null ? Optional.empty() : stateDir;
  }

  public static LiveSegmentationSettings from(Config config) {
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
    return new LiveSegmentationSettings(
        config.get(APPLICATION_ID),
        config.get(MODEL),
        config.get(WINDOW_FRAMES),
        config.get(LOOKAHEAD_FRAMES),
        config.get(FEATURE_POLICY),
        config.get(MIN_SEGMENT_FRAMES),
        config.get(MAX_GAP_FRAMES),
        config.get(CATCH_UP_LAG),
        config.get(CATCH_UP_FRAMES),
        config.get(IDLE_TIMEOUT),
        config.get(PROVISIONAL_EVENTS),
        keys,
        config.get(THREADS),
        config.get(COMMIT_INTERVAL),
        config.get(STATE_DIR));
  }

  /** The defaults. */
  public static LiveSegmentationSettings defaults() {
    return from(Config.defaults(KEYS));
  }

  /** These settings with another window and lookahead. */
  public LiveSegmentationSettings withWindow(int newWindowFrames, int newLookaheadFrames) {
    return new LiveSegmentationSettings(
        applicationId,
        model,
        newWindowFrames,
        newLookaheadFrames,
        featurePolicy,
        minSegmentFrames,
        maxGapFrames,
        catchUpLag,
        catchUpFrames,
        idleTimeout,
        provisionalEvents,
        trustedKeyFiles,
        threads,
        commitInterval,
        stateDir);
  }

  /** These settings with another feature policy. */
  public LiveSegmentationSettings withFeaturePolicy(FeaturePolicy policy) {
    return new LiveSegmentationSettings(
        applicationId,
        model,
        windowFrames,
        lookaheadFrames,
        policy,
        minSegmentFrames,
        maxGapFrames,
        catchUpLag,
        catchUpFrames,
        idleTimeout,
        provisionalEvents,
        trustedKeyFiles,
        threads,
        commitInterval,
        stateDir);
  }

  /** These settings with other segment smoothing and provisional events. */
  public LiveSegmentationSettings withSegments(int newMinSegmentFrames, boolean provisional) {
    return new LiveSegmentationSettings(
        applicationId,
        model,
        windowFrames,
        lookaheadFrames,
        featurePolicy,
        newMinSegmentFrames,
        maxGapFrames,
        catchUpLag,
        catchUpFrames,
        idleTimeout,
        provisional,
        trustedKeyFiles,
        threads,
        commitInterval,
        stateDir);
  }

  /** These settings with other trusted keys. */
  public LiveSegmentationSettings withTrustedKeyFiles(List<Path> files) {
    return new LiveSegmentationSettings(
        applicationId,
        model,
        windowFrames,
        lookaheadFrames,
        featurePolicy,
        minSegmentFrames,
        maxGapFrames,
        catchUpLag,
        catchUpFrames,
        idleTimeout,
        provisionalEvents,
        files,
        threads,
        commitInterval,
        stateDir);
  }

  /** These settings with another catch-up lag and batch (1 frame = never batch). */
  public LiveSegmentationSettings withCatchUp(Duration lag, int frames) {
    return new LiveSegmentationSettings(
        applicationId,
        model,
        windowFrames,
        lookaheadFrames,
        featurePolicy,
        minSegmentFrames,
        maxGapFrames,
        lag,
        frames,
        idleTimeout,
        provisionalEvents,
        trustedKeyFiles,
        threads,
        commitInterval,
        stateDir);
  }

  /** Latency the lookahead adds at {@code fps} frames per second, in milliseconds. */
  public double lookaheadLatencyMillis(double fps) {
    return lookaheadFrames * 1000.0 / fps;
  }
}
