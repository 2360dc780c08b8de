package io.selfstream.trainer.adapt;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import java.util.List;

/**
 * Every hyperparameter of online adaptation in one place (the {@code adapt.*} keys). The defaults
 * were chosen by measurement on the continual Fashion-MNIST-C severity-5 stream with {@code
 * selfstream bench adaptation --in-memory --quick} (tuning logs in the issue #5 report and its
 * MUST-gap follow-up): learning rate 3e-4, SELFSTREAM's CE on the unmasked view, decoder at 30x,
 * reconstruction 1, alignment 0. On that stream SELFSTREAM and SELFTRAIN end within about 0.01 mean
 * error of each other (the order flips with the stream seed), both 0.05-0.07 below SOURCE and TENT.
 * Validated on construction, every message names the offending key.
 *
 * @param confidenceThreshold a teacher prediction on the weak view becomes a pseudo-label when its
 *     max probability reaches this. MUST uses 0.7 on ImageNet; with 10 classes and a source model
 *     that is only moderately confident under heavy corruption, a lower value keeps enough labels
 *     per batch for the CE term to act
 * @param ceWeight weight of the cross-entropy of the student (strong view) against the confident
 *     pseudo-labels: the self-training signal
 * @param fairWeight weight of the fairness term {@code -mean_k log pbar_k} (pbar = batch-mean
 *     student prediction): without it self-training drifts towards the classes the source model
 *     over-predicts under a corruption and collapses
 * @param reconWeight weight of the SimMIM L1 reconstruction of masked pixels (SELFSTREAM only): a
 *     label-free signal that keeps the patch features tied to the new domain's pixels (1 measured
 *     better than 0.25 and 3 at learning rate 3e-4)
 * @param alignWeight weight of the global-local alignment (masked patch tokens classified by the
 *     shared head against the image's pseudo-label; SELFSTREAM only). Off by default: over three
 *     stream seeds 0.3 gave 0.3177/0.3312/0.3133 and 0 gave 0.3208/0.3253/0.3008 (0.5 was worse
 *     still at lr 1e-4)
 * @param learningRate AdamW learning rate of the teacher-student learners (constant: the stream has
 *     no end to decay towards; the guard lowers it on a rollback). A quick stream has only about 6
 *     steps per domain: SELFSTREAM gave 0.3478 / 0.3265 / 0.3177 / 0.3232 at 1e-4 / 2e-4 / 3e-4 /
 *     4e-4, SELFTRAIN 0.3430 / 0.3238 / 0.3230 / 0.3190 (the last after a rollback to 2e-4)
 * @param weightDecay AdamW decoupled weight decay on kernels (0.05 as in MUST)
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param emaDecayStart teacher EMA decay at step 0: low so the teacher follows the student while
 *     the first domain shift is absorbed
 * @param emaDecayEnd teacher EMA decay after the ramp (MUST ramps towards 0.999+; 0.995 measured no
 *     better than 0.99 here)
 * @param emaRampSteps steps over which the decay ramps linearly from start to end
 * @param tentLearningRate AdamW learning rate of TENT (LayerNorm affine parameters only)
 * @param gradClipNorm global gradient-norm clip (0 = none): one odd batch must not throw the
 *     weights far
 * @param minPseudoLabelEntropy collapse guard: the pseudo-label histogram over the last {@code
 *     guardPatience} steps must keep at least this entropy (nats; uniform over 10 classes is 2.30)
 * @param maxDominantShare collapse guard: no class may take more than this share of the
 *     pseudo-labels over the last {@code guardPatience} steps
 * @param guardPatience window, in steps, of the collapse signals: a single skewed batch is normal
 *     on a real stream, a skewed window is not
 * @param lrBackoff the learning rate is multiplied by this after every rollback
 * @param batchSize views per learner step
 * @param ceOnUnmaskedView SELFSTREAM only: when true the pseudo-label CE and the fairness term are
 *     computed on a second student forward of the <em>unmasked</em> strong view, while the masked
 *     forward carries only the reconstruction and alignment terms (one more forward per step). With
 *     28x28 images and 14-px blocks half of the object is hidden, and CE on that view lost against
 *     plain self-training (0.3795 vs 0.3430 at lr 1e-4; with this flag 0.3478)
 * @param maskedCeWeight SELFSTREAM with {@code ceOnUnmaskedView}: weight of an extra pseudo-label
 *     CE on the masked forward (MUST's masked student as a consistency term next to the unmasked
 *     CE; 0 = none; 0.25-0.5 measured no better)
 * @param decoderLrScale SELFSTREAM: the SimMIM decoder and mask token learn at {@code learningRate
 *     x decoderLrScale}. The source model is trained supervised only, so the decoder starts random;
 *     at the encoder's small learning rate it would stay near random for the whole stream and the
 *     reconstruction gradient reaching the encoder would be noise
 * @param restoreProbability stochastic restore (CoTTA): after every step each student weight
 *     element outside the decoder is reset to its source value with this probability (0 = never),
 *     to bound the error accumulation of long continual runs. Off by default: on the quick stream
 *     (about 94 steps) 0.005-0.02 cost more on the hard domains than it saved on the late easy ones
 *     (0.01 at lr 1e-4: selftrain 0.3430 -> 0.3462; 0.02 at lr 3e-4: 0.3230 -> 0.3330)
 */
