package io.selfstream.ingest.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Row-major HWC unsigned 8-bit pixel arrays: extraction from decoded images and channel conversion.
 * Alpha is dropped (colour values are taken as they are, not composited).
 */
public final class Pixels {

  private Pixels() {}

  /**
   * Pixels of an image with their natural channel count.
   *
   * @param pixels row-major HWC bytes
   * @param width width
   * @param height height
   * @param channels 1 (gray) or 3 (RGB)
   */
  public record Image(byte[] pixels, int width, int height, int channels) {}

  /**
   * Extracts the pixels of a decoded image: gray images (including 16-bit and gray palettes) give 1
   * channel read straight from the raster (no colour-space conversion, so values round-trip);
   * everything else gives 3 channels of sRGB.
   */
  public static Image of(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    if (cm instanceof IndexColorModel icm) {
      int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
      return isGrayPalette(icm) ? gray(argb, w, h) : rgb(argb, w, h);
    }
    if (cm.getNumColorComponents() == 1) {
      Raster raster = image.getRaster();
      int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      int bits = cm.getComponentSize(0);
      byte[] out = new byte[w * h];
      if (bits == 8) {
        for (int i = 0; i < out.length; i++) {
          out[i] = (byte) samples[i];
        }
      } else {
        long max = (1L << bits) - 1;
        for (int i = 0; i < out.length; i++) {
          out[i] = (byte) ((samples[i] * 255L + max / 2) / max);
        }
      }
      return new Image(out, w, h, 1);
    }
    return rgb(image.getRGB(0, 0, w, h, null, 0, w), w, h);
  }

  private static boolean isGrayPalette(IndexColorModel icm) {
    for (int i = 0; i < icm.getMapSize(); i++) {
      int r = icm.getRed(i);
      if (r != icm.getGreen(i) || r != icm.getBlue(i)) {
        return false;
      }
    }
    return true;
  }

  private static Image gray(int[] argb, int w, int h) {
    byte[] out = new byte[w * h];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (argb[i] >> 16);
    }
    return new Image(out, w, h, 1);
  }

  private static Image rgb(int[] argb, int w, int h) {
    byte[] out = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      out[3 * i] = (byte) (argb[i] >> 16);
      out[3 * i + 1] = (byte) (argb[i] >> 8);
      out[3 * i + 2] = (byte) argb[i];
    }
    return new Image(out, w, h, 3);
  }

  /**
   * Converts between channel counts: 1 to 3 replicates gray; 3 to 1 is Rec. 601 luminance (0.299 R
   * + 0.587 G + 0.114 B, rounded); 4 drops the fourth channel (alpha) first.
   */
  public static byte[] convert(byte[] hwc, int pixelCount, int from, int to) {
    if (from == to) {
      return hwc;
    }
    if (from == 4) {
      byte[] rgb = new byte[pixelCount * 3];
      for (int i = 0; i < pixelCount; i++) {
        System.arraycopy(hwc, 4 * i, rgb, 3 * i, 3);
      }
      return convert(rgb, pixelCount, 3, to);
    }
    if (from == 1 && to == 3) {
      byte[] out = new byte[pixelCount * 3];
      for (int i = 0; i < pixelCount; i++) {
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = hwc[i];
      }
      return out;
    }
    if (from == 3 && to == 1) {
      byte[] out = new byte[pixelCount];
      for (int i = 0; i < pixelCount; i++) {
        int r = hwc[3 * i] & 0xff;
        int g = hwc[3 * i + 1] & 0xff;
        int b = hwc[3 * i + 2] & 0xff;
        out[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
      }
      return out;
    }
    throw new IllegalArgumentException("cannot convert " + from + " to " + to + " channels");
  }
}
