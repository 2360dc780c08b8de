package io.selfstream.ingest.image;

import io.selfstream.schemas.avro.FrameEncoding;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Walks the chunks of a PNG without decoding it: the signature, an IHDR first, at least one IDAT,
 * every chunk complete with a correct CRC, and an IEND. A PNG cut anywhere fails here even where a
 * decoder would return a partial image.
 */
public final class PngStructure {

  private PngStructure() {}

  /**
   * Checks the whole chunk structure.
   *
   * @return the declared header
   * @throws ImageStructureException TRUNCATED when the data ends before IEND, CORRUPT otherwise
   */
  public static ImageHeader check(byte[] b) throws ImageStructureException {
    if (!ImageFormats.isPng(b)) {
      throw ImageStructureException.corrupt(
          b.length == 0 ? "empty data, not a PNG" : "PNG signature missing");
    }
    int pos = ImageFormats.PNG_SIGNATURE.length;
    ImageHeader header = null;
    boolean idat = false;
    CRC32 crc = new CRC32();
    while (true) {
      if (pos == b.length) {
        throw ImageStructureException.truncated(
            "PNG ends after " + b.length + " bytes without an IEND chunk");
      }
      if (b.length - pos < 12) {
        throw ImageStructureException.truncated(
            "PNG chunk header cut at offset " + pos + " of " + b.length);
      }
      long length = u32(b, pos);
      String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (!type.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        throw ImageStructureException.corrupt("bad PNG chunk type at offset " + pos);
      }
      if (length > Integer.MAX_VALUE) {
        throw ImageStructureException.corrupt(
            "PNG chunk " + type + " declares " + length + " bytes");
      }
      long end = pos + 12L + length;
      if (end > b.length) {
        throw ImageStructureException.truncated(
            "PNG chunk "
                + type
                + " at offset "
                + pos
                + " needs "
                + (12L + length)
                + " bytes, only "
                + (b.length - pos)
                + " left");
      }
      crc.reset();
      crc.update(b, pos + 4, 4 + (int) length);
      if (crc.getValue() != u32(b, pos + 8 + (int) length)) {
        throw ImageStructureException.corrupt("CRC mismatch in PNG chunk " + type);
      }
      if (header == null) {
        if (!type.equals("IHDR") || length != 13) {
          throw ImageStructureException.corrupt("first PNG chunk is " + type + ", not IHDR");
        }
        int colorType = b[pos + 8 + 9] & 0xff;
        int channels = colorType == 0 || colorType == 4 ? 1 : 3;
        header = new ImageHeader(FrameEncoding.PNG, u32(b, pos + 8), u32(b, pos + 12), channels);
      } else if (type.equals("IDAT")) {
        idat = true;
      } else if (type.equals("IEND")) {
        if (!idat) {
          throw ImageStructureException.corrupt("PNG has no IDAT chunk");
        }
        return header;
      }
      pos = (int) end;
    }
  }

  /**
   * The IHDR dimensions when the data at least starts like a PNG (no other check), else null.
   * Cheap; for sources that only fill in informative fields.
   */
  public static ImageHeader peek(byte[] b) {
    if (!ImageFormats.isPng(b) || b.length < 26) {
      return null;
    }
    if (!new String(b, 12, 4, StandardCharsets.ISO_8859_1).equals("IHDR")) {
      return null;
    }
    int colorType = b[25] & 0xff;
    return new ImageHeader(
        FrameEncoding.PNG, u32(b, 16), u32(b, 20), colorType == 0 || colorType == 4 ? 1 : 3);
  }

  static long u32(byte[] b, int pos) {
    return ((long) (b[pos] & 0xff) << 24)
        | ((b[pos + 1] & 0xff) << 16)
        | ((b[pos + 2] & 0xff) << 8)
        | (b[pos + 3] & 0xff);
  }
}
