package io.selfstream.ingest;

import io.selfstream.ingest.image.ImageFormats;
import io.selfstream.schemas.avro.DeadLetterReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes deliberately broken image files, the same bytes every time, for tests and the demo: each
 * must end in {@code frames.dlq} with the reason given, none in {@code frames}.
 */
public final class BrokenFiles {

  private BrokenFiles() {}

  /**
   * One broken file.
   *
   * @param path where it was written
   * @param expectedReason the dead-letter reason the normalizer gives it
   * @param description what is wrong with it
   */
  public record BrokenFile(Path path, DeadLetterReason expectedReason, String description) {}

  /** Width and height of the huge-dimension PNG header. */
  public static final int HUGE = 100_000;

  /**
   * Writes the broken files into {@code dir} (created if missing), replacing files of the same
   * name: {@code truncated.png}, {@code truncated.jpg}, {@code random-bytes.png}, {@code
   * random-bytes.jpg}, {@code empty.png}, {@code huge-dimensions.png}, {@code zero-width.png}.
   *
   * @return the files in name order, with the reason each must get
   */
  public static List<BrokenFile> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    BufferedImage pattern = pattern(64, 64);
    byte[] png = ImageFormats.encodePng(toGray(pattern));
    byte[] jpeg = ImageFormats.encodeJpeg(pattern, 0.9f);
    Random random = new Random(20240531L);
    byte[] noise = new byte[4096];
    random.nextBytes(noise);
    noise[0] = 0x42; // never a PNG or JPEG signature by chance
    List<BrokenFile> files =
        List.of(
            write(
                dir,
                "empty.png",
                new byte[0],
                DeadLetterReason.UNDECODABLE,
                "zero-byte file named .png"),
            write(
                dir,
                "huge-dimensions.png",
                pngWithHeader(HUGE, HUGE),
                DeadLetterReason.BAD_DIMENSIONS,
                "well-formed PNG declaring " + HUGE + "x" + HUGE + " pixels"),
            write(
                dir,
                "random-bytes.jpg",
                noise,
                DeadLetterReason.UNDECODABLE,
                "4096 random bytes named .jpg"),
            write(
                dir,
                "random-bytes.png",
                noise,
                DeadLetterReason.UNDECODABLE,
                "4096 random bytes named .png"),
            write(
                dir,
                "truncated.jpg",
                Arrays.copyOf(jpeg, jpeg.length / 2),
                DeadLetterReason.TRUNCATED_IMAGE,
                "64x64 RGB JPEG cut in half (inside the scan data)"),
            write(
                dir,
                "truncated.png",
                Arrays.copyOf(png, png.length / 2),
                DeadLetterReason.TRUNCATED_IMAGE,
                "64x64 gray PNG cut in half"),
            write(
                dir,
                "zero-width.png",
                pngWithHeader(0, 28),
                DeadLetterReason.BAD_DIMENSIONS,
                "well-formed PNG declaring 0x28 pixels"));
    return files;
  }

  private static BrokenFile write(
      Path dir, String name, byte[] bytes, DeadLetterReason reason, String description)
      throws IOException {
    Path path = dir.resolve(name);
    Files.write(path, bytes);
    return new BrokenFile(path, reason, description);
  }

  /** An RGB test pattern (gradients and a diagonal), deterministic. */
  static BufferedImage pattern(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = x * 255 / Math.max(1, width - 1);
        int g = y * 255 / Math.max(1, height - 1);
        int b = Math.abs(x - y) < 3 ? 255 : 40;
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return image;
  }

  private static BufferedImage toGray(BufferedImage rgb) {
    BufferedImage gray =
        new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    gray.getGraphics().drawImage(rgb, 0, 0, null);
    return gray;
  }

  /**
   * A structurally valid 8-bit gray PNG (correct CRCs, IHDR, one IDAT, IEND) whose header declares
   * {@code width x height}; the IDAT holds one compressed row of the declared width (capped), so a
   * reader that trusted the header would try to allocate the whole image.
   */
  static byte[] pngWithHeader(int width, int height) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(ihdr);
      d.writeInt(width);
      d.writeInt(height);
      d.writeByte(8); // bit depth
      d.writeByte(0); // gray
      d.writeByte(0); // deflate
      d.writeByte(0); // adaptive filtering
      d.writeByte(0); // no interlace
      chunk(out, "IHDR", ihdr.toByteArray());
      byte[] row = new byte[1 + Math.min(width, 4096)]; // filter byte + pixels
      Deflater deflater = new Deflater();
      deflater.setInput(row);
      deflater.finish();
      byte[] buffer = new byte[row.length + 64];
      int n = deflater.deflate(buffer);
      deflater.end();
      chunk(out, "IDAT", Arrays.copyOf(buffer, n));
      chunk(out, "IEND", new byte[0]);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    d.writeInt(data.length);
    d.write(typeBytes);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
