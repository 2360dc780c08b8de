package io.selfstream.graphreasoning.live;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The small, durable part of a source's state (a logged store): the order bookkeeping and the
 * segment being built. About a hundred bytes per source.
 */
final class SourceProgress {

  /** Highest seq accepted so far; -1 before the first frame. */
  long lastSeq = -1;

  /** Lowest seq not yet labelled (or skipped): frames from here on are pending lookahead. */
  long nextToLabel = Long.MIN_VALUE;

  /** Wall-clock time of the last frame, for the idle timeout. */
  long lastArrivalMs;

  /** Whether the idle timeout already flushed this source (until the next frame). */
  boolean idleFlushed;

  /** The open segment, or null. */
  Run open;

  /** A run of another label not yet {@code minSegmentFrames} long, or null. */
  Run candidate;

  /** A run of frames with one label. */
  static final class Run {
    int label;
    long startSeq;
    long startTimeMs;
    long endSeq;
    long endTimeMs;
    double confidenceSum;
    int frames;
    long modelVersion;
    long encoderVersion;

    static Run of(int label, long seq, long timeMs, float conf, long model, long encoder) {
      Run r = new Run();
      r.label = label;
      r.startSeq = seq;
      r.startTimeMs = timeMs;
      r.endSeq = seq;
      r.endTimeMs = timeMs;
      r.confidenceSum = conf;
      r.frames = 1;
      r.modelVersion = model;
      r.encoderVersion = encoder;
      return r;
    }

    void extend(long seq, long timeMs, float conf, long model, long encoder) {
      endSeq = seq;
      endTimeMs = timeMs;
      confidenceSum += conf;
      frames++;
      modelVersion = model;
      encoderVersion = encoder;
    }

    /** Takes over the frames of a later run (smoothing a short flicker away). */
    void absorb(Run later) {
      endSeq = later.endSeq;
      endTimeMs = later.endTimeMs;
      confidenceSum += later.confidenceSum;
      frames += later.frames;
      modelVersion = later.modelVersion;
      encoderVersion = later.encoderVersion;
    }

    float meanConfidence() {
      return frames == 0 ? 0f : (float) (confidenceSum / frames);
    }

    private static final int BYTES = 4 + 8 * 4 + 8 + 4 + 8 + 8;

    void write(ByteBuffer out) {
      out.putInt(label)
          .putLong(startSeq)
          .putLong(startTimeMs)
          .putLong(endSeq)
          .putLong(endTimeMs)
          .putDouble(confidenceSum)
          .putInt(frames)
          .putLong(modelVersion)
          .putLong(encoderVersion);
    }

    static Run read(ByteBuffer in) {
      Run r = new Run();
      r.label = in.getInt();
      r.startSeq = in.getLong();
      r.startTimeMs = in.getLong();
      r.endSeq = in.getLong();
      r.endTimeMs = in.getLong();
      r.confidenceSum = in.getDouble();
      r.frames = in.getInt();
      r.modelVersion = in.getLong();
      r.encoderVersion = in.getLong();
      return r;
    }
  }

  byte[] toBytes() {
    ByteBuffer out = ByteBuffer.allocate(8 + 8 + 8 + 1 + 2 * (1 + Run.BYTES));
    out.putLong(lastSeq)
        .putLong(nextToLabel)
        .putLong(lastArrivalMs)
        .put((byte) (idleFlushed ? 1 : 0));
    for (Run r : new Run[] {open, candidate}) {
      out.put((byte) (r == null ? 0 : 1));
      if (r != null) {
        r.write(out);
      }
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  static SourceProgress fromBytes(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      SourceProgress p = new SourceProgress();
      p.lastSeq = in.getLong();
      p.nextToLabel = in.getLong();
      p.lastArrivalMs = in.getLong();
      p.idleFlushed = in.get() != 0;
      p.open = in.get() != 0 ? Run.read(in) : null;
      p.candidate = in.get() != 0 ? Run.read(in) : null;
      return p;
    } catch (java.nio.BufferUnderflowException e) {
      throw new SerializationException("truncated source progress", e);
    }
  }

  /** Store serde. */
  static final class StoreSerde implements Serde<SourceProgress> {
    @Override
    public Serializer<SourceProgress> serializer() {
      return (topic, p) -> p == null ? null : p.toBytes();
    }

    @Override
    public Deserializer<SourceProgress> deserializer() {
      return (topic, b) -> b == null ? null : fromBytes(b);
    }
  }
}
