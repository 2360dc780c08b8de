package io.selfstream.trainer.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class CollapseGuardTest {

  @Test
  void entropyAndShareOfHistograms() {
    assertThat(CollapseGuard.entropy(new int[] {5, 5})).isCloseTo(Math.log(2), offset(1e-12));
    assertThat(CollapseGuard.entropy(new int[] {0, 7})).isEqualTo(0);
    assertThat(CollapseGuard.dominantShare(new int[] {1, 3})).isEqualTo(0.75);
    assertThat(CollapseGuard.dominantShare(new int[] {0, 0})).isEqualTo(0);
  }

  @Test
  void nonFiniteLossOrGradientFiresAtOnce() {
    CollapseGuard g = new CollapseGuard(3, 0.1, 0.9, 5);
    assertThat(g.check(new int[] {0, 1, 2}, Double.NaN, 1).reason()).contains("non-finite loss");
    assertThat(g.check(new int[] {0, 1, 2}, 1, Double.POSITIVE_INFINITY).reason())
        .contains("non-finite gradient");
    assertThat(g.check(new int[] {0, 1, 2}, 1, 1).fired()).isFalse();
  }

  @Test
  void collapseIsJudgedOnTheWindowNotOneBatch() {
    CollapseGuard g = new CollapseGuard(3, 0.1, 0.8, 3);
    // one skewed batch among balanced ones: the window stays healthy
    assertThat(g.check(new int[] {0, 1, 2}, 1, 1).fired()).isFalse();
    assertThat(g.check(new int[] {0, 0, 0}, 1, 1).fired()).isFalse();
    assertThat(g.check(new int[] {0, 1, 2}, 1, 1).fired()).isFalse();
    // a whole window on class 0 fires on the dominance or entropy rule
    g.check(new int[] {0, 0, 0}, 1, 1);
    g.check(new int[] {0, 0, 0}, 1, 1);
    CollapseGuard.Verdict v = g.check(new int[] {0, 0, 0}, 1, 1);
    assertThat(v.fired()).isTrue();
    assertThat(v.dominantShare()).isEqualTo(1.0);
    assertThat(v.entropy()).isEqualTo(0);
    g.reset();
    assertThat(g.check(new int[] {0, 0, 0}, 1, 1).fired()).as("window not full").isFalse();
  }
}
