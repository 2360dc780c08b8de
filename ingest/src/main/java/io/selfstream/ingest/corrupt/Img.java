package io.selfstream.ingest.corrupt;

/**
 * A planar float image: {@code planes[channel][y * width + x]}, values in whatever range the caller
 * works in (the corruptions mostly use [0, 1] like the Python originals).
 */
final class Img {

  final int width;
  final int height;
  final int channels;
  final double[][] planes;

  Img(int width, int height, int channels) {
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.planes = new double[channels][width * height];
  }

  /** Row-major HWC unsigned bytes scaled by {@code scale} (1/255 gives [0, 1]). */
  static Img fromBytes(byte[] hwc, int width, int height, int channels, double scale) {
    Img img = new Img(width, height, channels);
    int n = width * height;
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < channels; ch++) {
        img.planes[ch][i] = (hwc[i * channels + ch] & 0xff) * scale;
      }
    }
    return img;
  }

  int size() {
    return width * height;
  }

  Img copy() {
    Img out = new Img(width, height, channels);
    for (int ch = 0; ch < channels; ch++) {
      System.arraycopy(planes[ch], 0, out.planes[ch], 0, planes[ch].length);
    }
    return out;
  }

  /** Maximum over all pixels and channels. */
  double max() {
    double max = Double.NEGATIVE_INFINITY;
    for (double[] plane : planes) {
      for (double v : plane) {
        max = Math.max(max, v);
      }
    }
    return max;
  }

  /**
   * Values in [0, 1] to HWC bytes the way the originals do it, {@code np.uint8(np.clip(x, 0, 1) *
   * 255)}: clipped, then truncated (with a tiny tolerance so that 254.9999999 from float rounding
   * does not lose a level).
   */
  byte[] toBytesTruncated() {
    return toBytes(255.0);
  }

  /** Values in [0, 255] to HWC bytes, clipped and truncated like {@code np.uint8}. */
  byte[] toBytesFrom255Truncated() {
    return toBytes(1.0);
  }

  private byte[] toBytes(double scale) {
    int n = size();
    byte[] out = new byte[n * channels];
    for (int ch = 0; ch < channels; ch++) {
      double[] plane = planes[ch];
      for (int i = 0; i < n; i++) {
        double v = plane[i] * scale;
        v = Math.floor(v + 1e-7);
        out[i * channels + ch] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) v);
      }
    }
    return out;
  }
}
