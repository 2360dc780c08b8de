package io.selfstream.trainer.temporal;

import io.selfstream.graphreasoning.data.Features;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Assembles per-source training clips of {@code clipFrames} consecutive frames from an interleaved
 * stream of {@code FrameFeatures}, and says which input offsets are safe to commit. Pure
 * bookkeeping, no Kafka types (partitions are plain ints), so it is tested without a broker.
 *
 * <p><b>Order and gaps.</b> Frames of one source must come in seq order (Kafka keeps per-key
 * order). A frame whose seq is not above the last one buffered, or not above what the model has
 * already trained on ({@code trainedThrough}, restored from the checkpoint), is a duplicate or a
 * replay and is skipped: after a restart the consumer re-reads from the oldest untrained offset, so
 * the frames of clips that were trained are read again and must not train twice. A gap of up to
 * {@code maxGapFrames} missing seqs is bridged (a few dropped frames only make the motion look
 * faster); a longer gap, or a change of encoder version (features of two encoders are not one
 * sequence), ends the clip: its frames are emitted as a short clip when there are at least {@link
 * #minClipFrames()}, else dropped, and a new clip starts.
 *
 * <p><b>Commit rule.</b> A frame is done once its clip was handed out (and then trained) or it was
 * dropped. {@link #safeOffset} of a partition is the offset of its oldest frame still buffered,
 * else the next offset after the last one seen: committing it never loses a buffered frame, and
 * what is re-read after a crash is exactly buffered frames plus trained ones the seq rule skips.
 *
 * <p>Not thread-safe.
 */
public final class ClipAssembler {

  /** One input frame with where it came from. */
  public record Frame(
      int partition,
      long offset,
      String sourceId,
      long seq,
      long encoderVersion,
      float[] features) {}

  /**
   * A clip ready to train on.
   *
   * @param features {@code dim x T}
   * @param partition input partition of its frames (one source is one key, so one partition)
   * @param firstOffset input offset of its first frame
   * @param firstSeq seq of its first frame
   * @param lastSeq seq of its last frame (what {@code trainedThrough} becomes once trained)
   */
  public record Clip(
      String sourceId,
      int partition,
      long firstOffset,
      long firstSeq,
      long lastSeq,
      long encoderVersion,
      Features features) {

    public int length() {
      return features.length();
    }
  }

  /** What happened to one offered frame. */
  public enum Outcome {
    BUFFERED,
    /** Buffered and completed a clip (see {@link #takeReady()}). */
    CLIP_READY,
    /** seq already trained on or not increasing. */
    DUPLICATE,
    /** Features of another dimension than the model reads. */
    WRONG_DIMENSION,
    /** Encoder version other than the model's. */
    WRONG_ENCODER
  }

  private static final class SourceBuffer {
    final List<Frame> frames = new ArrayList<>();
    long lastSeq = Long.MIN_VALUE;
    long lastArrival;
  }

  private final int clipFrames;
  private final int dim;
  private final int maxGapFrames;
  private final long encoderVersion;
  private final Map<String, Long> trainedThrough;
  private final Map<String, SourceBuffer> sources = new LinkedHashMap<>();
  private final Map<Integer, Long> nextOffset = new HashMap<>();
  private final List<Clip> ready = new ArrayList<>();
  private long droppedFrames;
  private long bridgedGaps;

  /**
   * @param clipFrames frames per clip
   * @param dim feature dimension the model reads
   * @param maxGapFrames missing seqs bridged inside a clip
   * @param encoderVersion the encoder version the model reads (others are refused)
   * @param trainedThrough highest seq trained on per source, from the checkpoint (copied)
   */
  public ClipAssembler(
      int clipFrames,
      int dim,
      int maxGapFrames,
      long encoderVersion,
      Map<String, Long> trainedThrough) {
    if (clipFrames < 2 || dim < 1 || maxGapFrames < 0) {
      throw new IllegalArgumentException(
          "clipFrames " + clipFrames + ", dim " + dim + ", maxGapFrames " + maxGapFrames);
    }
    this.clipFrames = clipFrames;
    this.dim = dim;
    this.maxGapFrames = maxGapFrames;
    this.encoderVersion = encoderVersion;
    this.trainedThrough = new HashMap<>(Objects.requireNonNull(trainedThrough, "trainedThrough"));
  }

  /** Shortest clip emitted when a gap, a version change or an idle source cuts one short. */
  public int minClipFrames() {
    return Math.max(2, clipFrames / 2);
  }

  /**
   * Takes one frame.
   *
   * @param nowNanos arrival clock (for {@link #flushIdle})
   */
  public Outcome offer(Frame f, long nowNanos) {
    nextOffset.merge(f.partition(), f.offset() + 1, Math::max);
    if (f.features().length != dim) {
      return Outcome.WRONG_DIMENSION;
    }
    if (f.encoderVersion() != encoderVersion) {
      return Outcome.WRONG_ENCODER;
    }
    SourceBuffer b = sources.computeIfAbsent(f.sourceId(), k -> new SourceBuffer());
    long trained = trainedThrough.getOrDefault(f.sourceId(), Long.MIN_VALUE);
    if (f.seq() <= b.lastSeq || f.seq() <= trained) {
      return Outcome.DUPLICATE;
    }
    if (!b.frames.isEmpty() && f.seq() - b.lastSeq - 1 > maxGapFrames) {
      close(f.sourceId(), b);
    } else if (!b.frames.isEmpty() && f.seq() != b.lastSeq + 1) {
      bridgedGaps++;
    }
    b.frames.add(f);
    b.lastSeq = f.seq();
    b.lastArrival = nowNanos;
    if (b.frames.size() >= clipFrames) {
      emit(f.sourceId(), b);
      return Outcome.CLIP_READY;
    }
    return Outcome.BUFFERED;
  }

  /**
   * Ends the clips of sources that sent nothing for {@code idleNanos}: a feed that stopped must not
   * hold its frames (and the partition's commit) back forever.
   *
   * @return how many clips became ready
   */
  public int flushIdle(long nowNanos, long idleNanos) {
    int before = ready.size();
    for (Map.Entry<String, SourceBuffer> e : sources.entrySet()) {
      SourceBuffer b = e.getValue();
      if (!b.frames.isEmpty() && nowNanos - b.lastArrival >= idleNanos) {
        close(e.getKey(), b);
      }
    }
    return ready.size() - before;
  }

  private void close(String sourceId, SourceBuffer b) {
    if (b.frames.size() >= minClipFrames()) {
      emit(sourceId, b);
    } else {
      droppedFrames += b.frames.size();
      b.frames.clear();
    }
  }

  private void emit(String sourceId, SourceBuffer b) {
    List<Frame> frames = b.frames;
    float[][] vectors = new float[frames.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = frames.get(i).features();
    }
    ready.add(
        new Clip(
            sourceId,
            frames.get(0).partition(),
            frames.get(0).offset(),
            frames.get(0).seq(),
            frames.get(frames.size() - 1).seq(),
            frames.get(0).encoderVersion(),
            Features.fromFrames(vectors)));
    b.frames.clear();
  }

  /** Number of clips ready. */
  public int readyCount() {
    return ready.size();
  }

  /** Removes and returns up to {@code max} ready clips, oldest first. */
  public List<Clip> takeReady(int max) {
    int n = Math.min(max, ready.size());
    List<Clip> out = new ArrayList<>(ready.subList(0, n));
    ready.subList(0, n).clear();
    return out;
  }

  /** Records that {@code clip} was trained on: its frames never train again. */
  public void trained(Clip clip) {
    trainedThrough.merge(clip.sourceId(), clip.lastSeq(), Math::max);
  }

  /** Highest seq trained on, per source. */
  public Map<String, Long> trainedThrough() {
    return Map.copyOf(trainedThrough);
  }

  /**
   * The offset of {@code partition} that is safe to commit: its oldest buffered or ready (not yet
   * trained) frame, else the next offset after everything seen ({@code fallback} when nothing of
   * the partition was seen).
   */
  public long safeOffset(int partition, long fallback) {
    long safe = nextOffset.getOrDefault(partition, fallback);
    for (SourceBuffer b : sources.values()) {
      for (Frame f : b.frames) {
        if (f.partition() == partition) {
          safe = Math.min(safe, f.offset());
          break; // frames of a source are in offset order within their partition
        }
      }
    }
    for (Clip c : ready) {
      // a ready clip is not trained yet: its frames hold the commit back too
      if (c.partition() == partition) {
        safe = Math.min(safe, c.firstOffset());
      }
    }
    return safe;
  }

  /** Frames dropped because a gap or an idle source cut their clip below the minimum. */
  public long droppedFrames() {
    return droppedFrames;
  }

  /** Gaps of up to {@code maxGapFrames} bridged inside a clip. */
  public long bridgedGaps() {
    return bridgedGaps;
  }

  /** Frames buffered towards clips (all sources). */
  public int bufferedFrames() {
    int n = 0;
    for (SourceBuffer b : sources.values()) {
      n += b.frames.size();
    }
    return n;
  }
}
