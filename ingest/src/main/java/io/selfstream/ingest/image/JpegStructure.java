package io.selfstream.ingest.image;

import io.selfstream.schemas.avro.FrameEncoding;

/**
 * Walks the markers of a JPEG without decoding it: SOI, marker segments each complete, a frame
 * header (SOF), entropy-coded scans, and an EOI. ImageIO silently returns a partly grey image for a
 * JPEG cut inside its scan data; this walk does not. Bytes after the EOI are ignored.
 */
public final class JpegStructure {

  private JpegStructure() {}

  /**
   * Checks the marker structure through to EOI.
   *
   * @return the declared header from the SOF segment
   * @throws ImageStructureException TRUNCATED when the data ends before EOI, CORRUPT otherwise
   */
  public static ImageHeader check(byte[] b) throws ImageStructureException {
    return walk(b, true);
  }

  /** The SOF dimensions when a frame header can be found, else null; no completeness check. */
  public static ImageHeader peek(byte[] b) {
    try {
      return walk(b, false);
    } catch (ImageStructureException e) {
      return null;
    }
  }

  private static ImageHeader walk(byte[] b, boolean full) throws ImageStructureException {
    if (!ImageFormats.isJpeg(b)) {
      throw ImageStructureException.corrupt(
          b.length == 0 ? "empty data, not a JPEG" : "JPEG SOI marker missing");
    }
    int pos = 2;
    ImageHeader header = null;
    while (true) {
      if (pos >= b.length) {
        throw ImageStructureException.truncated(
            "JPEG ends after " + b.length + " bytes without an EOI marker");
      }
      if ((b[pos] & 0xff) != 0xff) {
        throw ImageStructureException.corrupt("JPEG marker expected at offset " + pos);
      }
      while (pos < b.length && (b[pos] & 0xff) == 0xff) {
        pos++; // fill bytes
      }
      if (pos >= b.length) {
        throw ImageStructureException.truncated("JPEG ends inside a marker");
      }
      int marker = b[pos++] & 0xff;
      if (marker == 0xd9) {
        if (header == null) {
          throw ImageStructureException.corrupt("JPEG has no frame header (SOF)");
        }
        return header;
      }
      if ((marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
        continue; // standalone markers
      }
      if (marker == 0x00 || marker == 0xd8) {
        throw ImageStructureException.corrupt(
            "unexpected JPEG marker 0x" + Integer.toHexString(marker) + " at offset " + (pos - 1));
      }
      if (b.length - pos < 2) {
        throw ImageStructureException.truncated("JPEG segment length cut at offset " + pos);
      }
      int length = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      if (length < 2) {
        throw ImageStructureException.corrupt("JPEG segment length " + length + " at " + pos);
      }
      if (pos + length > b.length) {
        throw ImageStructureException.truncated(
            "JPEG segment 0x"
                + Integer.toHexString(marker)
                + " at offset "
                + pos
                + " needs "
                + length
                + " bytes, only "
                + (b.length - pos)
                + " left");
      }
      boolean sof =
          marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof) {
        if (length < 8) {
          throw ImageStructureException.corrupt("JPEG frame header too short");
        }
        int height = ((b[pos + 3] & 0xff) << 8) | (b[pos + 4] & 0xff);
        int width = ((b[pos + 5] & 0xff) << 8) | (b[pos + 6] & 0xff);
        int components = b[pos + 7] & 0xff;
        header = new ImageHeader(FrameEncoding.JPEG, width, height, components);
        if (!full) {
          return header;
        }
      }
      pos += length;
      if (marker == 0xda) {
        if (header == null) {
          throw ImageStructureException.corrupt("JPEG scan before the frame header");
        }
        pos = skipEntropyCodedData(b, pos);
      }
    }
  }

  /** Returns the offset of the marker that ends the scan data starting at {@code pos}. */
  private static int skipEntropyCodedData(byte[] b, int pos) throws ImageStructureException {
    while (pos < b.length) {
      if ((b[pos] & 0xff) != 0xff) {
        pos++;
        continue;
      }
      if (pos + 1 >= b.length) {
        break;
      }
      int next = b[pos + 1] & 0xff;
      if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        pos += 2; // stuffed 0xFF or restart marker
      } else if (next == 0xff) {
        pos++; // fill byte before a marker
      } else {
        return pos;
      }
    }
    throw ImageStructureException.truncated(
        "JPEG ends inside scan data after " + b.length + " bytes (no EOI marker)");
  }
}
