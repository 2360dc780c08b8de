package io.selfstream.graphreasoning.synth;

/**
 * Fixed, training-free image features: average pooling of a square grayscale image into a {@code
 * grid x grid} vector in [0, 1]. Used where the project's encoder is not available.
 */
public final class ImageFeatures {

  private ImageFeatures() {}

  /**
   * @param pixels row-major {@code side x side} unsigned bytes
   * @param grid output cells per side; must divide {@code side}
   */
  public static float[] pooled(byte[] pixels, int side, int grid) {
    float[] out = new float[grid * grid];
    pool(pixels, side, grid, out, 0);
    return out;
  }

  /** Average-pools into {@code out[offset .. offset + grid*grid)}. */
  static void pool(byte[] pixels, int side, int grid, float[] out, int offset) {
    if (side % grid != 0 || pixels.length != side * side) {
      throw new IllegalArgumentException(
          "cannot pool " + pixels.length + " pixels of a " + side + " square into " + grid);
    }
    int cell = side / grid;
    float norm = 1f / (255f * cell * cell);
    for (int gy = 0; gy < grid; gy++) {
      for (int gx = 0; gx < grid; gx++) {
        int sum = 0;
        for (int y = gy * cell; y < (gy + 1) * cell; y++) {
          for (int x = gx * cell; x < (gx + 1) * cell; x++) {
            sum += pixels[y * side + x] & 0xff;
          }
        }
        out[offset + gy * grid + gx] = sum * norm;
      }
    }
  }
}
