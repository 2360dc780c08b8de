package io.selfstream.ingest.corrupt;

import java.util.random.RandomGenerator;

/**
 * A procedural stand-in for the frost photographs of ImageNet-C ({@code frost1.png} ... {@code
 * frost5.jpg}; the original draws {@code randint(5)}, so frost6 is never used), which cannot ship
 * with this project.
 *
 * <p>Procedure, on a 3x supersampled canvas:
 *
 * <ol>
 *   <li>ice dendrites: about one per 60 output pixels, each a slightly wavering main stem (length
 *       0.4-1.0 of the short side, random direction, turning by U(-5, 5) degrees per sample) with
 *       side branches every 1.5-3 output pixels at +-60 degrees (hexagonal ice), branches of
 *       branches one level further, stroke intensity 0.5-1 decaying by 0.7 per level, drawn
 *       anti-aliased with a max-combine;
 *   <li>haze: a diamond-square plasma (decay 2) at 0.35, plus per-sample grain U(-0.2, 0.2);
 *   <li>box-averaged down to the output size (what a camera pixel integrates);
 *   <li>standardized and mapped to the statistics of a crop of one of the five photographs, chosen
 *       uniformly: crop mean = photo mean + N(0, between-crop sd), crop sd = the photo's mean
 *       within-crop sd.
 * </ol>
 *
 * <p>The five (mean, within-crop sd, between-crop sd) triples are measured on the photographs
 * resized like the original ({@code cv2.resize(fx=0.2)} scaled by 28/32 so a 28x28 crop covers the
 * same part of the photo as a 32x32 crop did for CIFAR), as Rec. 601 gray: frost1 (130, 13.3,
 * 11.0), frost2 and frost3 (identical files, 205, 15.3, 14.4), frost4 (150, 23.1, 13.8), frost5
 * (121, 32.2, 25.4). The photographs' mean |horizontal neighbour difference| is 0.68-0.86 of their
 * within-crop sd; this texture's is about the same (checked in the tests). Colour images get the
 * photographs' average bluish tint (R, G, B) = (0.90, 1.03, 1.10) x gray.
 */
final class FrostTexture {

  private FrostTexture() {}

  private record Style(double mean, double localSd, double betweenSd) {}

  private static final Style[] STYLES = {
    new Style(129.7, 13.3, 11.0),
    new Style(205.1, 15.3, 14.4),
    new Style(205.1, 15.3, 14.4),
    new Style(149.8, 23.1, 13.8),
    new Style(121.1, 32.2, 25.4),
  };

  static final double[] RGB_TINT = {0.90, 1.03, 1.10};

  private static final int SUPERSAMPLE = 3;

  /** A {@code width x height} gray frost texture in [0, 255] (row-major). */
  static double[] gray(int width, int height, RandomGenerator rng) {
    Style style = STYLES[Rand.integer(rng, 0, STYLES.length)];
    double[] pattern = pattern(width, height, rng);
    double mean = 0;
    for (double v : pattern) {
      mean += v;
    }
    mean /= pattern.length;
    double var = 0;
    for (double v : pattern) {
      var += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(var / pattern.length);
    double cropMean = style.mean + Rand.normal(rng, 0, style.betweenSd);
    double[] out = new double[pattern.length];
    for (int i = 0; i < out.length; i++) {
      double z = sd > 0 ? (pattern[i] - mean) / sd : 0;
      out[i] = Math.max(0, Math.min(255, cropMean + style.localSd * z));
    }
    return out;
  }

  /** The unscaled pattern: dendrites + haze + grain, box-averaged to {@code width x height}. */
  static double[] pattern(int width, int height, RandomGenerator rng) {
    int s = SUPERSAMPLE;
    int w = width * s;
    int h = height * s;
    double[] canvas = new double[w * h];
    int dendrites = Math.max(3, (int) Math.round(width * height / 60.0));
    double shortSide = Math.min(width, height) * s;
    for (int d = 0; d < dendrites; d++) {
      double x = Rand.uniform(rng, -0.1 * w, 1.1 * w);
      double y = Rand.uniform(rng, -0.1 * h, 1.1 * h);
      double angle = Rand.uniform(rng, 0, 2 * Math.PI);
      double length = Rand.uniform(rng, 0.4, 1.0) * shortSide;
      double intensity = Rand.uniform(rng, 0.5, 1.0);
      grow(canvas, w, h, x, y, angle, length, intensity, 0, rng);
    }
    int size = PlasmaFractal.powerOfTwoAtLeast(Math.max(w, h));
    double[] plasma = PlasmaFractal.generate(size, 2.0, rng);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        canvas[y * w + x] += 0.35 * plasma[y * size + x] + Rand.uniform(rng, -0.2, 0.2);
      }
    }
    double[] out = new double[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double sum = 0;
        for (int j = 0; j < s; j++) {
          for (int i = 0; i < s; i++) {
            sum += canvas[(y * s + j) * w + x * s + i];
          }
        }
        out[y * width + x] = sum / (s * s);
      }
    }
    return out;
  }

  private static final double BRANCH_ANGLE = Math.PI / 3;

  private static void grow(
      double[] canvas,
      int w,
      int h,
      double x,
      double y,
      double angle,
      double length,
      double intensity,
      int depth,
      RandomGenerator rng) {
    double step = 1.0; // supersampled pixels per drawing step
    double nextBranch = Rand.uniform(rng, 1.5, 3.0) * SUPERSAMPLE;
    double travelled = 0;
    boolean leftSide = rng.nextDouble() < 0.5;
    while (travelled < length) {
      angle += Rand.uniform(rng, -0.087, 0.087);
      double nx = x + step * Math.cos(angle);
      double ny = y + step * Math.sin(angle);
      splatLine(canvas, w, h, x, y, nx, ny, intensity);
      x = nx;
      y = ny;
      travelled += step;
      if (depth < 2 && travelled >= nextBranch) {
        double remaining = length - travelled;
        double branchLength = Rand.uniform(rng, 0.3, 0.6) * remaining;
        if (branchLength > SUPERSAMPLE) {
          double side = leftSide ? BRANCH_ANGLE : -BRANCH_ANGLE;
          grow(canvas, w, h, x, y, angle + side, branchLength, intensity * 0.7, depth + 1, rng);
        }
        leftSide = !leftSide;
        nextBranch = travelled + Rand.uniform(rng, 1.5, 3.0) * SUPERSAMPLE;
      }
    }
  }

  /** Draws a short segment by bilinear splats every half sample, keeping the maximum. */
  private static void splatLine(
      double[] canvas, int w, int h, double x0, double y0, double x1, double y1, double v) {
    for (int t = 0; t <= 2; t++) {
      double x = x0 + (x1 - x0) * t / 2.0;
      double y = y0 + (y1 - y0) * t / 2.0;
      int ix = (int) Math.floor(x);
      int iy = (int) Math.floor(y);
      double fx = x - ix;
      double fy = y - iy;
      splat(canvas, w, h, ix, iy, v * (1 - fx) * (1 - fy));
      splat(canvas, w, h, ix + 1, iy, v * fx * (1 - fy));
      splat(canvas, w, h, ix, iy + 1, v * (1 - fx) * fy);
      splat(canvas, w, h, ix + 1, iy + 1, v * fx * fy);
    }
  }

  private static void splat(double[] canvas, int w, int h, int x, int y, double v) {
    if (x >= 0 && x < w && y >= 0 && y < h) {
      int i = y * w + x;
      canvas[i] = Math.max(canvas[i], v);
    }
  }
}
