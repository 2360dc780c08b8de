package io.selfstream.graphreasoning.metrics;

import java.util.Locale;

/**
 * Dataset-level segmentation scores in percent, as the MS-TCN evaluation script prints them.
 *
 * @param acc frame accuracy pooled over all frames of all videos
 * @param edit segmental edit score averaged over videos
 * @param f1At10 F1 at IoU 0.10 from true/false positives and false negatives summed over videos
 * @param f1At25 F1 at IoU 0.25
 * @param f1At50 F1 at IoU 0.50
 * @param videos number of videos evaluated
 * @param frames number of frames evaluated
 */
public record SegmentationScores(
    double acc, double edit, double f1At10, double f1At25, double f1At50, int videos, long frames) {

  /**
   * {@code {"acc":..,"edit":..,"f1@10":..,"f1@25":..,"f1@50":..}} with four decimals, the line the
   * {@code segment-eval} command prints.
   */
  public String toJson() {
    return String.format(
        Locale.ROOT,
        "{\"acc\":%.4f,\"edit\":%.4f,\"f1@10\":%.4f,\"f1@25\":%.4f,\"f1@50\":%.4f}",
        acc,
        edit,
        f1At10,
        f1At25,
        f1At50);
  }

  /** Element-wise mean of several runs (e.g. over seeds); videos and frames from the first. */
  public static SegmentationScores mean(java.util.List<SegmentationScores> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to average");
    }
    double a = 0;
    double e = 0;
    double f10 = 0;
    double f25 = 0;
    double f50 = 0;
    for (SegmentationScores s : runs) {
      a += s.acc;
      e += s.edit;
      f10 += s.f1At10;
      f25 += s.f1At25;
      f50 += s.f1At50;
    }
    int n = runs.size();
    SegmentationScores first = runs.get(0);
    return new SegmentationScores(
        a / n, e / n, f10 / n, f25 / n, f50 / n, first.videos(), first.frames());
  }
}
