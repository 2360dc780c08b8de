package io.selfstream.ingest.corrupt;

import io.selfstream.ingest.corrupt.Ops.Border;
import java.util.random.RandomGenerator;

/** Defocus, glass, motion and zoom blur. */
final class Blur {

  private Blur() {}

  /** (disk radius px, anti-alias sigma px) at 32x32; both scaled to the image. */
  static final double[][] DEFOCUS = {{0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}};

  /** (sigma px, max shift px, iterations) at 32x32; sigma scaled, shift rounded (>= 1). */
  static final double[][] GLASS = {
    {0.05, 1, 1}, {0.25, 1, 1}, {0.4, 1, 1}, {0.25, 1, 2}, {0.4, 1, 2}
  };

  /** ImageMagick (radius px, sigma px) at 32x32, both scaled; angle uniform in [-45, 45). */
  static final double[][] MOTION = {{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}};

  /**
   * Number of zoom factors {@code 1.00, 1.01, ...}: the lengths of the original's {@code
   * np.arange(1, 1.06, 0.01)} ... {@code np.arange(1, 1.26, 0.01)}, which floating point makes 7,
   * 12, 16, 21, 26 (1.06 and 1.11 are included, 1.16, 1.21 and 1.26 are not).
   */
  static final int[] ZOOM_COUNTS = {7, 12, 16, 21, 26};

  static byte[] defocus(Img x, int severity, double pixelScale) {
    double radius = DEFOCUS[severity - 1][0] * pixelScale;
    double alias = DEFOCUS[severity - 1][1] * pixelScale;
    int half = (int) Math.ceil(radius) + 1;
    int size = 2 * half + 1;
    double[] kernel = antiAliasedDisk(radius, half);
    // cv2.GaussianBlur(ksize=(3, 3), sigmaX=alias); the outer ring of the kernel is zero, so
    // clamping at its border reads zeros like the original's much larger 17x17 array
    double[] g = Ops.gaussianKernel(alias, 1);
    kernel = Ops.separable(kernel, size, size, g, g, Border.NEAREST);
    double sum = 0;
    for (double v : kernel) {
      sum += v;
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] /= sum;
    }
    for (int ch = 0; ch < x.channels; ch++) {
      x.planes[ch] =
          Ops.correlate(x.planes[ch], x.width, x.height, kernel, size, size, Border.REFLECT_101);
    }
    return x.toBytesTruncated();
  }

  /**
   * A disk of the given radius with each cell weighted by the part of it inside the disk (16x16
   * sub-samples per cell), normalized. The original tests cell centres ({@code X^2 + Y^2 <= r^2})
   * and relies on the small Gaussian to hide the aliasing; at 28x28 the scaled radii (0.26-1.31)
   * would make severity 4 (r = 0.875 < 1) a single cell, weaker than severity 3, while the area
   * weights keep the blur's spread in proportion (second moment within a few percent of the 32x32
   * kernel's scaled by 7/8).
   */
  static double[] antiAliasedDisk(double radius, int half) {
    int size = 2 * half + 1;
    int sub = 16;
    double[] k = new double[size * size];
    double sum = 0;
    double r2 = radius * radius;
    for (int j = 0; j < size; j++) {
      for (int i = 0; i < size; i++) {
        int inside = 0;
        for (int sj = 0; sj < sub; sj++) {
          double y = j - half - 0.5 + (sj + 0.5) / sub;
          for (int si = 0; si < sub; si++) {
            double x = i - half - 0.5 + (si + 0.5) / sub;
            if (x * x + y * y <= r2) {
              inside++;
            }
          }
        }
        k[j * size + i] = inside;
        sum += inside;
      }
    }
    if (sum == 0) {
      k[half * size + half] = 1;
      sum = 1;
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  static byte[] glass(Img x, int severity, double pixelScale, RandomGenerator rng) {
    double sigma = GLASS[severity - 1][0] * pixelScale;
    int delta = Math.max(1, (int) Math.round(GLASS[severity - 1][1] * pixelScale));
    int iterations = (int) GLASS[severity - 1][2];
    int w = x.width;
    int h = x.height;
    // np.uint8(gaussian(x, sigma) * 255): truncated to 8 bits before shuffling
    int[][] u8 = new int[x.channels][];
    for (int ch = 0; ch < x.channels; ch++) {
      double[] blurred = Ops.gaussian(x.planes[ch], w, h, sigma, 4.0, Border.NEAREST);
      u8[ch] = new int[blurred.length];
      for (int i = 0; i < blurred.length; i++) {
        u8[ch][i] = (int) Math.floor(blurred[i] * 255 + 1e-7);
      }
    }
    // Local shuffle. numpy's randint(-d, d) excludes d, so shifts are in [-d, d - 1]. The
    // original's
    // "swap" x[h, w], x[h', w'] = x[h', w'], x[h, w] on an HxWx3 array assigns through views, so it
    // only copies x[h', w'] into x[h, w]; CIFAR-10-C was made that way and so is this.
    for (int it = 0; it < iterations; it++) {
      for (int hh = h - delta; hh > delta; hh--) {
        for (int ww = w - delta; ww > delta; ww--) {
          int dx = Rand.integer(rng, -delta, delta);
          int dy = Rand.integer(rng, -delta, delta);
          int src = (hh + dy) * w + (ww + dx);
          int dst = hh * w + ww;
          for (int ch = 0; ch < x.channels; ch++) {
            u8[ch][dst] = u8[ch][src];
          }
        }
      }
    }
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = new double[u8[ch].length];
      for (int i = 0; i < p.length; i++) {
        p[i] = u8[ch][i] / 255.0;
      }
      x.planes[ch] = Ops.gaussian(p, w, h, sigma, 4.0, Border.NEAREST);
    }
    return x.toBytesTruncated();
  }

  /**
   * {@code x} holds 0-255 values here: the original blurs the 8-bit image with ImageMagick, whose
   * 8-bit result is the blurred value truncated (checked against ImageMagick 6.9 Q16: identical).
   */
  static byte[] motion(Img x, int severity, double pixelScale, RandomGenerator rng) {
    double radius = MOTION[severity - 1][0] * pixelScale;
    double sigma = MOTION[severity - 1][1] * pixelScale;
    double angle = Rand.uniform(rng, -45, 45);
    for (int ch = 0; ch < x.channels; ch++) {
      x.planes[ch] = Ops.motionBlur(x.planes[ch], x.width, x.height, radius, sigma, angle);
    }
    return x.toBytesFrom255Truncated();
  }

  static byte[] zoom(Img x, int severity) {
    int count = ZOOM_COUNTS[severity - 1];
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      double[] sum = p.clone(); // (x + sum of zooms) / (count + 1); zoom 1.00 is x itself
      for (int k = 1; k < count; k++) {
        double[] z = Ops.clippedZoom(p, x.width, x.height, 1.0 + 0.01 * k);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += z[i];
        }
      }
      for (int i = 0; i < sum.length; i++) {
        sum[i] = (sum[i] + p[i]) / (count + 1);
      }
      x.planes[ch] = sum;
    }
    return x.toBytesTruncated();
  }
}
