package io.selfstream.graphreasoning.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Per-video action-segmentation metrics with the semantics of the MS-TCN evaluation script ({@code
 * eval.py} of yabufarha/ms-tcn, itself adapted from Lea et al.'s TCN metrics), which
 * action-segmentation papers report.
 *
 * <ul>
 *   <li>{@link #segments}: maximal runs of equal labels; runs whose label is a background label are
 *       dropped (they still split neighbouring runs).
 *   <li>{@link #editScore}: {@code (1 - levenshtein(P, Y) / max(|P|, |Y|)) * 100} on the segment
 *       label sequences.
 *   <li>{@link #fScore}: every predicted segment, in order, is matched to the ground-truth segment
 *       with the highest IoU among those of the same label (IoU of other labels counts as 0; ties
 *       go to the first); it is a true positive if that IoU reaches the overlap threshold and that
 *       ground-truth segment was not matched before, otherwise a false positive. Unmatched
 *       ground-truth segments are false negatives.
 * </ul>
 *
 * <p>Two inputs make the script fail or print {@code nan}; here they have defined values: a video
 * in which neither sequence has a non-background segment scores an edit of 100 (the script divides
 * 0 by 0), and predicted segments in a video without ground-truth segments are all false positives
 * (the script raises on an empty argmax). Empty sequences have no segments.
 */
public final class SegmentationMetrics {

  /** The background label of the MS-TCN script's defaults. */
  public static final Set<String> DEFAULT_BACKGROUND = Set.of("background");

  private SegmentationMetrics() {}

  /** Maximal runs of equal labels, without the runs of background labels. */
  public static List<Segment> segments(List<String> frameLabels, Set<String> background) {
    List<Segment> out = new ArrayList<>();
    int n = frameLabels.size();
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || !frameLabels.get(i).equals(frameLabels.get(start))) {
        String label = frameLabels.get(start);
        if (!background.contains(label)) {
          out.add(new Segment(label, start, i));
        }
        start = i;
      }
    }
    return out;
  }

  /** Plain Levenshtein distance between two label sequences (unit insert/delete/substitute). */
  public static int levenshtein(List<String> p, List<String> y) {
    int m = p.size();
    int n = y.size();
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int i = 0; i <= m; i++) {
      prev[i] = i;
    }
    for (int j = 1; j <= n; j++) {
      cur[0] = j;
      for (int i = 1; i <= m; i++) {
        if (y.get(j - 1).equals(p.get(i - 1))) {
          cur[i] = prev[i - 1];
        } else {
          cur[i] = Math.min(Math.min(cur[i - 1] + 1, prev[i] + 1), prev[i - 1] + 1);
        }
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[m];
  }

  /**
   * Normalised Levenshtein score in percent: {@code (1 - d / max(|p|, |y|)) * 100}; 100 when both
   * are empty.
   */
  public static double normalizedLevenshtein(List<String> p, List<String> y) {
    int max = Math.max(p.size(), y.size());
    if (max == 0) {
      return 100.0;
    }
    return (1 - (double) levenshtein(p, y) / max) * 100;
  }

  /** Segmental edit score of one video, in percent. */
  public static double editScore(
      List<String> recognized, List<String> groundTruth, Set<String> background) {
    return normalizedLevenshtein(
        labelsOf(segments(recognized, background)), labelsOf(segments(groundTruth, background)));
  }

  /** Segment-level true positives, false positives and false negatives of one video. */
  public record Counts(long tp, long fp, long fn) {
    public Counts plus(Counts o) {
      return new Counts(tp + o.tp, fp + o.fp, fn + o.fn);
    }

    /** F1 in percent as the script computes it from pooled counts (0 where it is undefined). */
    public double f1Percent() {
      double precision = tp / (double) (tp + fp);
      double recall = tp / (double) (tp + fn);
      double f1 = 2.0 * (precision * recall) / (precision + recall);
      return Double.isNaN(f1) ? 0.0 : f1 * 100;
    }
  }

  /** Greedy IoU matching of one video at one overlap threshold (e.g. 0.1, 0.25, 0.5). */
  public static Counts fScore(
      List<String> recognized, List<String> groundTruth, double overlap, Set<String> background) {
    return fScore(segments(recognized, background), segments(groundTruth, background), overlap);
  }

  /** Greedy IoU matching on precomputed segments. */
  public static Counts fScore(List<Segment> predicted, List<Segment> truth, double overlap) {
    boolean[] hits = new boolean[truth.size()];
    long tp = 0;
    long fp = 0;
    for (Segment p : predicted) {
      int idx = -1;
      double best = Double.NEGATIVE_INFINITY;
      for (int x = 0; x < truth.size(); x++) {
        Segment y = truth.get(x);
        double iou = 0.0;
        if (p.label().equals(y.label())) {
          int intersection = Math.min(p.end(), y.end()) - Math.max(p.start(), y.start());
          int union = Math.max(p.end(), y.end()) - Math.min(p.start(), y.start());
          iou = 1.0 * intersection / union;
        }
        if (iou > best) { // first maximum wins, as numpy's argmax
          best = iou;
          idx = x;
        }
      }
      if (idx >= 0 && best >= overlap && !hits[idx]) {
        tp++;
        hits[idx] = true;
      } else {
        fp++;
      }
    }
    long matched = 0;
    for (boolean h : hits) {
      if (h) {
        matched++;
      }
    }
    return new Counts(tp, fp, truth.size() - matched);
  }

  static List<String> labelsOf(List<Segment> segments) {
    List<String> out = new ArrayList<>(segments.size());
    for (Segment s : segments) {
      out.add(s.label());
    }
    return out;
  }
}
