package io.selfstream.trainer.adapt;

import java.util.Arrays;
import java.util.Map;

/**
 * What one learner step did. {@code terms} holds the weighted loss terms by name ({@code ce},
 * {@code fair}, {@code recon}, {@code align}, {@code entropy}, ...); {@code pseudoLabeled} counts
 * samples whose teacher confidence passed the threshold; {@code pseudoLabelEntropy} is the entropy
 * (nats) of the batch's pseudo-label histogram and {@code dominantShare} the share of its largest
 * class, the two collapse signals. When the guard fired, {@code rolledBack} is true, the step's
 * update was discarded, the learner is back at its last good state with a lower learning rate and
 * {@code guardReason} says why.
 *
 * <p>{@code pseudoLabels[i]} is the class the step's teacher assigned to sample {@code i} of the
 * batch (aligned with {@link ViewBatch#sourceIds()} and {@link ViewBatch#seqs()}), -1 where it was
 * not confident enough or the method has no pseudo-labels (TENT, SOURCE). A rolled-back step still
 * reports the labels its teacher decided. Its length is {@code batchSize}; callers must not modify
 * it.
 */
public record StepReport(
    long step,
    int batchSize,
    double loss,
    Map<String, Double> terms,
    int pseudoLabeled,
    double pseudoLabelEntropy,
    double dominantShare,
    double learningRate,
    boolean rolledBack,
    String guardReason,
    int[] pseudoLabels) {

  public StepReport {
    pseudoLabels = pseudoLabels == null ? none(batchSize) : pseudoLabels;
    if (pseudoLabels.length != batchSize) {
      throw new IllegalArgumentException(
          pseudoLabels.length + " pseudo-labels for a batch of " + batchSize);
    }
  }

  /** A report without per-sample pseudo-labels (all -1). */
  public StepReport(
      long step,
      int batchSize,
      double loss,
      Map<String, Double> terms,
      int pseudoLabeled,
      double pseudoLabelEntropy,
      double dominantShare,
      double learningRate,
      boolean rolledBack,
      String guardReason) {
    this(
        step,
        batchSize,
        loss,
        terms,
        pseudoLabeled,
        pseudoLabelEntropy,
        dominantShare,
        learningRate,
        rolledBack,
        guardReason,
        null);
  }

  public boolean guardFired() {
    return rolledBack;
  }

  /** {@code n} times -1: no sample has a pseudo-label. */
  static int[] none(int n) {
    int[] out = new int[Math.max(0, n)];
    Arrays.fill(out, -1);
    return out;
  }
}
