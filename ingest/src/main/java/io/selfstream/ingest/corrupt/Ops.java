package io.selfstream.ingest.corrupt;

/**
 * Filters and resamplers on single planes ({@code plane[y * w + x]}), matching the Python tools.
 */
final class Ops {

  private Ops() {}

  /** How indices outside {@code [0, n)} are mapped back inside. */
  enum Border {
    /** Clamp to the edge: scipy {@code nearest}, ImageMagick's default virtual pixels. */
    NEAREST,
    /** Half-sample symmetric {@code d c b a | a b c d | d c b a}: scipy/skimage {@code reflect}. */
    REFLECT,
    /**
     * Whole-sample symmetric {@code d c b | a b c d | c b a}: OpenCV's default, scipy {@code
     * mirror}.
     */
    REFLECT_101;

    int index(int i, int n) {
      if (i >= 0 && i < n) {
        return i;
      }
      switch (this) {
        case NEAREST:
          return i < 0 ? 0 : n - 1;
        case REFLECT:
          {
            int period = 2 * n;
            int m = Math.floorMod(i, period);
            return m < n ? m : period - 1 - m;
          }
        case REFLECT_101:
          {
            if (n == 1) {
              return 0;
            }
            int period = 2 * n - 2;
            int m = Math.floorMod(i, period);
            return m < n ? m : period - m;
          }
        default:
          throw new AssertionError(this);
      }
    }
  }

