package io.selfstream.ingest.corrupt;

import java.util.random.RandomGenerator;

/**
 * Random variates built only on {@link RandomGenerator#nextDouble()}, so a seeded stream depends on
 * nothing but the generator's specified bit sequence (not on a JDK's Gaussian or bounded-int
 * algorithm).
 */
final class Rand {

  private Rand() {}

  /** Uniform in {@code [lo, hi)}. */
  static double uniform(RandomGenerator rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** Uniform integer in {@code [lo, hi)} (numpy's {@code randint(lo, hi)}). */
  static int integer(RandomGenerator rng, int lo, int hi) {
    int v = lo + (int) Math.floor(rng.nextDouble() * (hi - lo));
    return Math.min(v, hi - 1);
  }

  /** Normal by Box-Muller (one variate per call). */
  static double normal(RandomGenerator rng, double mean, double sd) {
    double u1 = 1.0 - rng.nextDouble(); // (0, 1]
    double u2 = rng.nextDouble();
    return mean + sd * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /**
   * Poisson: multiplication (Knuth) below a mean of 10, Hormann's PTRS transformed rejection above
   * (the method numpy uses).
   */
  static long poisson(RandomGenerator rng, double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda < 10) {
      double limit = Math.exp(-lambda);
      double prod = rng.nextDouble();
      long k = 0;
      while (prod > limit) {
        prod *= rng.nextDouble();
        k++;
      }
      return k;
    }
    double slam = Math.sqrt(lambda);
    double loglam = Math.log(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      double u = rng.nextDouble() - 0.5;
      double v = rng.nextDouble();
      double us = 0.5 - Math.abs(u);
      long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) {
        return k;
      }
      if (k < 0 || (us < 0.013 && v > us)) {
        continue;
      }
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b)
          <= -lambda + k * loglam - logFactorial(k)) {
        return k;
      }
    }
  }

  private static final double[] LOG_FACTORIAL = new double[1024];

  static {
    for (int i = 1; i < LOG_FACTORIAL.length; i++) {
      LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + Math.log(i);
    }
  }

  /** {@code log(k!)}: a table below 1024, Stirling's series above. */
  static double logFactorial(long k) {
    if (k < LOG_FACTORIAL.length) {
      return LOG_FACTORIAL[(int) k];
    }
    double n = k + 1.0; // log Gamma(n)
    return (n - 0.5) * Math.log(n)
        - n
        + 0.5 * Math.log(2 * Math.PI)
        + 1.0 / (12 * n)
        - 1.0 / (360 * n * n * n)
        + 1.0 / (1260 * n * n * n * n * n);
  }
}
