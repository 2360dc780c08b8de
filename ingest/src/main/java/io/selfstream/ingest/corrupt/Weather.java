package io.selfstream.ingest.corrupt;

import java.util.random.RandomGenerator;

/** Snow, frost and fog. */
final class Weather {

  private Weather() {}

  /**
   * (mean, sd, zoom, threshold, motion radius px, motion sigma px, blend) at 32x32: a thresholded
   * Gaussian field enlarged by {@code zoom}, motion-blurred (lengths scaled to the image) at an
   * angle uniform in [-135, -45), added with its 180-degree rotation to the image blended toward
   * {@code max(x, 1.5 gray + 0.5)}.
   */
  static final double[][] SNOW = {
    {0.1, 0.2, 1, 0.6, 8, 3, 0.95},
    {0.1, 0.2, 1, 0.5, 10, 4, 0.9},
    {0.15, 0.3, 1.75, 0.55, 10, 4, 0.9},
    {0.25, 0.3, 2.25, 0.6, 12, 6, 0.85},
    {0.3, 0.3, 1.25, 0.65, 14, 12, 0.8}
  };

  /** (image weight, frost weight): {@code clip(a * x + b * frost)} on 0-255 values. */
  static final double[][] FROST = {{1, 0.2}, {1, 0.3}, {0.9, 0.4}, {0.85, 0.4}, {0.75, 0.45}};

  /** (fog amount, plasma wibble decay). */
  static final double[][] FOG = {{0.2, 3}, {0.5, 3}, {0.75, 2.5}, {1, 2}, {1.5, 1.75}};

  static byte[] snow(Img x, int severity, double pixelScale, RandomGenerator rng) {
    double[] c = SNOW[severity - 1];
    int w = x.width;
    int h = x.height;
    double[] layer = new double[w * h];
    for (int i = 0; i < layer.length; i++) {
      layer[i] = Rand.normal(rng, c[0], c[1]);
    }
    layer = Ops.clippedZoom(layer, w, h, c[2]);
    for (int i = 0; i < layer.length; i++) {
      double v = layer[i] < c[3] ? 0 : Math.min(1, layer[i]);
      layer[i] = Math.floor(v * 255 + 1e-7); // to an 8-bit gray PNG for ImageMagick
    }
    double angle = Rand.uniform(rng, -135, -45);
    layer = Ops.motionBlur(layer, w, h, c[4] * pixelScale, c[5] * pixelScale, angle);
    for (int i = 0; i < layer.length; i++) {
      layer[i] = Math.max(0, Math.min(255, Math.floor(layer[i] + 1e-7))) / 255.0; // as ImageMagick
    }
    double[] gray = luma(x);
    double blend = c[6];
    int n = w * h;
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      for (int i = 0; i < n; i++) {
        double v = blend * p[i] + (1 - blend) * Math.max(p[i], gray[i] * 1.5 + 0.5);
        p[i] = v + layer[i] + layer[n - 1 - i]; // + np.rot90(layer, k=2)
      }
    }
    return x.toBytesTruncated();
  }

  /** {@code x} holds 0-255 values here, like the original's {@code np.array(x)}. */
  static byte[] frost(Img x, int severity, RandomGenerator rng) {
    double a = FROST[severity - 1][0];
    double b = FROST[severity - 1][1];
    double[] texture = FrostTexture.gray(x.width, x.height, rng);
    for (int ch = 0; ch < x.channels; ch++) {
      double tint = x.channels == 3 ? FrostTexture.RGB_TINT[ch] : 1.0;
      double[] p = x.planes[ch];
      for (int i = 0; i < p.length; i++) {
        double frost = Math.min(255, texture[i] * tint);
        p[i] = a * p[i] + b * frost;
      }
    }
    return x.toBytesFrom255Truncated();
  }

  static byte[] fog(Img x, int severity, RandomGenerator rng) {
    double amount = FOG[severity - 1][0];
    double decay = FOG[severity - 1][1];
    int size = PlasmaFractal.powerOfTwoAtLeast(Math.max(x.width, x.height));
    double[] plasma = PlasmaFractal.generate(size, decay, rng);
    double max = x.max();
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      for (int y = 0; y < x.height; y++) {
        for (int xx = 0; xx < x.width; xx++) {
          int i = y * x.width + xx;
          p[i] = (p[i] + amount * plasma[y * size + xx]) * max / (max + amount);
        }
      }
    }
    return x.toBytesTruncated();
  }

  /** Rec. 601 luma (cv2's RGB2GRAY) of an RGB image; the image itself when gray. */
  static double[] luma(Img x) {
    if (x.channels == 1) {
      return x.planes[0].clone();
    }
    double[] gray = new double[x.size()];
    for (int i = 0; i < gray.length; i++) {
      gray[i] = 0.299 * x.planes[0][i] + 0.587 * x.planes[1][i] + 0.114 * x.planes[2][i];
    }
    return gray;
  }
}
