package io.selfstream.trainer.encoder;

/**
 * Outcome of {@link EncoderBootstrap#run}.
 *
 * @param testAccuracy clean test accuracy after the last epoch
 * @param trainAccuracy training-batch accuracy in the last epoch
 * @param trainLoss mean training loss in the last epoch
 * @param samplesPerSecond training throughput over all epochs (evaluation excluded)
 * @param trainSeconds wall time of the training steps
 * @param totalSeconds wall time including evaluation
 * @param epochs epochs run
 * @param steps steps run (applied + skipped)
 * @param skippedSteps steps skipped by the NaN/inf guard
 * @param rollbacks epochs rolled back after non-finite parameters
 * @param parameterCount scalar parameters of the model
 * @param device device trained on
 */
public record BootstrapResult(
    double testAccuracy,
    double trainAccuracy,
    double trainLoss,
    double samplesPerSecond,
    double trainSeconds,
    double totalSeconds,
    int epochs,
    long steps,
    long skippedSteps,
    int rollbacks,
    long parameterCount,
    String device) {}
