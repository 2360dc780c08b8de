package io.selfstream.ingest.image;

/**
 * Separable resizing of row-major HWC unsigned 8-bit images. Each axis gets its own list of source
 * taps and weights; the image is filtered horizontally, then vertically, then rounded.
 */
public final class Resizer {

  private Resizer() {}

  /**
   * Resizes {@code src} ({@code sw x sh x channels}) to {@code dw x dh x channels}. Same size
   * returns a copy, byte-identical.
   *
   * @throws IllegalArgumentException for {@link ResizeMethod#NONE} when the sizes differ
   */
  public static byte[] resize(
      byte[] src, int sw, int sh, int channels, int dw, int dh, ResizeMethod method) {
    if ((long) sw * sh * channels != src.length) {
      throw new IllegalArgumentException(
          src.length + " bytes is not " + sw + "x" + sh + "x" + channels);
    }
    if (sw == dw && sh == dh) {
      return src.clone();
    }
    if (method == ResizeMethod.NONE) {
      throw new IllegalArgumentException(
          "resize method NONE cannot turn " + sw + "x" + sh + " into " + dw + "x" + dh);
    }
    Taps horizontal = Taps.of(sw, dw, method);
    Taps vertical = Taps.of(sh, dh, method);
    float[] rows = new float[sh * dw * channels];
    for (int y = 0; y < sh; y++) {
      int srcRow = y * sw * channels;
      int dstRow = y * dw * channels;
      for (int x = 0; x < dw; x++) {
        int start = horizontal.start[x];
        float[] weights = horizontal.weights[x];
        for (int c = 0; c < channels; c++) {
          float sum = 0;
          for (int k = 0; k < weights.length; k++) {
            sum += weights[k] * (src[srcRow + (start + k) * channels + c] & 0xff);
          }
          rows[dstRow + x * channels + c] = sum;
        }
      }
    }
    byte[] out = new byte[dh * dw * channels];
    int rowLength = dw * channels;
    for (int y = 0; y < dh; y++) {
      int start = vertical.start[y];
      float[] weights = vertical.weights[y];
      for (int i = 0; i < rowLength; i++) {
        float sum = 0;
        for (int k = 0; k < weights.length; k++) {
          sum += weights[k] * rows[(start + k) * rowLength + i];
        }
        int v = Math.round(sum);
        out[y * rowLength + i] = (byte) (v < 0 ? 0 : Math.min(v, 255));
      }
    }
    return out;
  }

  /** For each destination index: first source index and the weights of consecutive sources. */
  private record Taps(int[] start, float[][] weights) {

    static Taps of(int src, int dst, ResizeMethod method) {
      return method == ResizeMethod.AREA && dst < src ? area(src, dst) : bilinear(src, dst);
    }

    static Taps area(int src, int dst) {
      int[] start = new int[dst];
      float[][] weights = new float[dst][];
      double scale = (double) src / dst;
      for (int i = 0; i < dst; i++) {
        double a = i * scale;
        double b = Math.min(src, (i + 1) * scale);
        int first = (int) Math.floor(a);
        int last = Math.min(src - 1, (int) Math.ceil(b) - 1);
        start[i] = first;
        weights[i] = new float[last - first + 1];
        for (int j = first; j <= last; j++) {
          double overlap = Math.min(b, j + 1) - Math.max(a, j);
          weights[i][j - first] = (float) (Math.max(0, overlap) / scale);
        }
      }
      return new Taps(start, weights);
    }

    static Taps bilinear(int src, int dst) {
      int[] start = new int[dst];
      float[][] weights = new float[dst][];
      double scale = (double) src / dst;
      for (int i = 0; i < dst; i++) {
        double x = Math.max(0, Math.min(src - 1, (i + 0.5) * scale - 0.5));
        int j0 = (int) Math.floor(x);
        double f = x - j0;
        start[i] = j0;
        weights[i] =
            j0 + 1 < src && f > 0 ? new float[] {(float) (1 - f), (float) f} : new float[] {1f};
      }
      return new Taps(start, weights);
    }
  }
}
