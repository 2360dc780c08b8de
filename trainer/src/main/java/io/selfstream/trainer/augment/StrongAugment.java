package io.selfstream.trainer.augment;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The student's strong view, FixMatch/MUST style: the weak crop and flip, then RandAugment ({@code
 * numOps} operations drawn uniformly from {@link Op}, each with a magnitude drawn uniformly in
 * {@code [0, magnitude]} and a random sign where the op has one), then a square cutout.
 * Deterministic under a seed; suits gray and colour images ({@link Op#COLOR} is only drawn for
 * images with 3+ channels).
 *
 * @param weak the crop/flip applied first
 * @param numOps RandAugment N (operations per image)
 * @param magnitude RandAugment M as a fraction of each op's maximum strength, in [0, 1]
 * @param cutoutMin smallest cutout side as a fraction of the shorter image side
 * @param cutoutMax largest cutout side as a fraction of the shorter image side (0 = no cutout)
 * @param fill fill value for pixels uncovered by geometric ops
 * @param cutoutFill value painted into the cutout square
 */
public record StrongAugment(
    WeakAugment weak,
    int numOps,
    double magnitude,
    double cutoutMin,
    double cutoutMax,
    int fill,
    int cutoutFill) {

  /** Weak crop+flip, 2 ops at up to full magnitude, cutout of 10-35% side, gray cutout fill. */
  public static final StrongAugment DEFAULT =
      new StrongAugment(WeakAugment.DEFAULT, 2, 1.0, 0.10, 0.35, 0, 127);

  /** The RandAugment operations and their strength at magnitude 1. */
  public enum Op {
    IDENTITY,
    /** Stretch each channel to the full range. */
    AUTOCONTRAST,
    /** Histogram equalisation. */
    EQUALIZE,
    /** Rotation up to +-30 degrees. */
    ROTATE,
    /** Inverts values at or above a threshold falling from 256 to 0. */
    SOLARIZE,
    /** Keeps 8 down to 4 bits. */
    POSTERIZE,
    /** Contrast factor 1 +- 0.9. */
    CONTRAST,
    /** Brightness factor 1 +- 0.9. */
    BRIGHTNESS,
    /** Sharpness factor 1 +- 0.9. */
    SHARPNESS,
    /** Saturation factor 1 +- 0.9 (colour images only). */
    COLOR,
    /** Shear up to +-0.3. */
    SHEAR_X,
    SHEAR_Y,
    /** Translation up to +-30% of the side. */
    TRANSLATE_X,
    TRANSLATE_Y
  }

  private static final List<Op> GRAY_OPS =
      List.of(
          Op.IDENTITY,
          Op.AUTOCONTRAST,
          Op.EQUALIZE,
          Op.ROTATE,
          Op.SOLARIZE,
          Op.POSTERIZE,
          Op.CONTRAST,
          Op.BRIGHTNESS,
          Op.SHARPNESS,
          Op.SHEAR_X,
          Op.SHEAR_Y,
          Op.TRANSLATE_X,
          Op.TRANSLATE_Y);

  private static final List<Op> COLOUR_OPS;

  static {
    var ops = new java.util.ArrayList<>(GRAY_OPS);
    ops.add(Op.COLOR);
    COLOUR_OPS = List.copyOf(ops);
  }

  public StrongAugment {
    java.util.Objects.requireNonNull(weak, "StrongAugment.weak");
    if (numOps < 0) {
      throw new IllegalArgumentException("StrongAugment.numOps must be >= 0, got " + numOps);
    }
    if (!(magnitude >= 0 && magnitude <= 1)) {
      throw new IllegalArgumentException(
          "StrongAugment.magnitude must be in [0, 1], got " + magnitude);
    }
    if (!(cutoutMin >= 0 && cutoutMin <= cutoutMax && cutoutMax <= 1)) {
      throw new IllegalArgumentException(
          "StrongAugment.cutoutMin/cutoutMax must satisfy 0 <= min <= max <= 1, got "
              + cutoutMin
              + ", "
              + cutoutMax);
    }
    if (fill < 0 || fill > 255) {
      throw new IllegalArgumentException("StrongAugment.fill must be 0..255, got " + fill);
    }
    if (cutoutFill < 0 || cutoutFill > 255) {
      throw new IllegalArgumentException(
          "StrongAugment.cutoutFill must be 0..255, got " + cutoutFill);
    }
  }

  /** The ops drawn for an image with {@code channels} channels. */
  public static List<Op> opsFor(int channels) {
    return channels >= 3 ? COLOUR_OPS : GRAY_OPS;
  }

  public U8Image apply(U8Image image, long seed) {
    return apply(image, new SplittableRandom(seed));
  }

  public U8Image apply(U8Image image, SplittableRandom random) {
    U8Image out = weak.apply(image, random);
    List<Op> ops = opsFor(image.channels());
    for (int i = 0; i < numOps; i++) {
      Op op = ops.get(random.nextInt(ops.size()));
      double m = magnitude * random.nextDouble();
      double sign = random.nextBoolean() ? 1 : -1;
      out = apply(op, out, m, sign);
    }
    if (cutoutMax > 0) {
      int side = Math.min(out.width(), out.height());
      double f = cutoutMin + (cutoutMax - cutoutMin) * random.nextDouble();
      int size = (int) Math.round(f * side);
      int cx = random.nextInt(out.width());
      int cy = random.nextInt(out.height());
      if (size > 0) {
        out = ImageOps.cutout(out, cx, cy, size, cutoutFill);
      }
    }
    return out;
  }

  /**
   * Applies one op at strength {@code m} in [0, 1] with direction {@code sign} (+-1; ignored by
   * unsigned ops).
   */
  public U8Image apply(Op op, U8Image img, double m, double sign) {
    return switch (op) {
      case IDENTITY -> new U8Image(img.pixels().clone(), img.width(), img.height(), img.channels());
      case AUTOCONTRAST -> ImageOps.autoContrast(img);
      case EQUALIZE -> ImageOps.equalize(img);
      case ROTATE -> ImageOps.rotate(img, sign * 30 * m, fill);
      case SOLARIZE -> ImageOps.solarize(img, (int) Math.round(256 - 256 * m));
      case POSTERIZE -> ImageOps.posterize(img, 8 - (int) Math.round(4 * m));
      case CONTRAST -> ImageOps.contrast(img, 1 + sign * 0.9 * m);
      case BRIGHTNESS -> ImageOps.brightness(img, 1 + sign * 0.9 * m);
      case SHARPNESS -> ImageOps.sharpness(img, 1 + sign * 0.9 * m);
      case COLOR -> ImageOps.color(img, 1 + sign * 0.9 * m);
      case SHEAR_X -> ImageOps.shearX(img, sign * 0.3 * m, fill);
      case SHEAR_Y -> ImageOps.shearY(img, sign * 0.3 * m, fill);
      case TRANSLATE_X -> ImageOps.translate(img, sign * 0.3 * m * img.width(), 0, fill);
      case TRANSLATE_Y -> ImageOps.translate(img, 0, sign * 0.3 * m * img.height(), fill);
    };
  }
}
