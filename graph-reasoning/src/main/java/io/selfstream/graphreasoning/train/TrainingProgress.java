package io.selfstream.graphreasoning.train;

/**
 * Progress callbacks of {@link SegmentationTrainer#fit}, called on the training thread (for a
 * progress bar). All methods default to doing nothing.
 */
public interface TrainingProgress {

  TrainingProgress NONE = new TrainingProgress() {};

  /** Before the first iteration. */
  default void onStart(int epochs, int iterationsPerEpoch) {}

  /**
   * After every optimiser step.
   *
   * @param epoch 1-based
   * @param iteration 1-based within the epoch
   * @param loss the batch loss
   */
  default void onIteration(int epoch, int iteration, double loss) {}

  /** After every epoch (and its checkpoint, if one was written). */
  default void onEpoch(EpochSummary summary) {}
}
