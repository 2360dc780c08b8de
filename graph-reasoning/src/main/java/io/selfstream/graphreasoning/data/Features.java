package io.selfstream.graphreasoning.data;

import java.util.Arrays;

/**
 * Per-frame features of one video, {@code dim x length} as in the MS-TCN layout, row-major: feature
 * {@code c} of frame {@code t} is {@code data[c * length + t]}.
 */
public record Features(int dim, int length, float[] data) {

  public Features {
    if (dim <= 0 || length < 0 || data.length != (long) dim * length) {
      throw new IllegalArgumentException(
          "features " + dim + " x " + length + " need " + (long) dim * length + " values");
    }
  }

  public float get(int c, int t) {
    return data[c * length + t];
  }

  /** Builds {@code dim x T} features from {@code T} per-frame vectors of length {@code dim}. */
  public static Features fromFrames(float[][] frames) {
    if (frames.length == 0) {
      throw new IllegalArgumentException("no frames");
    }
    int dim = frames[0].length;
    int length = frames.length;
    float[] data = new float[dim * length];
    for (int t = 0; t < length; t++) {
      if (frames[t].length != dim) {
        throw new IllegalArgumentException("frame " + t + " has " + frames[t].length + " values");
      }
      for (int c = 0; c < dim; c++) {
        data[c * length + t] = frames[t][c];
      }
    }
    return new Features(dim, length, data);
  }

  /** Every {@code rate}-th frame, starting at 0 (the {@code features[:, ::rate]} of MS-TCN). */
  public Features subsample(int rate) {
    if (rate <= 1) {
      return this;
    }
    int n = (length + rate - 1) / rate;
    float[] out = new float[dim * n];
    for (int c = 0; c < dim; c++) {
      for (int i = 0; i < n; i++) {
        out[c * n + i] = data[c * length + i * rate];
      }
    }
    return new Features(dim, n, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Features f
        && f.dim == dim
        && f.length == length
        && Arrays.equals(f.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dim + length) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Features[" + dim + " x " + length + "]";
  }
}
