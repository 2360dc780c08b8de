package io.selfstream.trainer.adapt;

import java.util.Map;

/**
 * What one learner step did. {@code terms} holds the weighted loss terms by name ({@code ce},
 * {@code fair}, {@code recon}, {@code align}, {@code entropy}, ...); {@code pseudoLabeled} counts
 * samples whose teacher confidence passed the threshold; {@code pseudoLabelEntropy} is the entropy
 * (nats) of the batch's pseudo-label histogram and {@code dominantShare} the share of its largest
 * class, the two collapse signals. When the guard fired, {@code rolledBack} is true, the step's
 * update was discarded, the learner is back at its last good state with a lower learning rate and
 * {@code guardReason} says why.
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
    String guardReason) {

  public boolean guardFired() {
    return rolledBack;
  }
}