  /** Normalized Gaussian taps {@code exp(-x^2 / 2 sigma^2)} for {@code x} in {@code [-r, r]}. */
  static double[] gaussianKernel(double sigma, int radius) {
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      double v = Math.exp(-0.5 * i * i / (sigma * sigma));
      k[i + radius] = v;
      sum += v;
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /**
   * scipy's {@code gaussian_filter} (and skimage's {@code filters.gaussian}) on one plane: radius
   * {@code int(truncate * sigma + 0.5)}, separable, the given border. Sigma 0 is the identity.
   */
  static double[] gaussian(double[] p, int w, int h, double sigma, double truncate, Border border) {
    int radius = (int) (truncate * sigma + 0.5);
    if (sigma <= 0 || radius == 0) {
      return p.clone();
    }
    double[] k = gaussianKernel(sigma, radius);
    return separable(p, w, h, k, k, border);
  }

  /** Correlation with a row kernel then a column kernel (both odd length, centred). */
  static double[] separable(double[] p, int w, int h, double[] kx, double[] ky, Border border) {
    double[] tmp = new double[w * h];
    int rx = kx.length / 2;
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = 0; i < kx.length; i++) {
          s += kx[i] * p[row + border.index(x + i - rx, w)];
        }
        tmp[row + x] = s;
      }
    }
    double[] out = new double[w * h];
    int ry = ky.length / 2;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = 0; i < ky.length; i++) {
          s += ky[i] * tmp[border.index(y + i - ry, h) * w + x];
        }
        out[y * w + x] = s;
      }
    }
    return out;
  }

  /** 2-D correlation with a {@code kh x kw} kernel (odd sizes, centred), like cv2.filter2D. */
  static double[] correlate(double[] p, int w, int h, double[] k, int kw, int kh, Border border) {
    double[] out = new double[w * h];
    int rx = kw / 2;
    int ry = kh / 2;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int j = 0; j < kh; j++) {
          int row = border.index(y + j - ry, h) * w;
          for (int i = 0; i < kw; i++) {
            double kv = k[j * kw + i];
            if (kv != 0) {
              s += kv * p[row + border.index(x + i - rx, w)];
            }
          }
        }
        out[y * w + x] = s;
      }
    }
    return out;
  }

  /**
   * Bilinear sample at continuous pixel coordinates ({@code (0, 0)} = centre of the first pixel).
   */
  static double bilinear(double[] p, int w, int h, double x, double y, Border border) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    int xa = border.index(x0, w);
    int xb = border.index(x0 + 1, w);
    int ya = border.index(y0, h) * w;
    int yb = border.index(y0 + 1, h) * w;
    double top = p[ya + xa] * (1 - fx) + p[ya + xb] * fx;
    double bottom = p[yb + xa] * (1 - fx) + p[yb + xb] * fx;
    return top * (1 - fy) + bottom * fy;
  }

  /**
   * The originals' {@code clipped_zoom}: crop the centre {@code ceil(n / z)} pixels, enlarge by
   * {@code z} with {@code scipy.ndimage.zoom(order=1)} (output {@code round(m * z)}, corners
   * aligned), and cut the centre {@code n} pixels back out. Per axis, so non-square images work.
   */
  static double[] clippedZoom(double[] p, int w, int h, double z) {
    int cw = (int) Math.ceil(w / z);
    int ch = (int) Math.ceil(h / z);
    int left = Math.floorDiv(w - cw, 2);
    int top = Math.floorDiv(h - ch, 2);
    int ow = (int) Math.rint(cw * z);
    int oh = (int) Math.rint(ch * z);
    int trimX = Math.floorDiv(ow - w, 2);
    int trimY = Math.floorDiv(oh - h, 2);
    double sx = ow > 1 ? (cw - 1) / (double) (ow - 1) : 0;
    double sy = oh > 1 ? (ch - 1) / (double) (oh - 1) : 0;
    double[] out = new double[w * h];
    for (int y = 0; y < h; y++) {
      double yy = (y + trimY) * sy;
      int y0 = Math.min((int) Math.floor(yy), ch - 1);
      int y1 = Math.min(y0 + 1, ch - 1);
      double fy = yy - y0;
      for (int x = 0; x < w; x++) {
        double xx = (x + trimX) * sx;
        int x0 = Math.min((int) Math.floor(xx), cw - 1);
        int x1 = Math.min(x0 + 1, cw - 1);
        double fx = xx - x0;
        int ra = (top + y0) * w + left;
        int rb = (top + y1) * w + left;
        double a = p[ra + x0] * (1 - fx) + p[ra + x1] * fx;
        double b = p[rb + x0] * (1 - fx) + p[rb + x1] * fx;
        out[y * w + x] = a * (1 - fy) + b * fy;
      }
    }
    return out;
  }

  private static final int PRECISION_BITS = 32 - 8 - 2;

  /**
   * Pillow's {@code Image.resize(..., BOX)} of an 8-bit plane, bit-exact to its fixed-point
   * resampler: a horizontal pass to 8 bits, then a vertical pass.
   */
  static int[] pilBoxResize(int[] p, int w, int h, int nw, int nh) {
    int[] horizontal = new int[nw * h];
    Coeffs cx = Coeffs.box(w, nw);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < nw; x++) {
        int s = 1 << (PRECISION_BITS - 1);
        for (int i = 0; i < cx.count[x]; i++) {
          s += p[y * w + cx.start[x] + i] * cx.k[x][i];
        }
        horizontal[y * nw + x] = clip8(s);
      }
    }
    int[] out = new int[nw * nh];
    Coeffs cy = Coeffs.box(h, nh);
    for (int y = 0; y < nh; y++) {
      for (int x = 0; x < nw; x++) {
        int s = 1 << (PRECISION_BITS - 1);
        for (int i = 0; i < cy.count[y]; i++) {
          s += horizontal[(cy.start[y] + i) * nw + x] * cy.k[y][i];
        }
        out[y * nw + x] = clip8(s);
      }
    }
    return out;
  }

  private static int clip8(int s) {
    int v = s >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /** Pillow's {@code precompute_coeffs} for the box filter, normalized to fixed point. */
  private record Coeffs(int[] start, int[] count, int[][] k) {
    static Coeffs box(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterscale = Math.max(scale, 1.0);
      double support = 0.5 * filterscale;
      int[] start = new int[outSize];
      int[] count = new int[outSize];
      int[][] k = new int[outSize][];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        double ss = 1.0 / filterscale;
        int xmin = Math.max((int) (center - support + 0.5), 0);
        int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
        double[] weights = new double[Math.max(xmax, 0)];
        double ww = 0;
        for (int x = 0; x < weights.length; x++) {
          double t = (x + xmin - center + 0.5) * ss;
          double v = t > -0.5 && t <= 0.5 ? 1.0 : 0.0;
          weights[x] = v;
          ww += v;
        }
        int[] fixed = new int[weights.length];
        for (int x = 0; x < weights.length; x++) {
          double v = ww != 0 ? weights[x] / ww : weights[x];
          fixed[x] = (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        start[xx] = xmin;
        count[xx] = weights.length;
        k[xx] = fixed;
      }
      return new Coeffs(start, count, k);
    }
  }

  /**
   * ImageMagick's {@code MotionBlurImage}: a one-sided kernel of {@code 2 ceil(radius) + 1} taps
   * with weights {@code exp(-i^2 / 2 sigma^2)} (normalized), tap {@code i} reading the pixel at the
   * integer offset {@code (ceil(i cos a - 0.5), ceil(i sin a - 0.5))}, edge pixels repeated beyond
   * the border. Works on any value range.
   */
  static double[] motionBlur(double[] p, int w, int h, double radius, double sigma, double angle) {
    int width = radius > 1e-12 ? (int) (2.0 * Math.ceil(radius) + 1.0) : 3;
    double s = Math.max(Math.abs(sigma), 1e-12);
    double[] kernel = new double[width];
    double norm = 0;
    for (int i = 0; i < width; i++) {
      kernel[i] = Math.exp(-((double) i * i) / (2.0 * s * s));
      norm += kernel[i];
    }
    double rad = Math.toRadians(angle);
    double px = width * Math.sin(rad);
    double py = width * Math.cos(rad);
    double hyp = Math.hypot(px, py);
    int[] ox = new int[width];
    int[] oy = new int[width];
    for (int i = 0; i < width; i++) {
      kernel[i] /= norm;
      ox[i] = (int) Math.ceil(i * py / hyp - 0.5);
      oy[i] = (int) Math.ceil(i * px / hyp - 0.5);
    }
    double[] out = new double[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sum = 0;
        for (int i = 0; i < width; i++) {
          int xx = Border.NEAREST.index(x + ox[i], w);
          int yy = Border.NEAREST.index(y + oy[i], h);
          sum += kernel[i] * p[yy * w + xx];
        }
        out[y * w + x] = sum;
      }
    }
    return out;
  }
}
