package io.selfstream.trainer.adapt;

/**
 * Receives the per-sample pseudo-labels of each learner step ({@link StepReport#pseudoLabels()}),
 * with where each sample came from, so something that knows the ground truth can score them (the
 * trainers never see labels). Called on the trainer's thread after every step: keep it cheap and
 * thread-safe when several trainers share one observer; the arrays are the step's own, read them
 * inside the call only.
 */
@FunctionalInterface
public interface PseudoLabelObserver {

  /**
   * @param method the learner's method
   * @param sourceIds source of each sample of the batch
   * @param seqs seq of each sample within its source
   * @param labels pseudo-label of each sample, -1 = none (not confident, or no pseudo-labels)
   */
  void onPseudoLabels(AdaptationMethod method, String[] sourceIds, long[] seqs, int[] labels);

  /** Observes nothing. */
  PseudoLabelObserver NONE = (method, sourceIds, seqs, labels) -> {};
}
