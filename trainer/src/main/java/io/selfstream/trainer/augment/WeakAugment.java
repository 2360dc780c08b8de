package io.selfstream.trainer.augment;

import java.util.SplittableRandom;

/**
 * The teacher's weak view: a light random crop (shift by up to {@code pad} pixels, as a crop of an
 * image padded by {@code pad}) and a random horizontal flip. Deterministic under a seed.
 *
 * @param pad maximum shift in pixels on each axis (0 = no crop)
 * @param flipProbability probability of a horizontal flip
 * @param reflect fill the uncovered border by mirroring (true) or with {@code fill} (false)
 * @param fill fill value when not reflecting (0 = black, right for Fashion-MNIST)
 */
public record WeakAugment(int pad, double flipProbability, boolean reflect, int fill) {

  /** 2-pixel crop padding (for 28x28 inputs), flip with probability 0.5, black fill. */
  public static final WeakAugment DEFAULT = new WeakAugment(2, 0.5, false, 0);

  public WeakAugment {
    if (pad < 0) {
      throw new IllegalArgumentException("WeakAugment.pad must be >= 0, got " + pad);
    }
    if (!(flipProbability >= 0 && flipProbability <= 1)) {
      throw new IllegalArgumentException(
          "WeakAugment.flipProbability must be in [0, 1], got " + flipProbability);
    }
    if (fill < 0 || fill > 255) {
      throw new IllegalArgumentException("WeakAugment.fill must be 0..255, got " + fill);
    }
  }

  public U8Image apply(U8Image image, long seed) {
    return apply(image, new SplittableRandom(seed));
  }

  /** Applies the view drawing from {@code random} (advances it by a fixed number of draws). */
  public U8Image apply(U8Image image, SplittableRandom random) {
    int dx = random.nextInt(2 * pad + 1) - pad;
    int dy = random.nextInt(2 * pad + 1) - pad;
    boolean flip = random.nextDouble() < flipProbability;
    U8Image out = (dx != 0 || dy != 0) ? ImageOps.shift(image, dx, dy, reflect, fill) : image;
    if (flip) {
      out = ImageOps.flipHorizontal(out);
    }
    return out == image
        ? new U8Image(image.pixels().clone(), image.width(), image.height(), image.channels())
        : out;
  }
}
