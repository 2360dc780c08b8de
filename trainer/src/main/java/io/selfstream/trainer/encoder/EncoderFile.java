package io.selfstream.trainer.encoder;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The encoder file format: magic {@code SSENC}, format version, the {@link EncoderConfig} as
 * key/value text, then every parameter (name, shape, little-endian float32 values) in model order,
 * then a CRC32 of everything before it. Writes are atomic.
 */
public final class EncoderFile {

  private static final int MAGIC = 0x5353454e; // "SSEN"
  private static final int FORMAT = 1;
  private static final int MAX_PARAMS = 100_000;

  private EncoderFile() {}

  /** What a file holds. */
  public record Contents(EncoderConfig config, ParameterSnapshot parameters) {}

  public static void write(Path file, EncoderConfig config, ParameterSnapshot params)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream raw = java.nio.channels.Channels.newOutputStream(ch);
        writeTo(raw, config, params);
        raw.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The file format as bytes (e.g. the payload of a FULL model update). */
  public static byte[] encode(EncoderConfig config, ParameterSnapshot params) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      writeTo(bytes, config, params);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Parses {@link #encode} output; damaged or truncated input fails with an IOException. */
  public static Contents decode(byte[] bytes) throws IOException {
    return readFrom(new java.io.ByteArrayInputStream(bytes), "encoder payload");
  }

  private static void writeTo(OutputStream raw, EncoderConfig config, ParameterSnapshot params)
      throws IOException {
    CRC32 crc = new CRC32();
    DataOutputStream out =
        new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    Map<String, String> cfg = config.toMap();
    out.writeInt(cfg.size());
    for (Map.Entry<String, String> e : cfg.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
    out.writeInt(params.values().size());
    for (Map.Entry<String, float[]> e : params.values().entrySet()) {
      out.writeUTF(e.getKey());
      long[] shape = params.shapes().get(e.getKey());
      out.writeInt(shape.length);
      for (long d : shape) {
        out.writeLong(d);
      }
      float[] v = e.getValue();
      out.writeInt(v.length);
      ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(v);
      out.write(buf.array());
    }
    out.flush();
    // the checksum itself is not part of the checksummed bytes
    new DataOutputStream(raw).writeLong(crc.getValue());
    raw.flush();
  }

  public static Contents read(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return readFrom(raw, file.toString());
    }
  }

  private static Contents readFrom(InputStream raw, String file) throws IOException {
    CRC32 crc = new CRC32();
    DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
    try {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + ": not a selfstream encoder file");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(file + ": encoder file format " + format + " unsupported");
      }
      int nCfg = in.readInt();
      if (nCfg < 0 || nCfg > 1000) {
        throw new IOException(file + ": corrupt config section");
      }
      Map<String, String> cfg = new LinkedHashMap<>();
      for (int i = 0; i < nCfg; i++) {
        cfg.put(in.readUTF(), in.readUTF());
      }
      EncoderConfig config;
      try {
        config = EncoderConfig.fromMap(cfg);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": " + e.getMessage(), e);
      }
      int n = in.readInt();
      if (n < 0 || n > MAX_PARAMS) {
        throw new IOException(file + ": corrupt parameter count " + n);
      }
      LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
      LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        int rank = in.readInt();
        if (rank < 0 || rank > 8) {
          throw new IOException(file + ": corrupt rank " + rank + " of " + name);
        }
        long[] shape = new long[rank];
        long count = 1;
        for (int r = 0; r < rank; r++) {
          shape[r] = in.readLong();
          count *= shape[r];
        }
        int len = in.readInt();
        if (len < 0 || len != count || len > (1 << 28)) {
          throw new IOException(file + ": corrupt length " + len + " of " + name);
        }
        byte[] bytes = new byte[len * 4];
        in.readFully(bytes);
        float[] v = new float[len];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        values.put(name, v);
        shapes.put(name, shape);
      }
      long expected = crc.getValue();
      long stored = new DataInputStream(raw).readLong();
      if (stored != expected) {
        throw new IOException(file + ": checksum mismatch (file is damaged)");
      }
      return new Contents(config, new ParameterSnapshot(values, shapes));
    } catch (EOFException e) {
      throw new IOException(file + ": truncated encoder file", e);
    }
  }
}
