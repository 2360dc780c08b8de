package io.selfstream.trainer.augment;

/**
 * Pixel operations on {@link U8Image}s, PIL-like, for 1..4 channel images. Every op returns a new
 * image of the same size and channel count; the input is never modified. Geometric ops sample
 * bilinearly and fill uncovered pixels with {@code fill}.
 */
public final class ImageOps {

  private ImageOps() {}

  private static byte u8(double v) {
    long r = Math.round(v);
    return (byte) (r < 0 ? 0 : r > 255 ? 255 : r);
  }

  /** Mirrors left-right. */
  public static U8Image flipHorizontal(U8Image img) {
    int w = img.width(), h = img.height(), c = img.channels();
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        System.arraycopy(in, (y * w + x) * c, out, (y * w + (w - 1 - x)) * c, c);
      }
    }
    return new U8Image(out, w, h, c);
  }

  /**
   * Shifts the image by {@code (dx, dy)} whole pixels (what a crop of a padded image does); pixels
   * shifted in are {@code fill}, or mirrored from the border when {@code reflect}.
   */
  public static U8Image shift(U8Image img, int dx, int dy, boolean reflect, int fill) {
    int w = img.width(), h = img.height(), c = img.channels();
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int y = 0; y < h; y++) {
      int sy = y - dy;
      for (int x = 0; x < w; x++) {
        int sx = x - dx;
        int o = (y * w + x) * c;
        if (sx >= 0 && sx < w && sy >= 0 && sy < h) {
          System.arraycopy(in, (sy * w + sx) * c, out, o, c);
        } else if (reflect) {
          int rx = reflectIndex(sx, w), ry = reflectIndex(sy, h);
          System.arraycopy(in, (ry * w + rx) * c, out, o, c);
        } else {
          for (int k = 0; k < c; k++) {
            out[o + k] = (byte) fill;
          }
        }
      }
    }
    return new U8Image(out, w, h, c);
  }

  private static int reflectIndex(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  /**
   * Inverse-mapped affine warp: output pixel {@code (x, y)} samples the input at {@code (a*x + b*y
   * + tx, d*x + e*y + ty)} (pixel centres, bilinear).
   */
  public static U8Image affine(
      U8Image img, double a, double b, double tx, double d, double e, double ty, int fill) {
    int w = img.width(), h = img.height(), c = img.channels();
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sx = a * x + b * y + tx;
        double sy = d * x + e * y + ty;
        int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
        double fx = sx - x0, fy = sy - y0;
        int o = (y * w + x) * c;
        for (int k = 0; k < c; k++) {
          double v00 = sample(in, w, h, c, x0, y0, k, fill);
          double v10 = sample(in, w, h, c, x0 + 1, y0, k, fill);
          double v01 = sample(in, w, h, c, x0, y0 + 1, k, fill);
          double v11 = sample(in, w, h, c, x0 + 1, y0 + 1, k, fill);
          double v = (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
          out[o + k] = u8(v);
        }
      }
    }
    return new U8Image(out, w, h, c);
  }

  private static double sample(byte[] in, int w, int h, int c, int x, int y, int k, int fill) {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      return fill;
    }
    return in[(y * w + x) * c + k] & 0xff;
  }

  /** Rotates counter-clockwise by {@code degrees} about the image centre. */
  public static U8Image rotate(U8Image img, double degrees, int fill) {
    double t = Math.toRadians(degrees);
    double cos = Math.cos(t), sin = Math.sin(t);
    double cx = (img.width() - 1) / 2.0, cy = (img.height() - 1) / 2.0;
    // inverse map: src = R(-t) (dst - c) + c, with y pointing down
    double a = cos, b = -sin, d = sin, e = cos;
    return affine(img, a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy, fill);
  }

  /** Horizontal shear about the centre row: {@code src.x = x + s * (y - cy)}. */
  public static U8Image shearX(U8Image img, double s, int fill) {
    double cy = (img.height() - 1) / 2.0;
    return affine(img, 1, s, -s * cy, 0, 1, 0, fill);
  }

  /** Vertical shear about the centre column: {@code src.y = y + s * (x - cx)}. */
  public static U8Image shearY(U8Image img, double s, int fill) {
    double cx = (img.width() - 1) / 2.0;
    return affine(img, 1, 0, 0, s, 1, -s * cx, fill);
  }

  /** Translates by a (possibly fractional) number of pixels. */
  public static U8Image translate(U8Image img, double dx, double dy, int fill) {
    return affine(img, 1, 0, -dx, 0, 1, -dy, fill);
  }

  /** Per-channel linear stretch of [min, max] to [0, 255]; flat channels are left alone. */
  public static U8Image autoContrast(U8Image img) {
    int c = img.channels();
    byte[] in = img.pixels();
    byte[] out = in.clone();
    for (int k = 0; k < c; k++) {
      int lo = 255, hi = 0;
      for (int i = k; i < in.length; i += c) {
        int v = in[i] & 0xff;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi <= lo) {
        continue;
      }
      double scale = 255.0 / (hi - lo);
      for (int i = k; i < in.length; i += c) {
        out[i] = u8(((in[i] & 0xff) - lo) * scale);
      }
    }
    return new U8Image(out, img.width(), img.height(), c);
  }

  /** Per-channel histogram equalisation (the PIL {@code ImageOps.equalize} algorithm). */
  public static U8Image equalize(U8Image img) {
    int c = img.channels();
    byte[] in = img.pixels();
    byte[] out = in.clone();
    for (int k = 0; k < c; k++) {
      int[] hist = new int[256];
      for (int i = k; i < in.length; i += c) {
        hist[in[i] & 0xff]++;
      }
      int last = 255;
      while (last > 0 && hist[last] == 0) {
        last--;
      }
      int total = in.length / c;
      int step = (total - hist[last]) / 255;
      if (step == 0) {
        continue;
      }
      int[] lut = new int[256];
      int n = step / 2;
      for (int v = 0; v < 256; v++) {
        lut[v] = Math.min(255, n / step);
        n += hist[v];
      }
      for (int i = k; i < in.length; i += c) {
        out[i] = (byte) lut[in[i] & 0xff];
      }
    }
    return new U8Image(out, img.width(), img.height(), c);
  }

  /** Inverts every value at or above {@code threshold}. */
  public static U8Image solarize(U8Image img, int threshold) {
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      int v = in[i] & 0xff;
      out[i] = (byte) (v >= threshold ? 255 - v : v);
    }
    return new U8Image(out, img.width(), img.height(), img.channels());
  }

  /** Keeps the top {@code bits} bits of every value (1..8). */
  public static U8Image posterize(U8Image img, int bits) {
    int mask = (0xff << (8 - Math.max(1, Math.min(8, bits)))) & 0xff;
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = (byte) (in[i] & mask);
    }
    return new U8Image(out, img.width(), img.height(), img.channels());
  }

  /** {@code out = degenerate + factor * (img - degenerate)}, clamped. */
  static U8Image blend(U8Image img, byte[] degenerate, double factor) {
    byte[] in = img.pixels();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      int d = degenerate[i] & 0xff;
      out[i] = u8(d + factor * ((in[i] & 0xff) - d));
    }
    return new U8Image(out, img.width(), img.height(), img.channels());
  }

  /** Luma of every pixel (ITU-R 601), the channel itself for gray images. */
  static double[] luma(U8Image img) {
    int c = img.channels();
    byte[] in = img.pixels();
    double[] out = new double[img.width() * img.height()];
    for (int p = 0; p < out.length; p++) {
      int o = p * c;
      out[p] =
          c >= 3
              ? 0.299 * (in[o] & 0xff) + 0.587 * (in[o + 1] & 0xff) + 0.114 * (in[o + 2] & 0xff)
              : in[o] & 0xff;
    }
    return out;
  }

  /** PIL {@code ImageEnhance.Contrast}: blends with the mean gray level. */
  public static U8Image contrast(U8Image img, double factor) {
    double mean = 0;
    for (double v : luma(img)) {
      mean += v;
    }
    mean /= img.width() * img.height();
    byte[] degenerate = new byte[img.pixels().length];
    java.util.Arrays.fill(degenerate, u8(mean));
    return blend(img, degenerate, factor);
  }

  /** PIL {@code ImageEnhance.Brightness}: blends with black. */
  public static U8Image brightness(U8Image img, double factor) {
    return blend(img, new byte[img.pixels().length], factor);
  }

  /** PIL {@code ImageEnhance.Color}: blends with the gray version; gray images are unchanged. */
  public static U8Image color(U8Image img, double factor) {
    int c = img.channels();
    if (c < 3) {
      return new U8Image(img.pixels().clone(), img.width(), img.height(), c);
    }
    double[] l = luma(img);
    byte[] degenerate = img.pixels().clone();
    for (int p = 0; p < l.length; p++) {
      for (int k = 0; k < 3; k++) {
        degenerate[p * c + k] = u8(l[p]);
      }
    }
    return blend(img, degenerate, factor);
  }

  /**
   * PIL {@code ImageEnhance.Sharpness}: blends with a 3x3 smoothed version (kernel 1 1 1 / 1 5 1 /
   * 1 1 1, border pixels kept).
   */
  public static U8Image sharpness(U8Image img, double factor) {
    int w = img.width(), h = img.height(), c = img.channels();
    byte[] in = img.pixels();
    byte[] smooth = in.clone();
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        for (int k = 0; k < c; k++) {
          int s = 0;
          for (int j = -1; j <= 1; j++) {
            for (int i = -1; i <= 1; i++) {
              int v = in[((y + j) * w + x + i) * c + k] & 0xff;
              s += (i == 0 && j == 0) ? 5 * v : v;
            }
          }
          smooth[(y * w + x) * c + k] = u8(s / 13.0);
        }
      }
    }
    return blend(img, smooth, factor);
  }

  /** Fills a {@code size x size} square centred at {@code (cx, cy)} (clipped) with {@code fill}. */
  public static U8Image cutout(U8Image img, int cx, int cy, int size, int fill) {
    int w = img.width(), h = img.height(), c = img.channels();
    byte[] out = img.pixels().clone();
    int x0 = Math.max(0, cx - size / 2), y0 = Math.max(0, cy - size / 2);
    int x1 = Math.min(w, cx - size / 2 + size), y1 = Math.min(h, cy - size / 2 + size);
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        for (int k = 0; k < c; k++) {
          out[(y * w + x) * c + k] = (byte) fill;
        }
      }
    }
    return new U8Image(out, w, h, c);
  }
}
