package io.selfstream.trainer.temporal;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import java.util.List;
import java.util.Map;

/**
 * Every hyperparameter of continual temporal self-training (the {@code temporal.*} keys), in one
 * record. The defaults come from the frozen-vs-adapted measurement ({@code selfstream bench
 * temporal}, see {@link OfflineTemporalAdaptation}); validated on construction, every message names
 * the offending key.
 *
 * @param clipFrames frames per training clip: the trainer assembles this many consecutive frames of
 *     one source before it takes a step on them (DTGRM's graph stages need a clip long enough to
 *     hold several actions)
 * @param confidenceThreshold a teacher frame prediction (last stage, softmax) becomes a
 *     pseudo-label when its max probability reaches this; unconfident frames get no CE
 * @param ceWeight weight of the masked CE of every student stage against the confident
 *     pseudo-labels (the self-training signal)
 * @param smoothingWeight weight of MS-TCN's truncated-MSE smoothing of every stage, on all frames
 *     (label-free: it needs no pseudo-label)
 * @param swapRate fraction of frames exchanged in DTGRM's auxiliary task (0 = task off)
 * @param swapDetectionWeight weight of the CE of "was this frame exchanged?": fully
 *     self-supervised, the exchange is known
 * @param swapCorrectionWeight weight of the CE of the action predicted on the exchanged clip
 *     against the pseudo-label of the original position (confident frames only)
 * @param learningRate Adam learning rate (the papers train at 5e-4; adaptation starts from a
 *     trained model, so lower)
 * @param gradClipNorm global gradient-norm clip (0 = none)
 * @param emaDecayStart teacher EMA decay at step 0
 * @param emaDecayEnd teacher EMA decay after the ramp
 * @param emaRampSteps steps over which the decay ramps linearly
 * @param stepsPerClip optimiser steps on each clip (each with a fresh exchange); more than one
 *     extracts more from a short stream
 * @param minPseudoLabelEntropy collapse guard: least entropy (nats) of the teacher's frame labels
 *     over the last {@code guardPatience} steps
 * @param maxDominantShare collapse guard: largest share of one action in that window (a clip is
 *     mostly one or two actions, so the window, not the clip, is judged)
 * @param guardPatience collapse-guard window in steps
 * @param lrBackoff the learning rate is multiplied by this after every rollback
 * @param seed seeds the frame exchanges and dropout
 */
