package io.selfstream.ingest.image;

import io.selfstream.schemas.avro.FrameEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Recognising, building and encoding images: magic bytes, file extensions, PNG/JPEG encoders. */
public final class ImageFormats {

  private ImageFormats() {}

  /** The 8-byte PNG signature. */
  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** Whether {@code bytes} start with the PNG signature. */
  public static boolean isPng(byte[] bytes) {
    if (bytes.length < PNG_SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < PNG_SIGNATURE.length; i++) {
      if (bytes[i] != PNG_SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code bytes} start with a JPEG SOI marker followed by another marker. */
  public static boolean isJpeg(byte[] bytes) {
    return bytes.length >= 3
        && (bytes[0] & 0xff) == 0xff
        && (bytes[1] & 0xff) == 0xd8
        && (bytes[2] & 0xff) == 0xff;
  }

  /** The encoding the magic bytes say, or {@link FrameEncoding#UNKNOWN}. */
  public static FrameEncoding sniff(byte[] bytes) {
    if (isPng(bytes)) {
      return FrameEncoding.PNG;
    }
    if (isJpeg(bytes)) {
      return FrameEncoding.JPEG;
    }
    return FrameEncoding.UNKNOWN;
  }

  /** Lower-case extension of a file name without the dot, or "" when there is none. */
  public static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot < 0 || dot == fileName.length() - 1
        ? ""
        : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The encoding a file name's extension claims: png, jpg/jpeg/jpe/jfif; otherwise UNKNOWN. */
  public static FrameEncoding fromExtension(String fileName) {
    return switch (extension(fileName)) {
      case "png" -> FrameEncoding.PNG;
      case "jpg", "jpeg", "jpe", "jfif" -> FrameEncoding.JPEG;
      default -> FrameEncoding.UNKNOWN;
    };
  }

  /** A gray image from row-major unsigned pixels. */
  public static BufferedImage grayImage(byte[] pixels, int width, int height) {
    check(pixels, width, height, 1);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, width, height, pixels);
    return image;
  }

  /** An RGB image from row-major HWC unsigned pixels (3 channels). */
  public static BufferedImage rgbImage(byte[] hwc, int width, int height) {
    check(hwc, width, height, 3);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[width * height];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (hwc[3 * i] & 0xff) << 16 | (hwc[3 * i + 1] & 0xff) << 8 | (hwc[3 * i + 2] & 0xff);
    }
    image.setRGB(0, 0, width, height, rgb, 0, width);
    return image;
  }

  /** A gray (1 channel) or RGB (3 channels) image from row-major HWC pixels. */
  public static BufferedImage image(byte[] hwc, int width, int height, int channels) {
    return switch (channels) {
      case 1 -> grayImage(hwc, width, height);
      case 3 -> rgbImage(hwc, width, height);
      default -> throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    };
  }

  private static void check(byte[] pixels, int width, int height, int channels) {
    if (width <= 0 || height <= 0 || (long) width * height * channels != pixels.length) {
      throw new IllegalArgumentException(
          pixels.length
              + " bytes do not make a "
              + width
              + "x"
              + height
              + "x"
              + channels
              + " image");
    }
  }

  /** Encodes as PNG. */
  public static byte[] encodePng(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer for image type " + image.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Encodes as baseline JPEG at {@code quality} in [0, 1]. */
  public static byte[] encodeJpeg(BufferedImage image, float quality) {
    return encodeJpeg(image, quality, false);
  }

  /** Encodes as JPEG at {@code quality} in [0, 1], baseline or progressive. */
  public static byte[] encodeJpeg(BufferedImage image, float quality, boolean progressive) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    if (!writers.hasNext()) {
      throw new IllegalStateException("no JPEG writer");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
