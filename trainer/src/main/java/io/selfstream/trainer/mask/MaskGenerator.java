package io.selfstream.trainer.mask;

import java.util.SplittableRandom;

/** Draws patch masks over a model patch grid; the same seed always gives the same mask. */
public interface MaskGenerator {

  /** Patches per row of the model grid. */
  int gridWidth();

  /** Patches per column of the model grid. */
  int gridHeight();

  /** How many model patches every mask hides. */
  int maskedCount();

  /** Draws a mask from {@code random} (advances it). */
  Mask generate(SplittableRandom random);

  /** Draws the mask for {@code seed}; deterministic. */
  default Mask generate(long seed) {
    return generate(new SplittableRandom(seed));
  }

  /**
   * Picks {@code k} distinct indices out of {@code n} uniformly (partial Fisher-Yates), as flags.
   */
  static boolean[] chooseFlags(int n, int k, SplittableRandom random) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    boolean[] flags = new boolean[n];
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      flags[idx[i]] = true;
    }
    return flags;
  }
}
