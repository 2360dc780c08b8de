package io.selfstream.graphreasoning.synth;

/**
 * Appearance changes between the labeled source videos and live feeds.
 *
 * @param noiseStd Gaussian pixel noise, in grey levels (0-255)
 * @param blurRadius box blur radius in pixels (0 = none)
 * @param brightness multiplier on pixel values (1 = none)
 * @param offset added to pixel values after the multiplier, grey levels
 * @param unseenGarments draw sprites from garment classes never seen in the source domain
 */
public record DomainShift(
    double noiseStd, int blurRadius, double brightness, double offset, boolean unseenGarments) {

  public static DomainShift none() {
    return new DomainShift(0, 0, 1, 0, false);
  }

  /** The default of clean videos: a little sensor noise. */
  public static DomainShift sensorNoise() {
    return new DomainShift(6, 0, 1, 0, false);
  }

  /** A strong shift for live-feed experiments: noise, blur, dimmer and offset, new garments. */
  public static DomainShift live() {
    return new DomainShift(20, 1, 0.7, 25, true);
  }
}