public record TemporalConfig(
    int clipFrames,
    double confidenceThreshold,
    double ceWeight,
    double smoothingWeight,
    double swapRate,
    double swapDetectionWeight,
    double swapCorrectionWeight,
    double learningRate,
    double gradClipNorm,
    double emaDecayStart,
    double emaDecayEnd,
    int emaRampSteps,
    int stepsPerClip,
    double minPseudoLabelEntropy,
    double maxDominantShare,
    int guardPatience,
    double lrBackoff,
    long seed) {

  public static final ConfigKey<Integer> CLIP_FRAMES =
      ConfigKey.integer(
          "temporal.clipFrames", 64, 8, 100_000, "consecutive frames of one source per clip");
  public static final ConfigKey<Double> CONFIDENCE_THRESHOLD =
      ConfigKey.decimal(
          "temporal.confidenceThreshold",
          0.9,
          0,
          1,
          "teacher max probability at which a frame becomes a pseudo-label");
  public static final ConfigKey<Double> CE_WEIGHT =
      ConfigKey.decimal(
          "temporal.ceWeight", 1.0, 0, 1e6, "weight of the confident pseudo-label CE per stage");
  public static final ConfigKey<Double> SMOOTHING_WEIGHT =
      ConfigKey.decimal(
          "temporal.smoothingWeight",
          0.15,
          0,
          1e6,
          "weight of the truncated-MSE smoothing per stage (MS-TCN's 0.15)");
  public static final ConfigKey<Double> SWAP_RATE =
      ConfigKey.decimal(
          "temporal.swapRate", 0.2, 0, 1, "fraction of frames exchanged (DTGRM aux task; 0 off)");
  public static final ConfigKey<Double> SWAP_DETECTION_WEIGHT =
      ConfigKey.decimal(
          "temporal.swapDetectionWeight",
          1.0,
          0,
          1e6,
          "weight of the exchanged/in-place CE (self-supervised)");
  public static final ConfigKey<Double> SWAP_CORRECTION_WEIGHT =
      ConfigKey.decimal(
          "temporal.swapCorrectionWeight",
          0.5,
          0,
          1e6,
          "weight of the action CE on the exchanged clip (confident frames)");
  public static final ConfigKey<Double> LEARNING_RATE =
      ConfigKey.decimal("temporal.learningRate", 1e-4, 1e-12, 1, "Adam learning rate");
  public static final ConfigKey<Double> GRAD_CLIP_NORM =
      ConfigKey.decimal(
          "temporal.gradClipNorm", 1.0, 0, 1e9, "global gradient-norm clip (0 = none)");
  public static final ConfigKey<Double> EMA_DECAY_START =
      ConfigKey.decimal("temporal.emaDecayStart", 0.9, 0, 1, "teacher EMA decay at step 0");
  public static final ConfigKey<Double> EMA_DECAY_END =
      ConfigKey.decimal("temporal.emaDecayEnd", 0.99, 0, 1, "teacher EMA decay after the ramp");
  public static final ConfigKey<Integer> EMA_RAMP_STEPS =
      ConfigKey.integer(
          "temporal.emaRampSteps", 50, 0, Integer.MAX_VALUE, "steps of the EMA decay ramp");
  public static final ConfigKey<Integer> STEPS_PER_CLIP =
      ConfigKey.integer("temporal.stepsPerClip", 1, 1, 1000, "optimiser steps on each clip");
  public static final ConfigKey<Double> MIN_PSEUDO_LABEL_ENTROPY =
      ConfigKey.decimal(
          "temporal.guard.minPseudoLabelEntropy",
          0.3,
          0,
          100,
          "collapse guard: least entropy (nats) of the teacher's labels over the window");
  public static final ConfigKey<Double> MAX_DOMINANT_SHARE =
      ConfigKey.decimal(
          "temporal.guard.maxDominantShare",
          0.9,
          0,
          1,
          "collapse guard: largest share one action may take of the window's labels");
  public static final ConfigKey<Integer> GUARD_PATIENCE =
      ConfigKey.integer(
          "temporal.guard.patience", 16, 1, 1_000_000, "collapse-guard window in steps");
  public static final ConfigKey<Double> LR_BACKOFF =
      ConfigKey.decimal(
          "temporal.guard.lrBackoff", 0.5, 0, 1, "learning-rate factor applied at every rollback");
  public static final ConfigKey<Long> SEED =
      ConfigKey.longValue(
          "temporal.seed", 11, Long.MIN_VALUE, Long.MAX_VALUE, "seed of exchanges and dropout");

  /** The {@code temporal.*} keys. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          CLIP_FRAMES,
          CONFIDENCE_THRESHOLD,
          CE_WEIGHT,
          SMOOTHING_WEIGHT,
          SWAP_RATE,
          SWAP_DETECTION_WEIGHT,
          SWAP_CORRECTION_WEIGHT,
          LEARNING_RATE,
          GRAD_CLIP_NORM,
          EMA_DECAY_START,
          EMA_DECAY_END,
          EMA_RAMP_STEPS,
          STEPS_PER_CLIP,
          MIN_PSEUDO_LABEL_ENTROPY,
          MAX_DOMINANT_SHARE,
          GUARD_PATIENCE,
          LR_BACKOFF,
          SEED);

  /** The defaults of {@link #KEYS}. */
  public static final TemporalConfig DEFAULT = from(Config.defaults(KEYS));

  public TemporalConfig {
    if (clipFrames < 8) {
      throw new ConfigException(CLIP_FRAMES.name(), "must be >= 8, got " + clipFrames);
    }
    in(CONFIDENCE_THRESHOLD, confidenceThreshold, 0, 1);
    nonNegative(CE_WEIGHT, ceWeight);
    nonNegative(SMOOTHING_WEIGHT, smoothingWeight);
    in(SWAP_RATE, swapRate, 0, 1);
    nonNegative(SWAP_DETECTION_WEIGHT, swapDetectionWeight);
    nonNegative(SWAP_CORRECTION_WEIGHT, swapCorrectionWeight);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new ConfigException(
          LEARNING_RATE.name(), "must be finite and > 0, got " + learningRate);
    }
    nonNegative(GRAD_CLIP_NORM, gradClipNorm);
    in(EMA_DECAY_START, emaDecayStart, 0, 1);
    in(EMA_DECAY_END, emaDecayEnd, 0, 1);
    if (emaRampSteps < 0) {
      throw new ConfigException(EMA_RAMP_STEPS.name(), "must be >= 0, got " + emaRampSteps);
    }
    if (stepsPerClip < 1) {
      throw new ConfigException(STEPS_PER_CLIP.name(), "must be >= 1, got " + stepsPerClip);
    }
    nonNegative(MIN_PSEUDO_LABEL_ENTROPY, minPseudoLabelEntropy);
    in(MAX_DOMINANT_SHARE, maxDominantShare, 0, 1);
    if (guardPatience < 1) {
      throw new ConfigException(GUARD_PATIENCE.name(), "must be >= 1, got " + guardPatience);
    }
    if (!(lrBackoff > 0 && lrBackoff <= 1)) {
      throw new ConfigException(LR_BACKOFF.name(), "must be in (0, 1], got " + lrBackoff);
    }
  }

  /** Reads the settings; {@code config} must declare {@link #KEYS}. */
  public static TemporalConfig from(Config config) {
    return new TemporalConfig(
        config.get(CLIP_FRAMES),
        config.get(CONFIDENCE_THRESHOLD),
        config.get(CE_WEIGHT),
        config.get(SMOOTHING_WEIGHT),
        config.get(SWAP_RATE),
        config.get(SWAP_DETECTION_WEIGHT),
        config.get(SWAP_CORRECTION_WEIGHT),
        config.get(LEARNING_RATE),
        config.get(GRAD_CLIP_NORM),
        config.get(EMA_DECAY_START),
        config.get(EMA_DECAY_END),
        config.get(EMA_RAMP_STEPS),
        config.get(STEPS_PER_CLIP),
        config.get(MIN_PSEUDO_LABEL_ENTROPY),
        config.get(MAX_DOMINANT_SHARE),
        config.get(GUARD_PATIENCE),
        config.get(LR_BACKOFF),
        config.get(SEED));
  }

  /**
   * The defaults with {@code overrides} ({@code temporal.*} key to text) applied; unknown keys and
   * bad values fail naming the key.
   */
  public static TemporalConfig withOverrides(Map<String, String> overrides) {
    return from(Config.load(KEYS, null, Map.of(), overrides));
  }

  /** Whether DTGRM's frame-exchange task runs. */
  public boolean swapTask() {
    return swapRate > 0 && (swapDetectionWeight > 0 || swapCorrectionWeight > 0);
  }

  private static void in(ConfigKey<?> key, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      throw new ConfigException(key.name(), "must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  private static void nonNegative(ConfigKey<?> key, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new ConfigException(key.name(), "must be finite and >= 0, got " + v);
    }
  }
}
