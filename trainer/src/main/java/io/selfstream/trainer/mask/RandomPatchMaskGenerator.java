package io.selfstream.trainer.mask;

import java.util.SplittableRandom;

/**
 * MAE-style random masking: each mask hides a uniformly chosen subset of model patches. As in the
 * MAE reference code, {@code floor(L x (1 - ratio))} patches are kept, so exactly {@code L -
 * floor(L x (1 - ratio))} are masked.
 */
public final class RandomPatchMaskGenerator implements MaskGenerator {

  private final int gridWidth;
  private final int gridHeight;
  private final int masked;

  public RandomPatchMaskGenerator(int gridWidth, int gridHeight, double ratio) {
    if (gridWidth <= 0 || gridHeight <= 0) {
      throw new IllegalArgumentException(
          "grid must be positive, got " + gridWidth + "x" + gridHeight);
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("ratio must be in [0, 1], got " + ratio);
    }
    this.gridWidth = gridWidth;
    this.gridHeight = gridHeight;
    int n = gridWidth * gridHeight;
    int keep = (int) Math.floor(n * (1 - ratio) + 1e-9);
    this.masked = n - keep;
  }

  @Override
  public int gridWidth() {
    return gridWidth;
  }

  @Override
  public int gridHeight() {
    return gridHeight;
  }

  @Override
  public int maskedCount() {
    return masked;
  }

  @Override
  public Mask generate(SplittableRandom random) {
    return new Mask(
        gridWidth, gridHeight, MaskGenerator.chooseFlags(gridWidth * gridHeight, masked, random));
  }
}