public record AdaptConfig(
    double confidenceThreshold,
    double ceWeight,
    double fairWeight,
    double reconWeight,
    double alignWeight,
    double learningRate,
    double weightDecay,
    double beta1,
    double beta2,
    double emaDecayStart,
    double emaDecayEnd,
    int emaRampSteps,
    double tentLearningRate,
    double gradClipNorm,
    double minPseudoLabelEntropy,
    double maxDominantShare,
    int guardPatience,
    double lrBackoff,
    int batchSize,
    boolean ceOnUnmaskedView,
    double maskedCeWeight,
    double decoderLrScale,
    double restoreProbability) {

  public static final ConfigKey<Double> CONFIDENCE_THRESHOLD =
      ConfigKey.decimal(
          "adapt.confidenceThreshold",
          0.7,
          0,
          1,
          "teacher max probability at which a weak-view prediction becomes a pseudo-label");
  public static final ConfigKey<Double> CE_WEIGHT =
      ConfigKey.decimal(
          "adapt.ceWeight", 1.0, 0, 1e6, "weight of the confident pseudo-label cross-entropy");
  public static final ConfigKey<Double> FAIR_WEIGHT =
      ConfigKey.decimal(
          "adapt.fairWeight",
          1.0,
          0,
          1e6,
          "weight of the fairness term -mean log(batch-mean prediction) (against collapse)");
  public static final ConfigKey<Double> RECON_WEIGHT =
      ConfigKey.decimal(
          "adapt.reconWeight", 1.0, 0, 1e6, "weight of the masked-pixel L1 reconstruction");
  public static final ConfigKey<Double> ALIGN_WEIGHT =
      ConfigKey.decimal(
          "adapt.alignWeight",
          0.0,
          0,
          1e6,
          "weight of the global-local alignment (masked patch tokens vs the pseudo-label)");
  public static final ConfigKey<Double> LEARNING_RATE =
      ConfigKey.decimal(
          "adapt.learningRate",
          3e-4,
          1e-12,
          1,
          "AdamW learning rate of the self-training learners");
  public static final ConfigKey<Double> WEIGHT_DECAY =
      ConfigKey.decimal("adapt.weightDecay", 0.05, 0, 1, "AdamW decoupled weight decay (kernels)");
  public static final ConfigKey<Double> BETA1 =
      ConfigKey.decimal("adapt.beta1", 0.9, 0, 0.999999, "AdamW first-moment decay");
  public static final ConfigKey<Double> BETA2 =
      ConfigKey.decimal("adapt.beta2", 0.999, 0, 0.999999, "AdamW second-moment decay");
  public static final ConfigKey<Double> EMA_DECAY_START =
      ConfigKey.decimal("adapt.emaDecayStart", 0.9, 0, 1, "teacher EMA decay at step 0");
  public static final ConfigKey<Double> EMA_DECAY_END =
      ConfigKey.decimal("adapt.emaDecayEnd", 0.99, 0, 1, "teacher EMA decay after the ramp");
  public static final ConfigKey<Integer> EMA_RAMP_STEPS =
      ConfigKey.integer(
          "adapt.emaRampSteps", 100, 0, Integer.MAX_VALUE, "steps of the linear EMA decay ramp");
  public static final ConfigKey<Double> TENT_LEARNING_RATE =
      ConfigKey.decimal(
          "adapt.tentLearningRate", 1e-3, 1e-12, 1, "AdamW learning rate of TENT (norm affine)");
  public static final ConfigKey<Double> GRAD_CLIP_NORM =
      ConfigKey.decimal("adapt.gradClipNorm", 1.0, 0, 1e9, "global gradient-norm clip (0 = none)");
  public static final ConfigKey<Double> MIN_PSEUDO_LABEL_ENTROPY =
      ConfigKey.decimal(
          "adapt.guard.minPseudoLabelEntropy",
          0.25,
          0,
          100,
          "collapse guard: least entropy (nats) of the pseudo-label histogram over the window");
  public static final ConfigKey<Double> MAX_DOMINANT_SHARE =
      ConfigKey.decimal(
          "adapt.guard.maxDominantShare",
          0.95,
          0,
          1,
          "collapse guard: largest share one class may take of the window's pseudo-labels");
  public static final ConfigKey<Integer> GUARD_PATIENCE =
      ConfigKey.integer("adapt.guard.patience", 8, 1, 1_000_000, "collapse guard window in steps");
  public static final ConfigKey<Double> LR_BACKOFF =
      ConfigKey.decimal(
          "adapt.guard.lrBackoff", 0.5, 0, 1, "learning-rate factor applied at every rollback");
  public static final ConfigKey<Integer> BATCH_SIZE =
      ConfigKey.integer("adapt.batchSize", 64, 1, 65_536, "views per learner step");
  public static final ConfigKey<Boolean> CE_ON_UNMASKED_VIEW =
      ConfigKey.bool(
          "adapt.ceOnUnmaskedView",
          true,
          "SELFSTREAM: pseudo-label CE and fairness on an unmasked strong-view forward (recon and"
              + " alignment stay on the masked one)");
  public static final ConfigKey<Double> MASKED_CE_WEIGHT =
      ConfigKey.decimal(
          "adapt.maskedCeWeight",
          0.0,
          0,
          1e6,
          "SELFSTREAM with ceOnUnmaskedView: weight of an extra pseudo-label CE on the masked view");
  public static final ConfigKey<Double> DECODER_LR_SCALE =
      ConfigKey.decimal(
          "adapt.decoderLrScale",
          30.0,
          1e-6,
          1e6,
          "SELFSTREAM: learning-rate factor of the (initially untrained) SimMIM decoder and mask"
              + " token");
  public static final ConfigKey<Double> RESTORE_PROBABILITY =
      ConfigKey.decimal(
          "adapt.restoreProbability",
          0.0,
          0,
          1,
          "per-step probability that each student weight element is reset to its source value");

  /** The {@code adapt.*} keys. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          CONFIDENCE_THRESHOLD,
          CE_WEIGHT,
          FAIR_WEIGHT,
          RECON_WEIGHT,
          ALIGN_WEIGHT,
          LEARNING_RATE,
          WEIGHT_DECAY,
          BETA1,
          BETA2,
          EMA_DECAY_START,
          EMA_DECAY_END,
          EMA_RAMP_STEPS,
          TENT_LEARNING_RATE,
          GRAD_CLIP_NORM,
          MIN_PSEUDO_LABEL_ENTROPY,
          MAX_DOMINANT_SHARE,
          GUARD_PATIENCE,
          LR_BACKOFF,
          BATCH_SIZE,
          CE_ON_UNMASKED_VIEW,
          MASKED_CE_WEIGHT,
          DECODER_LR_SCALE,
          RESTORE_PROBABILITY);

  /** The defaults of {@link #KEYS}. */
  public static final AdaptConfig DEFAULT = from(Config.defaults(KEYS));

  public AdaptConfig {
    in(CONFIDENCE_THRESHOLD, confidenceThreshold, 0, 1);
    nonNegative(CE_WEIGHT, ceWeight);
    nonNegative(FAIR_WEIGHT, fairWeight);
    nonNegative(RECON_WEIGHT, reconWeight);
    nonNegative(ALIGN_WEIGHT, alignWeight);
    positive(LEARNING_RATE, learningRate);
    nonNegative(WEIGHT_DECAY, weightDecay);
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new ConfigException(BETA1.name(), "must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new ConfigException(BETA2.name(), "must be in [0, 1), got " + beta2);
    }
    in(EMA_DECAY_START, emaDecayStart, 0, 1);
    in(EMA_DECAY_END, emaDecayEnd, 0, 1);
    if (emaRampSteps < 0) {
      throw new ConfigException(EMA_RAMP_STEPS.name(), "must be >= 0, got " + emaRampSteps);
    }
    positive(TENT_LEARNING_RATE, tentLearningRate);
    nonNegative(GRAD_CLIP_NORM, gradClipNorm);
    nonNegative(MIN_PSEUDO_LABEL_ENTROPY, minPseudoLabelEntropy);
    in(MAX_DOMINANT_SHARE, maxDominantShare, 0, 1);
    if (guardPatience < 1) {
      throw new ConfigException(GUARD_PATIENCE.name(), "must be >= 1, got " + guardPatience);
    }
    if (!(lrBackoff > 0 && lrBackoff <= 1)) {
      throw new ConfigException(LR_BACKOFF.name(), "must be in (0, 1], got " + lrBackoff);
    }
    if (batchSize < 1) {
      throw new ConfigException(BATCH_SIZE.name(), "must be >= 1, got " + batchSize);
    }
    nonNegative(MASKED_CE_WEIGHT, maskedCeWeight);
    positive(DECODER_LR_SCALE, decoderLrScale);
    in(RESTORE_PROBABILITY, restoreProbability, 0, 1);
  }

  /** Reads the settings; {@code config} must declare {@link #KEYS}. */
  public static AdaptConfig from(Config config) {
    return new AdaptConfig(
        config.get(CONFIDENCE_THRESHOLD),
        config.get(CE_WEIGHT),
        config.get(FAIR_WEIGHT),
        config.get(RECON_WEIGHT),
        config.get(ALIGN_WEIGHT),
        config.get(LEARNING_RATE),
        config.get(WEIGHT_DECAY),
        config.get(BETA1),
        config.get(BETA2),
        config.get(EMA_DECAY_START),
        config.get(EMA_DECAY_END),
        config.get(EMA_RAMP_STEPS),
        config.get(TENT_LEARNING_RATE),
        config.get(GRAD_CLIP_NORM),
        config.get(MIN_PSEUDO_LABEL_ENTROPY),
        config.get(MAX_DOMINANT_SHARE),
        config.get(GUARD_PATIENCE),
        config.get(LR_BACKOFF),
        config.get(BATCH_SIZE),
        config.get(CE_ON_UNMASKED_VIEW),
        config.get(MASKED_CE_WEIGHT),
        config.get(DECODER_LR_SCALE),
        config.get(RESTORE_PROBABILITY));
  }

  /**
   * The defaults with {@code overrides} ({@code adapt.*} key to text) applied; unknown keys and bad
   * values fail naming the key.
   */
  public static AdaptConfig withOverrides(java.util.Map<String, String> overrides) {
    return from(Config.load(KEYS, null, java.util.Map.of(), overrides));
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

  private static void positive(ConfigKey<?> key, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new ConfigException(key.name(), "must be finite and > 0, got " + v);
    }
  }
}
