package io.selfstream.graphreasoning.metrics;

import java.util.List;
import java.util.Set;

/**
 * Pools per-video results into dataset scores exactly as the MS-TCN script does: frame accuracy
 * over all frames, edit score averaged over videos, segment counts summed over videos before F1.
 */
public final class SegmentationAccumulator {

  /** The IoU thresholds the script reports. */
  public static final double[] OVERLAPS = {0.1, 0.25, 0.5};

  private final Set<String> background;
  private long correct;
  private long total;
  private double editSum;
  private int videos;
  private final SegmentationMetrics.Counts[] counts = new SegmentationMetrics.Counts[3];

  public SegmentationAccumulator() {
    this(SegmentationMetrics.DEFAULT_BACKGROUND);
  }

  /**
   * @param background labels excluded from segments (still counted by frame accuracy)
   */
  public SegmentationAccumulator(Set<String> background) {
    this.background = Set.copyOf(background);
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new SegmentationMetrics.Counts(0, 0, 0);
    }
  }

  /**
   * Adds one video.
   *
   * @throws IllegalArgumentException if the sequences differ in length
   */
  public SegmentationAccumulator add(List<String> groundTruth, List<String> recognized) {
    if (groundTruth.size() != recognized.size()) {
      throw new IllegalArgumentException(
          "ground truth has "
              + groundTruth.size()
              + " frames but the prediction has "
              + recognized.size());
    }
    for (int i = 0; i < groundTruth.size(); i++) {
      if (groundTruth.get(i).equals(recognized.get(i))) {
        correct++;
      }
    }
    total += groundTruth.size();
    List<Segment> p = SegmentationMetrics.segments(recognized, background);
    List<Segment> y = SegmentationMetrics.segments(groundTruth, background);
    editSum +=
        SegmentationMetrics.normalizedLevenshtein(
            SegmentationMetrics.labelsOf(p), SegmentationMetrics.labelsOf(y));
    for (int s = 0; s < OVERLAPS.length; s++) {
      counts[s] = counts[s].plus(SegmentationMetrics.fScore(p, y, OVERLAPS[s]));
    }
    videos++;
    return this;
  }

  /** Adds one video given as class indices. */
  public SegmentationAccumulator add(int[] groundTruth, int[] recognized, List<String> names) {
    return add(toNames(groundTruth, names), toNames(recognized, names));
  }

  public int videos() {
    return videos;
  }

  /** Pooled counts at {@link #OVERLAPS}{@code [s]}. */
  public SegmentationMetrics.Counts counts(int s) {
    return counts[s];
  }

  /**
   * The scores so far.
   *
   * @throws IllegalStateException if no frame was added (the script divides by zero)
   */
  public SegmentationScores scores() {
    if (total == 0) {
      throw new IllegalStateException("no frames to evaluate");
    }
    return new SegmentationScores(
        100.0 * correct / total,
        editSum / videos,
        counts[0].f1Percent(),
        counts[1].f1Percent(),
        counts[2].f1Percent(),
        videos,
        total);
  }

  static List<String> toNames(int[] labels, List<String> names) {
    String[] out = new String[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = names.get(labels[i]);
    }
    return List.of(out);
  }
}
