package io.selfstream.ingest.corrupt;

import java.util.random.RandomGenerator;

/**
 * The diamond-square height map of the originals' {@code plasma_fractal} (itself from FLHerne's
 * mapgen): toroidal, square, side a power of two, values scaled to [0, 1]. As in the original each
 * new point is {@code mean / 4 + wibble * U(-wibble, wibble)} (the mean of four neighbours written
 * as their sum over four, and the noise amplitude wibble squared), with {@code wibble} starting at
 * 100 and divided by {@code wibbleDecay} per octave.
 */
final class PlasmaFractal {

  private PlasmaFractal() {}

  /** Row-major {@code size x size} map; {@code size} must be a power of two. */
  static double[] generate(int size, double wibbleDecay, RandomGenerator rng) {
    if (size < 2 || Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("plasma size must be a power of two >= 2, got " + size);
    }
    double[] map = new double[size * size];
    int step = size;
    double wibble = 100;
    while (step >= 2) {
      int half = step / 2;
      int n = size / step;
      // squares: centre = corners
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double sum =
              map[at(size, i * step, j * step)]
                  + map[at(size, ((i + 1) % n) * step, j * step)]
                  + map[at(size, i * step, ((j + 1) % n) * step)]
                  + map[at(size, ((i + 1) % n) * step, ((j + 1) % n) * step)];
          map[at(size, i * step + half, j * step + half)] =
              sum / 4 + wibble * Rand.uniform(rng, -wibble, wibble);
        }
      }
      // diamonds on the top edges of each square, then on the left edges
      double[] top = new double[n * n];
      double[] left = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double d = map[at(size, i * step + half, j * step + half)];
          double dUp = map[at(size, ((i - 1 + n) % n) * step + half, j * step + half)];
          double u = map[at(size, i * step, j * step)];
          double uRight = map[at(size, i * step, ((j + 1) % n) * step)];
          top[i * n + j] = d + dUp + u + uRight;
        }
      }
      for (int i = 0; i < n * n; i++) {
        top[i] = top[i] / 4 + wibble * Rand.uniform(rng, -wibble, wibble);
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double d = map[at(size, i * step + half, j * step + half)];
          double dLeft = map[at(size, i * step + half, ((j - 1 + n) % n) * step + half)];
          double u = map[at(size, i * step, j * step)];
          double uDown = map[at(size, ((i + 1) % n) * step, j * step)];
          left[i * n + j] = d + dLeft + u + uDown;
        }
      }
      for (int i = 0; i < n * n; i++) {
        left[i] = left[i] / 4 + wibble * Rand.uniform(rng, -wibble, wibble);
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          map[at(size, i * step, j * step + half)] = top[i * n + j];
          map[at(size, i * step + half, j * step)] = left[i * n + j];
        }
      }
      step /= 2;
      wibble /= wibbleDecay;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : map) {
      min = Math.min(min, v);
    }
    for (int i = 0; i < map.length; i++) {
      map[i] -= min;
      max = Math.max(max, map[i]);
    }
    if (max > 0) {
      for (int i = 0; i < map.length; i++) {
        map[i] /= max;
      }
    }
    return map;
  }

  private static int at(int size, int row, int col) {
    return row * size + col;
  }

  /** The smallest power of two {@code >= n} (at least 2). */
  static int powerOfTwoAtLeast(int n) {
    int size = 2;
    while (size < n) {
      size *= 2;
    }
    return size;
  }
}
