package io.selfstream.graphreasoning.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1.0 to 3.0 read, 1.0 written), as the MS-TCN layout
 * stores features. Reads little- or big-endian {@code float32}/{@code float64} arrays of one or two
 * dimensions in C or Fortran order; writes C-order little-endian {@code float32}.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Writes {@code dim x length} float32 features (C order) as {@code .npy} v1.0. */
  public static void write(Path file, Features f) throws IOException {
    String dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': ("
            + f.dim()
            + ", "
            + f.length()
            + "), }";
    // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64,
    // ending in a newline
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer buf =
        ByteBuffer.allocate(10 + header.length() + 4 * f.data().length)
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    buf.asFloatBuffer().put(f.data());
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(buf.array());
    }
  }

  /**
   * Reads a one- or two-dimensional float array as features: {@code (dim, T)} as is, {@code (T,)}
   * as one feature per frame.
   */
  public static Features read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readAllBytes();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : MAGIC) {
      if (b.remaining() == 0 || b.get() != m) {
        throw new IOException(file + ": not a .npy file (bad magic)");
      }
    }
    int major = b.get() & 0xff;
    b.get(); // minor
    long headerLen;
    if (major == 1) {
      headerLen = b.getShort() & 0xffff;
    } else if (major == 2 || major == 3) {
      headerLen = b.getInt() & 0xffffffffL;
    } else {
      throw new IOException(file + ": unsupported .npy version " + major);
    }
    if (headerLen > b.remaining()) {
      throw new IOException(file + ": truncated .npy header");
    }
    byte[] hb = new byte[(int) headerLen];
    b.get(hb);
    String header =
        new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    boolean fortran = group(FORTRAN, header, file, "fortran_order").equals("True");
    String[] dims = group(SHAPE, header, file, "shape").split(",");
    long[] shape = new long[dims.length];
    int n = 0;
    for (String d : dims) {
      if (!d.isBlank()) {
        shape[n++] = Long.parseLong(d.trim());
      }
    }
    int rows;
    int cols;
    if (n == 2) {
      rows = Math.toIntExact(shape[0]);
      cols = Math.toIntExact(shape[1]);
    } else if (n == 1) {
      rows = 1;
      cols = Math.toIntExact(shape[0]);
    } else {
      throw new IOException(file + ": expected a 1-D or 2-D array, shape has " + n + " dimensions");
    }
    ByteOrder order;
    switch (descr.charAt(0)) {
      case '<', '|' -> order = ByteOrder.LITTLE_ENDIAN;
      case '>' -> order = ByteOrder.BIG_ENDIAN;
      default -> throw new IOException(file + ": unsupported dtype " + descr);
    }
    String type = descr.substring(1);
    int width =
        switch (type) {
          case "f4" -> 4;
          case "f8" -> 8;
          default -> throw new IOException(file + ": unsupported dtype " + descr + " (need f4/f8)");
        };
    long count = (long) rows * cols;
    if ((long) b.remaining() < count * width) {
      throw new IOException(
          file + ": truncated data, " + b.remaining() + " bytes for " + count + " values");
    }
    b.order(order);
    float[] data = new float[Math.toIntExact(count)];
    for (int i = 0; i < count; i++) {
      float v = width == 4 ? b.getFloat() : (float) b.getDouble();
      // C order: i = r * cols + c; Fortran order: i = c * rows + r
      int idx = fortran ? (i % rows) * cols + i / rows : i;
      data[idx] = v;
    }
    return new Features(rows, cols, data);
  }

  private static String group(Pattern p, String header, Path file, String key) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": .npy header lacks '" + key + "': " + header.trim());
    }
    return m.group(1);
  }
}
