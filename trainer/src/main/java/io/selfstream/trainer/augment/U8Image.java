package io.selfstream.trainer.augment;

import java.util.Arrays;
import java.util.Objects;

/**
 * An unsigned 8-bit image in HWC layout: pixel {@code (x, y)} channel {@code c} is {@code pixels[(y
 * * width + x) * channels + c] & 0xff}.
 *
 * @param pixels {@code width * height * channels} bytes (not copied)
 * @param width columns
 * @param height rows
 * @param channels 1 (gray), 3 (RGB) or 4
 */
public record U8Image(byte[] pixels, int width, int height, int channels) {

  public U8Image {
    Objects.requireNonNull(pixels, "pixels");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "U8Image size must be positive, got " + width + "x" + height);
    }
    if (channels < 1 || channels > 4) {
      throw new IllegalArgumentException("U8Image.channels must be 1..4, got " + channels);
    }
    if (pixels.length != width * height * channels) {
      throw new IllegalArgumentException(
          "U8Image.pixels has "
              + pixels.length
              + " bytes, "
              + width
              + "x"
              + height
              + "x"
              + channels
              + " = "
              + width * height * channels
              + " expected");
    }
  }

  /** A black image. */
  public static U8Image blank(int width, int height, int channels) {
    return new U8Image(new byte[width * height * channels], width, height, channels);
  }

  /** Unsigned value of pixel {@code (x, y)} channel {@code c}. */
  public int get(int x, int y, int c) {
    return pixels[(y * width + x) * channels + c] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof U8Image m
        && m.width == width
        && m.height == height
        && m.channels == channels
        && Arrays.equals(m.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(width, height, channels) * 31 + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "U8Image[" + width + "x" + height + "x" + channels + "]";
  }
}
