package io.selfstream.ops.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The arithmetic of {@code bench live}, free of Kafka: per-frame latencies from the times recorded
 * for every frame, with the lookahead wait taken out, frames still unlabelled at the deadline
 * counted as lower bounds, and nearest-rank percentiles.
 *
 * <p>Definitions (all wall-clock milliseconds on one machine):
 *
 * <ul>
 *   <li><b>including lookahead</b>: label of frame t visible on {@code frame-labels} (committed,
 *       received) minus the capture time of frame t;
 *   <li><b>excluding lookahead</b>: the same label time minus the capture time of the frame that
 *       completed t's lookahead, i.e. the frame {@code lookaheadFrames} positions after t (the
 *       label's own {@code lookaheadFrames}): before that frame was captured the label could not
 *       exist, so the wait for it is the chosen lookahead, not pipeline latency;
 *   <li><b>tail-flushed</b>: a label with fewer lookahead frames than configured was emitted by the
 *       app's idle flush at the end of a feed (no later frame will come); its delay is the idle
 *       timeout by design and it is counted apart, not in the percentiles;
 *   <li><b>censored</b>: a frame that reached the pipeline but had no label by the deadline enters
 *       the percentiles with {@code deadline - capture} (a lower bound of its latency), so a
 *       pipeline that falls behind cannot look fast by leaving out its slowest frames.
 * </ul>
 */
public final class LiveBenchmarkStats {

  private LiveBenchmarkStats() {}

  /** What was recorded for one frame of one feed; -1 where nothing was seen. */
  public static final class FrameTimes {
    /** Capture time (the ingest's wall clock after pacing). */
    public long captureMs = -1;

    /** Received from {@code frames} (normalizer output, committed). */
    public long normalizedMs = -1;

    /** Received from {@code features} (views job output, committed at its checkpoints). */
    public long featuresMs = -1;

    /** The label's {@code emittedAtMs}: when the app forwarded it, before its own commit. */
    public long labelEmittedMs = -1;

    /** Received from {@code frame-labels} (committed). */
    public long labelMs = -1;

    /** The label's {@code lookaheadFrames}. */
    public int lookahead = -1;

    /** Sets the capture time if it is not known yet (every topic carries it). */
    public void capture(long ms) {
      if (captureMs < 0) {
        captureMs = ms;
      }
    }
  }

  /**
   * Per-frame latencies of all feeds.
   *
   * @param excluding sorted latencies excluding the lookahead wait (labelled + censored frames)
   * @param including sorted latencies including it (same frames)
   * @param emitted sorted capture to the app forwarding the label (labelled frames with their full
   *     lookahead, none excluded), i.e. without the app's exactly-once commit
   * @param normalized sorted capture to committed on {@code frames}
   * @param features sorted capture to committed on {@code features}
   * @param tail sorted including-lookahead latencies of tail-flushed labels
   * @param labelled frames with a label (tail-flushed included)
   * @param tailFlushed labels emitted by the idle flush with less than the configured lookahead
   * @param censored frames seen upstream without a label by the deadline
   */
  public record Latencies(
      long[] excluding,
      long[] including,
      long[] emitted,
      long[] normalized,
      long[] features,
      long[] tail,
      long labelled,
      long tailFlushed,
      long censored) {}

  /**
   * Computes the latencies.
   *
   * @param feeds per feed, the frames recorded by seq (frames without a known capture time are
   *     ignored: they never reached {@code frames})
   * @param lookahead the app's configured lookahead in frames
   * @param deadlineMs when the measurement stopped waiting for labels
   */
  public static Latencies compute(
      Map<String, ? extends NavigableMap<Long, FrameTimes>> feeds, int lookahead, long deadlineMs) {
    List<Long> excluding = new ArrayList<>();
    List<Long> including = new ArrayList<>();
    List<Long> emitted = new ArrayList<>();
    List<Long> normalized = new ArrayList<>();
    List<Long> features = new ArrayList<>();
    List<Long> tail = new ArrayList<>();
    long labelled = 0;
    long tailFlushed = 0;
    long censored = 0;
    for (NavigableMap<Long, FrameTimes> feed : feeds.values()) {
      // positions in seq order: the label's lookahead counts frames, not seq numbers (gaps)
      List<FrameTimes> frames = new ArrayList<>(feed.size());
      for (FrameTimes f : feed.values()) {
        if (f.captureMs >= 0) {
          frames.add(f);
        }
      }
      int n = frames.size();
      for (int i = 0; i < n; i++) {
        FrameTimes f = frames.get(i);
        if (f.normalizedMs >= 0) {
          normalized.add(f.normalizedMs - f.captureMs);
        }
        if (f.featuresMs >= 0) {
          features.add(f.featuresMs - f.captureMs);
        }
        if (f.labelMs >= 0) {
          labelled++;
          if (f.lookahead < lookahead) {
            tailFlushed++;
            tail.add(f.labelMs - f.captureMs);
            continue;
          }
          if (f.labelEmittedMs >= 0) {
            emitted.add(f.labelEmittedMs - f.captureMs);
          }
          FrameTimes completing = frames.get(Math.min(n - 1, i + f.lookahead));
          including.add(f.labelMs - f.captureMs);
          excluding.add(f.labelMs - completing.captureMs);
        } else {
          censored++;
          FrameTimes completing = frames.get(Math.min(n - 1, i + lookahead));
          including.add(Math.max(0, deadlineMs - f.captureMs));
          excluding.add(Math.max(0, deadlineMs - completing.captureMs));
        }
      }
    }
    return new Latencies(
        sorted(excluding),
        sorted(including),
        sorted(emitted),
        sorted(normalized),
        sorted(features),
        sorted(tail),
        labelled,
        tailFlushed,
        censored);
  }

  /**
   * Publish to applied latencies of model versions.
   *
   * @param published version -> when publishing started
   * @param applied version -> when the consumer applied it (absent: never)
   * @return sorted latencies of the versions that were applied
   */
  public static long[] propagation(Map<Long, Long> published, Map<Long, Long> applied) {
    List<Long> out = new ArrayList<>();
    published.forEach(
        (version, at) -> {
          Long done = applied.get(version);
          if (done != null) {
            out.add(done - at);
          }
        });
    return sorted(out);
  }

  /** Nearest-rank percentile of sorted values; -1 without samples. */
  public static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Largest value; -1 without samples. */
  public static long max(long[] sorted) {
    return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
  }

  /** Concatenation of sorted arrays, sorted. */
  public static long[] merge(long[]... parts) {
    long[] all = Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  private static long[] sorted(List<Long> values) {
    long[] a = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a;
  }
}
