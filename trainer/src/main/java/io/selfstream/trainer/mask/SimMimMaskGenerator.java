package io.selfstream.trainer.mask;

import java.util.SplittableRandom;

/**
 * SimMIM random masking: the image is cut into mask blocks of {@code maskPatchSize} pixels (larger
 * than, and a multiple of, the model's {@code patchSize}); exactly {@code ceil(blocks x ratio)}
 * blocks are chosen uniformly without replacement and expanded onto the model patch grid.
 */
public final class SimMimMaskGenerator implements MaskGenerator {

  private final int modelGrid;
  private final int maskGrid;
  private final int scale;
  private final int maskedBlocks;
  private final double ratio;

  /**
   * @param imageSize square image side in pixels
   * @param patchSize model patch side in pixels (divides {@code imageSize})
   * @param maskPatchSize mask block side in pixels: a multiple of {@code patchSize} that divides
   *     {@code imageSize}
   * @param ratio fraction of mask blocks to hide, in [0, 1]
   */
  public SimMimMaskGenerator(int imageSize, int patchSize, int maskPatchSize, double ratio) {
    if (imageSize <= 0) {
      throw new IllegalArgumentException("imageSize must be > 0, got " + imageSize);
    }
    if (patchSize <= 0 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "patchSize " + patchSize + " must be > 0 and divide imageSize " + imageSize);
    }
    if (maskPatchSize < patchSize
        || maskPatchSize % patchSize != 0
        || imageSize % maskPatchSize != 0) {
      throw new IllegalArgumentException(
          "maskPatchSize "
              + maskPatchSize
              + " must be a multiple of patchSize "
              + patchSize
              + " that divides imageSize "
              + imageSize);
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("ratio must be in [0, 1], got " + ratio);
    }
    this.modelGrid = imageSize / patchSize;
    this.maskGrid = imageSize / maskPatchSize;
    this.scale = maskPatchSize / patchSize;
    this.ratio = ratio;
    // the epsilon keeps 100 x 0.07 = 7.000000000000001 from rounding up to 8
    this.maskedBlocks = (int) Math.ceil(maskGrid * maskGrid * ratio - 1e-9);
  }

  @Override
  public int gridWidth() {
    return modelGrid;
  }

  @Override
  public int gridHeight() {
    return modelGrid;
  }

  /** Mask blocks per side. */
  public int maskGridSize() {
    return maskGrid;
  }

  /** Number of mask blocks hidden per mask: {@code ceil(maskGrid^2 x ratio)}. */
  public int maskedBlocks() {
    return maskedBlocks;
  }

  public double ratio() {
    return ratio;
  }

  @Override
  public int maskedCount() {
    return maskedBlocks * scale * scale;
  }

  @Override
  public Mask generate(SplittableRandom random) {
    boolean[] blocks = MaskGenerator.chooseFlags(maskGrid * maskGrid, maskedBlocks, random);
    boolean[] out = new boolean[modelGrid * modelGrid];
    for (int y = 0; y < modelGrid; y++) {
      for (int x = 0; x < modelGrid; x++) {
        out[y * modelGrid + x] = blocks[(y / scale) * maskGrid + x / scale];
      }
    }
    return new Mask(modelGrid, modelGrid, out);
  }
}
