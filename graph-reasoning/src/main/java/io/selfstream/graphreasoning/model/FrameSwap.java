package io.selfstream.graphreasoning.model;

import io.selfstream.graphreasoning.data.Features;
import java.util.Random;

/**
 * The frame exchange of DTGRM's auxiliary task: a random permutation of the frames is cut into two
 * rows; the first {@code floor(L/2 * rate)} columns give the pairs of frames that swap places
 * (about {@code rate} of all frames move). Label 1 marks an exchanged frame, 0 one in place. The
 * action labels stay those of the original positions, so "correcting" means predicting, for every
 * position, the action that belongs there.
 *
 * @param index {@code swapped[t] = original[index[t]]}
 * @param labels 1 where a frame was exchanged, else 0
 */
public record FrameSwap(int[] index, int[] labels) {

  /** Draws an exchange for a sequence of {@code length} frames. */
  public static FrameSwap sample(int length, double rate, Random rng) {
    int[] perm = new int[length];
    for (int i = 0; i < length; i++) {
      perm[i] = i;
    }
    for (int i = length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return fromPermutation(perm, rate);
  }

  /** The exchange a given random permutation of {@code 0..L-1} defines (see the class comment). */
  public static FrameSwap fromPermutation(int[] perm, double rate) {
    int length = perm.length;
    int half = length / 2;
    int pairs = (int) (half * rate);
    int[] index = new int[length];
    for (int i = 0; i < length; i++) {
      index[i] = i;
    }
    int[] labels = new int[length];
    for (int p = 0; p < pairs; p++) {
      int a = perm[p];
      int b = perm[half + p];
      index[a] = b;
      index[b] = a;
      labels[a] = 1;
      labels[b] = 1;
    }
    return new FrameSwap(index, labels);
  }

  /** Applies the exchange to features. */
  public Features apply(Features f) {
    if (f.length() != index.length) {
      throw new IllegalArgumentException(
          "swap for " + index.length + " frames applied to " + f.length());
    }
    int length = f.length();
    float[] out = new float[f.data().length];
    for (int c = 0; c < f.dim(); c++) {
      int row = c * length;
      for (int t = 0; t < length; t++) {
        out[row + t] = f.data()[row + index[t]];
      }
    }
    return new Features(f.dim(), length, out);
  }

  /** Number of exchanged frames. */
  public int exchanged() {
    int n = 0;
    for (int l : labels) {
      n += l;
    }
    return n;
  }
}
