package io.selfstream.graphreasoning.live;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The recent feature vectors of one source, oldest first, at most {@code windowFrames} of them,
 * each with its seq, capture time and encoder version. All vectors of a window have one dimension
 * (a feature of another dimension restarts the window).
 *
 * <p>Kept in an in-memory store without changelog: it is soft state that refills within {@code
 * windowFrames} frames, and logging it would write {@code windowFrames x dim x 4} bytes (35 KB for
 * 64 x 138) to the changelog per frame. What must survive a restart (last seq, the open segment)
 * lives in {@link SourceProgress}, which is logged.
 */
final class SourceWindow {

  /** One frame of the window. */
  record Entry(long seq, long captureTimeMs, long encoderVersion, float[] features) {}

  private final List<Entry> entries;

  SourceWindow() {
    this.entries = new ArrayList<>();
  }

  private SourceWindow(List<Entry> entries) {
    this.entries = entries;
  }

  int size() {
    return entries.size();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  Entry get(int i) {
    return entries.get(i);
  }

  /** Dimension of the vectors held, -1 when empty. */
  int dim() {
    return entries.isEmpty() ? -1 : entries.get(0).features().length;
  }

  /** Appends, dropping the oldest frames beyond {@code capacity}. */
  void append(Entry e, int capacity) {
    entries.add(e);
    int excess = entries.size() - capacity;
    if (excess > 0) {
      entries.subList(0, excess).clear();
    }
  }

  void clear() {
    entries.clear();
  }

  byte[] toBytes() {
    int dim = Math.max(0, dim());
    ByteBuffer out = ByteBuffer.allocate(8 + entries.size() * (24 + 4 * dim));
    out.putInt(entries.size()).putInt(dim);
    for (Entry e : entries) {
      out.putLong(e.seq()).putLong(e.captureTimeMs()).putLong(e.encoderVersion());
      for (float f : e.features()) {
        out.putFloat(f);
      }
    }
    return out.array();
  }

  static SourceWindow fromBytes(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      int n = in.getInt();
      int dim = in.getInt();
      if (n < 0 || dim < 0 || (long) n * (24 + 4L * dim) != in.remaining()) {
        throw new SerializationException("malformed window: " + n + " x " + dim);
      }
      List<Entry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long seq = in.getLong();
        long time = in.getLong();
        long ev = in.getLong();
        float[] f = new float[dim];
        in.asFloatBuffer().get(f);
        in.position(in.position() + 4 * dim);
        entries.add(new Entry(seq, time, ev, f));
      }
      return new SourceWindow(entries);
    } catch (java.nio.BufferUnderflowException e) {
      throw new SerializationException("truncated window", e);
    }
  }

  /** Store serde. */
  static final class StoreSerde implements Serde<SourceWindow> {
    @Override
    public Serializer<SourceWindow> serializer() {
      return (topic, w) -> w == null ? null : w.toBytes();
    }

    @Override
    public Deserializer<SourceWindow> deserializer() {
      return (topic, b) -> b == null ? null : fromBytes(b);
    }
  }
}
