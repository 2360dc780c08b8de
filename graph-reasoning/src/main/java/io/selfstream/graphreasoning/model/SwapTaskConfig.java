package io.selfstream.graphreasoning.model;

/**
 * DTGRM's self-supervised auxiliary task: exchange pairs of frames (about {@code rate} of all
 * frames), then predict for every frame whether it was exchanged ({@code detectionWeight} x CE) and
 * its correct action ({@code correctionWeight} x CE + the smoothing term).
 *
 * @param rate fraction of frames exchanged (0.2)
 * @param detectionWeight weight of the exchanged/not-exchanged CE (2.0 in the reference code)
 * @param correctionWeight weight of the CE of the action predicted on the exchanged sequence (0.5
 *     in the reference code)
 */
public record SwapTaskConfig(double rate, double detectionWeight, double correctionWeight) {

  public SwapTaskConfig {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("swap rate " + rate);
    }
    if (detectionWeight < 0 || correctionWeight < 0) {
      throw new IllegalArgumentException(
          "swap-task weights must be >= 0: " + detectionWeight + ", " + correctionWeight);
    }
  }

  /** No auxiliary task (DTGRM then trains on the main branch only). */
  public static SwapTaskConfig off() {
    return new SwapTaskConfig(0, 0, 0);
  }

  public static SwapTaskConfig paper() {
    return new SwapTaskConfig(0.2, 2.0, 0.5);
  }
}
