package io.selfstream.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or not.
 *
 * <p>Only the {@code 0x08} (unsigned byte) element type is supported, which is what image and label
 * files of the MNIST family use.
 *
 * @param dims the dimensions from the header, e.g. {@code [10000, 28, 28]} or {@code [10000]}
 * @param data all elements, row-major
 */
public record IdxFile(int[] dims, byte[] data) {

  private static final int UNSIGNED_BYTE = 0x08;

  /** Reads an IDX file; {@code .gz} files are decompressed on the fly. */
  public static IdxFile read(Path path) throws IOException {
    try (InputStream raw = Files.newInputStream(path)) {
      InputStream in = new BufferedInputStream(raw, 1 << 16);
      if (path.getFileName().toString().endsWith(".gz")) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      return read(in, path.toString());
    }
  }

  /** Reads an IDX stream; {@code name} is only used in error messages. */
  public static IdxFile read(InputStream stream, String name) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int magic = in.readInt();
    if ((magic >>> 16) != 0) {
      throw new IOException(name + ": not an IDX file (magic " + Integer.toHexString(magic) + ")");
    }
    int type = (magic >>> 8) & 0xff;
    if (type != UNSIGNED_BYTE) {
      throw new IOException(
          name + ": IDX element type 0x" + Integer.toHexString(type) + " unsupported");
    }
    int rank = magic & 0xff;
    if (rank < 1 || rank > 4) {
      throw new IOException(name + ": IDX rank " + rank + " unsupported");
    }
    int[] dims = new int[rank];
    long total = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new IOException(name + ": negative dimension " + dims[i]);
      }
      total *= dims[i];
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IOException(name + ": " + total + " elements is too large");
    }
    byte[] data = new byte[(int) total];
    try {
      in.readFully(data);
    } catch (java.io.EOFException e) {
      throw new IOException(name + ": truncated, expected " + total + " data bytes", e);
    }
    return new IdxFile(dims, data);
  }

  /** Number of items (the first dimension). */
  public int count() {
    return dims[0];
  }

  /** Bytes per item (product of the remaining dimensions). */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < dims.length; i++) {
      size *= dims[i];
    }
    return size;
  }

  /** A copy of item {@code i}'s bytes. */
  public byte[] item(int i) {
    int size = itemSize();
    return Arrays.copyOfRange(data, i * size, (i + 1) * size);
  }

  /** Unsigned value of item {@code i} when items are scalars (label files). */
  public int label(int i) {
    return data[i] & 0xff;
  }
}
