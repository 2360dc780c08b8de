package io.selfstream.trainer.encoder;

/**
 * Hyper-parameters of the supervised bootstrap.
 *
 * @param epochs passes over the training set
 * @param batchSize training batch size
 * @param learningRate peak AdamW learning rate (after warm-up)
 * @param minLearningRate learning rate at the end of the cosine decay
 * @param weightDecay decoupled weight decay for kernels (biases, norms, tokens: none)
 * @param warmupEpochs linear warm-up length in epochs (fractions allowed)
 * @param labelSmoothing label smoothing of the cross-entropy, in [0, 1)
 * @param gradClipNorm global gradient-norm clip; 0 = off
 * @param augment apply the weak view (crop + flip) to training images
 * @param seed seeds initial weights, shuffling and augmentation
 * @param device {@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N} (see {@link Devices})
 * @param trainLimit use only the first N training images (0 = all)
 * @param testLimit evaluate on the first N test images (0 = all)
 * @param evalBatchSize batch size for evaluation
 * @param evalEveryEpoch evaluate after every epoch (else only at the end)
 * @param maxConsecutiveSkips give up after this many consecutive non-finite steps
 */
public record BootstrapConfig(
    int epochs,
    int batchSize,
    float learningRate,
    float minLearningRate,
    float weightDecay,
    double warmupEpochs,
    float labelSmoothing,
    float gradClipNorm,
    boolean augment,
    long seed,
    String device,
    int trainLimit,
    int testLimit,
    int evalBatchSize,
    boolean evalEveryEpoch,
    int maxConsecutiveSkips) {

  /**
   * 10 epochs, batch 128, lr 1e-3 -> 1e-5, wd 0.05, 1 warm-up epoch, smoothing 0.1, clip 1, no
   * augmentation: with 7 px patches a 1-2 px crop shift changes every patch, and in schedules this
   * short the weak view cost about 8 points of test accuracy (75% vs 83% after 3 epochs on 20 k
   * images); turn it on for long runs.
   */
  public static final BootstrapConfig DEFAULT =
      new BootstrapConfig(
          10, 128, 1e-3f, 1e-5f, 0.05f, 1.0, 0.1f, 1.0f, false, 42L, "auto", 0, 0, 500, true, 20);

  public BootstrapConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("BootstrapConfig.epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "BootstrapConfig.batchSize must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "BootstrapConfig.learningRate must be finite and > 0, got " + learningRate);
    }
    if (!(minLearningRate >= 0) || minLearningRate > learningRate) {
      throw new IllegalArgumentException(
          "BootstrapConfig.minLearningRate must be in [0, learningRate], got " + minLearningRate);
    }
    if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
      throw new IllegalArgumentException(
          "BootstrapConfig.weightDecay must be finite and >= 0, got " + weightDecay);
    }
    if (!(warmupEpochs >= 0) || warmupEpochs > epochs) {
      throw new IllegalArgumentException(
          "BootstrapConfig.warmupEpochs must be in [0, epochs], got " + warmupEpochs);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException(
          "BootstrapConfig.labelSmoothing must be in [0, 1), got " + labelSmoothing);
    }
    if (!(gradClipNorm >= 0) || !Float.isFinite(gradClipNorm)) {
      throw new IllegalArgumentException(
          "BootstrapConfig.gradClipNorm must be finite and >= 0, got " + gradClipNorm);
    }
    if (device == null || device.isBlank()) {
      throw new IllegalArgumentException("BootstrapConfig.device must not be blank");
    }
    if (trainLimit < 0) {
      throw new IllegalArgumentException(
          "BootstrapConfig.trainLimit must be >= 0, got " + trainLimit);
    }
    if (testLimit < 0) {
      throw new IllegalArgumentException(
          "BootstrapConfig.testLimit must be >= 0, got " + testLimit);
    }
    if (evalBatchSize < 1) {
      throw new IllegalArgumentException(
          "BootstrapConfig.evalBatchSize must be >= 1, got " + evalBatchSize);
    }
    if (maxConsecutiveSkips < 1) {
      throw new IllegalArgumentException(
          "BootstrapConfig.maxConsecutiveSkips must be >= 1, got " + maxConsecutiveSkips);
    }
  }

  public BootstrapConfig withEpochs(int epochs) {
    return toBuilder().epochs(epochs).warmupEpochs(Math.min(warmupEpochs, epochs)).build();
  }

  public BootstrapConfig withDevice(String device) {
    return toBuilder().device(device).build();
  }

  public BootstrapConfig withLimits(int trainLimit, int testLimit) {
    return toBuilder().trainLimit(trainLimit).testLimit(testLimit).build();
  }

  public BootstrapConfig withBatch(int batchSize, float learningRate) {
    return toBuilder()
        .batchSize(batchSize)
        .learningRate(learningRate)
        .minLearningRate(Math.min(minLearningRate, learningRate))
        .build();
  }

  public BootstrapConfig withSeed(long seed) {
    return toBuilder().seed(seed).build();
  }

  /** A builder starting from {@link #DEFAULT}. */
  public static Builder builder() {
    return DEFAULT.toBuilder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.minLearningRate = minLearningRate;
    b.weightDecay = weightDecay;
    b.warmupEpochs = warmupEpochs;
    b.labelSmoothing = labelSmoothing;
    b.gradClipNorm = gradClipNorm;
    b.augment = augment;
    b.seed = seed;
    b.device = device;
    b.trainLimit = trainLimit;
    b.testLimit = testLimit;
    b.evalBatchSize = evalBatchSize;
    b.evalEveryEpoch = evalEveryEpoch;
    b.maxConsecutiveSkips = maxConsecutiveSkips;
    return b;
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int epochs;
    private int batchSize;
    private float learningRate;
    private float minLearningRate;
    private float weightDecay;
    private double warmupEpochs;
    private float labelSmoothing;
    private float gradClipNorm;
    private boolean augment;
    private long seed;
    private String device;
    private int trainLimit;
    private int testLimit;
    private int evalBatchSize;
    private boolean evalEveryEpoch;
    private int maxConsecutiveSkips;

    private Builder() {}

    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder learningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder minLearningRate(float minLearningRate) {
      this.minLearningRate = minLearningRate;
      return this;
    }

    public Builder weightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder warmupEpochs(double warmupEpochs) {
      this.warmupEpochs = warmupEpochs;
      return this;
    }

    public Builder labelSmoothing(float labelSmoothing) {
      this.labelSmoothing = labelSmoothing;
      return this;
    }

    public Builder gradClipNorm(float gradClipNorm) {
      this.gradClipNorm = gradClipNorm;
      return this;
    }

    public Builder augment(boolean augment) {
      this.augment = augment;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder device(String device) {
      this.device = device;
      return this;
    }

    public Builder trainLimit(int trainLimit) {
      this.trainLimit = trainLimit;
      return this;
    }

    public Builder testLimit(int testLimit) {
      this.testLimit = testLimit;
      return this;
    }

    public Builder evalBatchSize(int evalBatchSize) {
      this.evalBatchSize = evalBatchSize;
      return this;
    }

    public Builder evalEveryEpoch(boolean evalEveryEpoch) {
      this.evalEveryEpoch = evalEveryEpoch;
      return this;
    }

    public Builder maxConsecutiveSkips(int maxConsecutiveSkips) {
      this.maxConsecutiveSkips = maxConsecutiveSkips;
      return this;
    }

    public BootstrapConfig build() {
      return new BootstrapConfig(
          epochs,
          batchSize,
          learningRate,
          minLearningRate,
          weightDecay,
          warmupEpochs,
          labelSmoothing,
          gradClipNorm,
          augment,
          seed,
          device,
          trainLimit,
          testLimit,
          evalBatchSize,
          evalEveryEpoch,
          maxConsecutiveSkips);
    }
  }
}
