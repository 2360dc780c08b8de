package io.selfstream.graphreasoning.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

  private static final Set<String> NONE = Set.of();
  private static final Set<String> BG = Set.of("background");

  private static List<String> seq(String s) {
    return Arrays.stream(s.split(" ")).map(t -> t.equals("_") ? "background" : t).toList();
  }

  @Test
  void segmentsSplitOnChangesAndDropBackground() {
    assertThat(SegmentationMetrics.segments(seq("_ _ a a _ b b a"), BG))
        .containsExactly(new Segment("a", 2, 4), new Segment("b", 5, 7), new Segment("a", 7, 8));
    assertThat(SegmentationMetrics.segments(seq("_ _ a a _ b b a"), NONE)).hasSize(5);
    assertThat(SegmentationMetrics.segments(List.of(), BG)).isEmpty();
    assertThat(SegmentationMetrics.segments(seq("_ _"), BG)).isEmpty();
  }

  @Test
  void levenshteinOnLabelSequences() {
    assertThat(SegmentationMetrics.levenshtein(chars("kitten"), chars("sitting"))).isEqualTo(3);
    assertThat(SegmentationMetrics.levenshtein(List.of(), chars("abc"))).isEqualTo(3);
    assertThat(SegmentationMetrics.normalizedLevenshtein(chars("abca"), chars("abc")))
        .isCloseTo(75.0, within(1e-9));
    assertThat(SegmentationMetrics.normalizedLevenshtein(List.of(), List.of())).isEqualTo(100.0);
  }

  @Test
  void handComputedVideo() {
    // gt a[0,3) b[3,7) c[7,10); pred a[0,2) b[2,7) c[7,8) a[8,10)
    List<String> gt = seq("a a a b b b b c c c");
    List<String> pred = seq("a a b b b b b c a a");
    assertThat(SegmentationMetrics.editScore(pred, gt, BG)).isCloseTo(75.0, within(1e-9));
    // IoUs 2/3, 4/5, 1/3; the trailing a overlaps nothing of its label -> false positive
    assertThat(SegmentationMetrics.fScore(pred, gt, 0.1, BG))
        .isEqualTo(new SegmentationMetrics.Counts(3, 1, 0));
    assertThat(SegmentationMetrics.fScore(pred, gt, 0.25, BG))
        .isEqualTo(new SegmentationMetrics.Counts(3, 1, 0));
    assertThat(SegmentationMetrics.fScore(pred, gt, 0.5, BG))
        .isEqualTo(new SegmentationMetrics.Counts(2, 2, 1));
    SegmentationScores s = new SegmentationAccumulator(BG).add(gt, pred).scores();
    assertThat(s.acc()).isCloseTo(70.0, within(1e-9));
    assertThat(s.f1At10()).isCloseTo(600.0 / 7, within(1e-9)); // P 3/4, R 1
    assertThat(s.f1At50()).isCloseTo(400.0 / 7, within(1e-9)); // P 1/2, R 2/3
  }

  @Test
  void backgroundExcludedFromSegmentsButNotFromAccuracy() {
    List<String> gt = seq("_ _ a a _ b b");
    List<String> pred = seq("_ a a a b b b");
    SegmentationScores withBg = new SegmentationAccumulator(BG).add(gt, pred).scores();
    assertThat(withBg.acc()).isCloseTo(500.0 / 7, within(1e-9));
    assertThat(withBg.edit()).isCloseTo(100.0, within(1e-9));
    assertThat(withBg.f1At50()).isCloseTo(100.0, within(1e-9)); // IoUs 2/3 and 2/3
    SegmentationScores noBg = new SegmentationAccumulator(NONE).add(gt, pred).scores();
    assertThat(noBg.acc()).isCloseTo(500.0 / 7, within(1e-9));
    // P = bg a b, Y = bg a bg b -> one deletion of four
    assertThat(noBg.edit()).isCloseTo(75.0, within(1e-9));
    // bg[0,1) vs bg[0,2) IoU exactly 0.5 counts; gt bg[4,5) stays unmatched
    assertThat(noBg.f1At50()).isCloseTo(100.0 * 1.5 / 1.75, within(1e-9));
  }

  @Test
  void multiVideoPoolingSumsFramesAndCountsButAveragesEdit() {
    SegmentationAccumulator acc = new SegmentationAccumulator(BG);
    acc.add(seq("a a a b b b b c c c"), seq("a a b b b b b c a a")); // 7/10, edit 75
    acc.add(seq("_ _ a a _ b b"), seq("_ a a a b b b")); // 5/7, edit 100
    SegmentationScores s = acc.scores();
    assertThat(s.videos()).isEqualTo(2);
    assertThat(s.frames()).isEqualTo(17);
    assertThat(s.acc()).isCloseTo(1200.0 / 17, within(1e-9));
    assertThat(s.edit()).isCloseTo(87.5, within(1e-9));
    // @10: (3,1,0) + (2,0,0) -> 10/11; @50: (2,2,1) + (2,0,0) = (4,2,1): P 2/3, R 4/5 -> 8/11,
    // not the mean of per-video F1
    assertThat(s.f1At50()).isCloseTo(800.0 / 11, within(1e-9));
    assertThat(s.toJson())
        .isEqualTo(
            "{\"acc\":70.5882,\"edit\":87.5000,\"f1@10\":90.9091,\"f1@25\":90.9091,"
                + "\"f1@50\":72.7273}");
  }

  @Test
  void greedyMatchingCountsASecondHitOnTheSameSegmentAsFalsePositive() {
    // pred a[0,2) b[2,3) a[3,4) vs gt a[0,4): first a matches (IoU .5), b has no same-label
    // segment, second a's best (only) match is already taken.
    assertThat(SegmentationMetrics.fScore(seq("a a b a"), seq("a a a a"), 0.1, NONE))
        .isEqualTo(new SegmentationMetrics.Counts(1, 2, 0));
    assertThat(new SegmentationMetrics.Counts(1, 2, 0).f1Percent()).isCloseTo(50.0, within(1e-9));
    // one long prediction picks the best-overlapping of two same-label truths; the other is missed
    assertThat(SegmentationMetrics.fScore(seq("a a a a a a a"), seq("a a a a b a a"), 0.5, NONE))
        .isEqualTo(new SegmentationMetrics.Counts(1, 0, 2));
  }

  @Test
  void emptyAndAllBackgroundPredictions() {
    List<String> gt = seq("a a b");
    List<String> allBg = seq("_ _ _");
    assertThat(SegmentationMetrics.editScore(allBg, gt, BG)).isEqualTo(0.0);
    assertThat(SegmentationMetrics.fScore(allBg, gt, 0.1, BG))
        .isEqualTo(new SegmentationMetrics.Counts(0, 0, 2));
    SegmentationScores s = new SegmentationAccumulator(BG).add(gt, allBg).scores();
    assertThat(s.f1At10()).isEqualTo(0.0); // 0/0 precision -> nan -> 0 as the script's nan_to_num
    // nothing to find and nothing found: edit 100 (the script would print nan)
    assertThat(SegmentationMetrics.editScore(allBg, allBg, BG)).isEqualTo(100.0);
    // predictions in a video without ground-truth segments are false positives
    assertThat(SegmentationMetrics.fScore(gt, allBg, 0.1, BG))
        .isEqualTo(new SegmentationMetrics.Counts(0, 2, 0));
    // a zero-frame video adds no frames and edit 100
    SegmentationScores z =
        new SegmentationAccumulator(BG).add(List.of(), List.of()).add(gt, gt).scores();
    assertThat(z.acc()).isEqualTo(100.0);
    assertThat(z.edit()).isEqualTo(100.0);
    assertThatThrownBy(() -> new SegmentationAccumulator().scores())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new SegmentationAccumulator().add(gt, seq("a a")))
        .hasMessageContaining("3 frames")
        .hasMessageContaining("2");
  }

  @Test
  void integerLabelsGoThroughNames() {
    SegmentationScores s =
        new SegmentationAccumulator(BG)
            .add(new int[] {0, 1, 1, 2}, new int[] {0, 1, 2, 2}, List.of("background", "x", "y"))
            .scores();
    assertThat(s.acc()).isEqualTo(75.0);
    assertThat(s.edit()).isEqualTo(100.0);
  }

  private static List<String> chars(String s) {
    return s.chars().mapToObj(c -> String.valueOf((char) c)).toList();
  }
}
