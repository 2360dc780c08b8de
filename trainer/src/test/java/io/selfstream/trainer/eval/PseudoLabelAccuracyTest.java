package io.selfstream.trainer.eval;

import static io.selfstream.trainer.adapt.AdaptationMethod.SELFSTREAM;
import static io.selfstream.trainer.adapt.AdaptationMethod.SELFTRAIN;
import static io.selfstream.trainer.adapt.AdaptationMethod.TENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.trainer.adapt.AdaptationMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

class PseudoLabelAccuracyTest {

  /** One batch of {@code labels} for frames cam#from, cam#from+1, ... */
  private static void report(PseudoLabelAccuracy a, AdaptationMethod m, long from, int... labels) {
    String[] sources = new String[labels.length];
    long[] seqs = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      sources[i] = "cam";
      seqs[i] = from + i;
    }
    a.onPseudoLabels(m, sources, seqs, labels);
  }

  @Test
  void joinsPseudoLabelsAndTruthInEitherOrder() {
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(100, 100, 100);
    // truth first for seq 0..3
    a.onTruth("cam", 0, 1);
    a.onTruth("cam", 1, 2);
    a.onTruth("cam", 2, 3);
    a.onTruth("cam", 3, 4);
    // seq 0..5: right, wrong, none, right, (4, 5 wait for their truth)
    report(a, SELFSTREAM, 0, 1, 9, -1, 4, 5, 6);
    PseudoLabelAccuracy.Snapshot s = a.snapshot(SELFSTREAM);
    assertThat(s.samples()).isEqualTo(6);
    assertThat(s.pseudoLabeled()).isEqualTo(5);
    assertThat(s.matched()).isEqualTo(3);
    assertThat(s.correct()).isEqualTo(2);
    assertThat(s.accuracy()).isEqualTo(2 / 3.0);
    assertThat(s.pending()).isEqualTo(2);
    assertThat(s.confidentShare()).isEqualTo(5 / 6.0);
    // truth after the pseudo-labels: seq 4 right, seq 5 wrong
    a.onTruth("cam", 4, 5);
    a.onTruth("cam", 5, 0);
    s = a.snapshot(SELFSTREAM);
    assertThat(s.matched()).isEqualTo(5);
    assertThat(s.correct()).isEqualTo(3);
    assertThat(s.accuracy()).isEqualTo(0.6);
    assertThat(s.recentAccuracy()).isEqualTo(0.6);
    assertThat(s.pending()).isZero();
    assertThat(s.unmatched()).isZero();
  }

  @Test
  void everyMethodMatchesTheSameTruthAndOtherSourcesDoNotCollide() {
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(100, 100, 100);
    a.onTruth("cam", 0, 7);
    a.onTruth("cam", 1, 7);
    a.onTruth("other", 0, 3);
    report(a, SELFSTREAM, 0, 7, 7);
    report(a, SELFTRAIN, 0, 7, 3);
    a.onPseudoLabels(SELFTRAIN, new String[] {"other"}, new long[] {0}, new int[] {3});
    report(a, TENT, 0, -1, -1);
    assertThat(a.snapshot(SELFSTREAM).accuracy()).isEqualTo(1.0);
    assertThat(a.snapshot(SELFTRAIN).accuracy()).isEqualTo(2 / 3.0);
    PseudoLabelAccuracy.Snapshot tent = a.snapshot(TENT);
    assertThat(tent.samples()).isEqualTo(2);
    assertThat(tent.confidentShare()).isZero();
    assertThat(tent.accuracy()).isNaN();
    assertThat(a.snapshot().keySet()).containsExactly(SELFSTREAM, SELFTRAIN, TENT);
    assertThat(a.snapshot(AdaptationMethod.SOURCE).accuracy()).isNaN();
  }

  @Test
  void theRecentWindowFollowsTheNewestMatches() {
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(100, 100, 4);
    for (int i = 0; i < 10; i++) {
      a.onTruth("cam", i, 0);
    }
    // 6 right, then 4 wrong: overall 60 %, the window of 4 holds only the wrong ones
    report(a, SELFSTREAM, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1);
    PseudoLabelAccuracy.Snapshot s = a.snapshot(SELFSTREAM);
    assertThat(s.accuracy()).isEqualTo(0.6);
    assertThat(s.recentAccuracy()).isEqualTo(0.0);
    assertThat(a.recentAccuracy(SELFSTREAM)).isEqualTo(0.0);
    // confident share over the last 4 samples: 2 of 4
    report(a, SELFSTREAM, 20, -1, -1, 0, 0);
    s = a.snapshot(SELFSTREAM);
    assertThat(s.recentConfidentShare()).isEqualTo(0.5);
    assertThat(s.confidentShare()).isEqualTo(12 / 14.0);
  }

  @Test
  void buffersAreBoundedAndDroppedPseudoLabelsCountAsUnmatched() {
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(3, 2, 10);
    // three pseudo-labels wait, the buffer holds two: the oldest (seq 0) is dropped
    report(a, SELFSTREAM, 0, 1, 1, 1);
    PseudoLabelAccuracy.Snapshot s = a.snapshot(SELFSTREAM);
    assertThat(s.pending()).isEqualTo(2);
    assertThat(s.unmatched()).isEqualTo(1);
    a.onTruth("cam", 0, 1); // too late for seq 0
    a.onTruth("cam", 1, 1);
    a.onTruth("cam", 2, 0);
    s = a.snapshot(SELFSTREAM);
    assertThat(s.matched()).isEqualTo(2);
    assertThat(s.correct()).isEqualTo(1);
    assertThat(s.pending()).isZero();
    // truths: 0, 1, 2 held; a fourth evicts seq 0, so a late pseudo-label for it waits
    a.onTruth("cam", 3, 1);
    assertThat(a.truthsBuffered()).isEqualTo(3);
    assertThat(a.truthsEvicted()).isEqualTo(1);
    report(a, SELFTRAIN, 0, 1, 1);
    assertThat(a.snapshot(SELFTRAIN).matched()).isEqualTo(1); // seq 1 only
    assertThat(a.snapshot(SELFTRAIN).pending()).isEqualTo(1); // seq 0 waits in vain
  }

  @Test
  void theSameSampleWaitingTwiceKeepsTheNewerPseudoLabel() {
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(10, 10, 10);
    report(a, SELFSTREAM, 5, 2);
    report(a, SELFSTREAM, 5, 3);
    a.onTruth("cam", 5, 3);
    PseudoLabelAccuracy.Snapshot s = a.snapshot(SELFSTREAM);
    assertThat(s.samples()).isEqualTo(2);
    assertThat(s.matched()).isEqualTo(1);
    assertThat(s.correct()).isEqualTo(1);
    assertThat(s.unmatched()).isEqualTo(1);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new PseudoLabelAccuracy(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    PseudoLabelAccuracy a = new PseudoLabelAccuracy();
    assertThatThrownBy(
            () -> a.onPseudoLabels(SELFSTREAM, new String[] {"c"}, new long[0], new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theGaugeReadsTheRecentAccuracyPerMethodAndGoesOnClose() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PseudoLabelAccuracy a = new PseudoLabelAccuracy(100, 100, 100);
    try (PseudoLabelMeters meters = new PseudoLabelMeters(registry, a, List.of(SELFSTREAM, TENT))) {
      assertThat(
              registry.get(PseudoLabelMeters.ACCURACY).tag("method", "selfstream").gauge().value())
          .isNaN();
      a.onTruth("cam", 0, 1);
      a.onTruth("cam", 1, 1);
      report(a, SELFSTREAM, 0, 1, 2);
      assertThat(
              registry.get(PseudoLabelMeters.ACCURACY).tag("method", "selfstream").gauge().value())
          .isEqualTo(0.5);
      assertThat(registry.get(PseudoLabelMeters.ACCURACY).tag("method", "tent").gauge().value())
          .isNaN();
    }
    assertThat(registry.find(PseudoLabelMeters.ACCURACY).gauges()).isEmpty();
    new PseudoLabelMeters(null, a, List.of(SELFSTREAM)).close(); // no registry: no meters
  }
}
