package io.selfstream.trainer.mask;

import java.util.Arrays;
import java.util.Objects;

/**
 * A patch mask over the model's patch grid: {@code masked[y * gridWidth + x]} is {@code true} when
 * patch {@code (x, y)} is hidden from the student.
 *
 * @param gridWidth patches per row
 * @param gridHeight patches per column
 * @param masked row-major flags, {@code gridWidth * gridHeight} long (not copied)
 */
public record Mask(int gridWidth, int gridHeight, boolean[] masked) {

  public Mask {
    Objects.requireNonNull(masked, "masked");
    if (gridWidth <= 0 || gridHeight <= 0) {
      throw new IllegalArgumentException(
          "Mask grid must be positive, got " + gridWidth + "x" + gridHeight);
    }
    if (masked.length != gridWidth * gridHeight) {
      throw new IllegalArgumentException(
          "Mask.masked has "
              + masked.length
              + " flags for a "
              + gridWidth
              + "x"
              + gridHeight
              + " grid");
    }
  }

  /** A mask that hides nothing. */
  public static Mask none(int gridWidth, int gridHeight) {
    return new Mask(gridWidth, gridHeight, new boolean[gridWidth * gridHeight]);
  }

  /** Unpacks a mask from the Avro {@code TrainingView.maskBits} layout. */
  public static Mask fromBits(int gridWidth, int gridHeight, byte[] bits) {
    return new Mask(gridWidth, gridHeight, MaskBits.unpack(bits, gridWidth * gridHeight));
  }

  /** Number of patches. */
  public int size() {
    return masked.length;
  }

  public boolean isMasked(int x, int y) {
    return masked[y * gridWidth + x];
  }

  /** Number of masked patches. */
  public int maskedCount() {
    int n = 0;
    for (boolean b : masked) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  /** Packs the mask for {@code TrainingView.maskBits} (row-major, LSB first). */
  public byte[] toBits() {
    return MaskBits.pack(masked);
  }

  /** The flags as floats, 1 = masked (the layout the encoder's mask input takes). */
  public float[] toFloats() {
    float[] out = new float[masked.length];
    for (int i = 0; i < masked.length; i++) {
      out[i] = masked[i] ? 1f : 0f;
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m
        && m.gridWidth == gridWidth
        && m.gridHeight == gridHeight
        && Arrays.equals(m.masked, masked);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * gridWidth + gridHeight) + Arrays.hashCode(masked);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Mask[" + gridWidth + "x" + gridHeight + "\n");
    for (int y = 0; y < gridHeight; y++) {
      for (int x = 0; x < gridWidth; x++) {
        sb.append(isMasked(x, y) ? '#' : '.');
      }
      sb.append('\n');
    }
    return sb.append(']').toString();
  }
}
