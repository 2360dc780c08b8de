package io.selfstream.ingest.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes image bytes with ImageIO entirely in memory (no disk cache), collecting the reader's
 * warnings. A new reader per call: ImageIO readers are not thread-safe.
 */
public final class ImageDecoder {

  private ImageDecoder() {}

  /**
   * A decoded image and the warnings the reader raised while decoding it.
   *
   * @param image the decoded image
   * @param warnings reader warnings, e.g. a JPEG's premature end of data
   */
  public record Decoded(BufferedImage image, List<String> warnings) {}

  /**
   * Decodes the first image in {@code bytes}.
   *
   * @param formatName ImageIO format name ("png", "jpeg"), or null to let ImageIO detect it
   * @throws IOException when no reader accepts the data or decoding fails
   */
  public static Decoded decode(byte[] bytes, String formatName) throws IOException {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers =
          formatName == null
              ? ImageIO.getImageReaders(in)
              : ImageIO.getImageReadersByFormatName(formatName);
      if (!readers.hasNext()) {
        throw new IOException(
            formatName == null
                ? "no ImageIO reader recognises the data"
                : "no reader for " + formatName);
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        reader.setInput(in, true, true);
        BufferedImage image = reader.read(0);
        if (image == null) {
          throw new IOException("the reader returned no image");
        }
        return new Decoded(image, List.copyOf(warnings));
      } catch (RuntimeException e) {
        // ImageIO plugins throw unchecked exceptions on hostile input
        throw new IOException(e.toString(), e);
      } finally {
        reader.dispose();
      }
    }
  }
}
