package io.selfstream.ingest.corrupt;

import java.util.random.RandomGenerator;

/** Gaussian, shot and impulse noise: per-pixel parameters, kept as in the CIFAR-10-C table. */
final class Noise {

  private Noise() {}

  /** Standard deviation of the additive noise on [0, 1] pixels. */
  static final double[] GAUSSIAN_SIGMA = {0.04, 0.06, 0.08, 0.09, 0.10};

  /** Photon count at full white: {@code poisson(x * c) / c}. */
  static final double[] SHOT_PHOTONS = {500, 250, 100, 75, 50};

  /** Fraction of samples flipped to 0 or 1 (salt and pepper, half each). */
  static final double[] IMPULSE_AMOUNT = {0.01, 0.02, 0.03, 0.05, 0.07};

  static byte[] gaussian(Img x, int severity, RandomGenerator rng) {
    double sigma = GAUSSIAN_SIGMA[severity - 1];
    forEachSample(x, v -> v + Rand.normal(rng, 0, sigma));
    return x.toBytesTruncated();
  }

  static byte[] shot(Img x, int severity, RandomGenerator rng) {
    double c = SHOT_PHOTONS[severity - 1];
    forEachSample(x, v -> Rand.poisson(rng, v * c) / c);
    return x.toBytesTruncated();
  }

  static byte[] impulse(Img x, int severity, RandomGenerator rng) {
    double amount = IMPULSE_AMOUNT[severity - 1];
    forEachSample(
        x,
        v -> {
          boolean flipped = rng.nextDouble() < amount;
          boolean salt = rng.nextDouble() < 0.5;
          return flipped ? (salt ? 1.0 : 0.0) : v;
        });
    return x.toBytesTruncated();
  }

  /** Applies {@code f} to every sample in HWC order (pixel by pixel, channels inside). */
  private static void forEachSample(Img x, java.util.function.DoubleUnaryOperator f) {
    int n = x.size();
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < x.channels; ch++) {
        x.planes[ch][i] = f.applyAsDouble(x.planes[ch][i]);
      }
    }
  }
}
