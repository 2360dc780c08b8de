package io.selfstream.trainer.encoder;

/**
 * Progress of {@link EncoderBootstrap}; every method has a no-op default. Called on the training
 * thread.
 */
public interface BootstrapListener {

  BootstrapListener NONE = new BootstrapListener() {};

  /** Before the first step. */
  default void onStart(int epochs, int stepsPerEpoch, int trainSize, int testSize, long params) {}

  /** After every training step (applied or skipped). */
  default void onStep(StepProgress progress) {}

  /** A step was skipped by the NaN/inf guard. */
  default void onSkippedStep(int epoch, long globalStep, String reason) {}

  /** The parameters went non-finite and were rolled back to the end of the previous epoch. */
  default void onRollback(int epoch, String reason) {}

  /** After every epoch (and its evaluation, when enabled). */
  default void onEpochEnd(EpochSummary summary) {}

  /**
   * @param epoch 1-based epoch
   * @param epochs total epochs
   * @param step 1-based step within the epoch
   * @param stepsPerEpoch steps per epoch
   * @param globalStep 1-based step over the whole run
   * @param totalSteps steps in the run
   * @param loss this step's training loss (NaN when the step was skipped for it)
   * @param learningRate rate used for this step
   * @param samplesPerSecond training throughput so far in this epoch
   */
  record StepProgress(
      int epoch,
      int epochs,
      int step,
      int stepsPerEpoch,
      long globalStep,
      long totalSteps,
      float loss,
      float learningRate,
      double samplesPerSecond) {}

  /**
   * @param epoch 1-based epoch
   * @param trainLoss mean loss of applied steps
   * @param trainAccuracy accuracy on the (augmented) training batches
   * @param testAccuracy clean test accuracy, NaN when not evaluated this epoch
   * @param seconds wall time of the epoch's training steps
   * @param samplesPerSecond training throughput of the epoch
   * @param skippedSteps steps skipped by the NaN/inf guard in this epoch
   */
  record EpochSummary(
      int epoch,
      double trainLoss,
      double trainAccuracy,
      double testAccuracy,
      double seconds,
      double samplesPerSecond,
      int skippedSteps) {}
}
