package io.selfstream.graphreasoning.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.graphreasoning.data.Features;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameSwapTest {

  @Test
  void knownPermutationGivesExpectedPairsAndLabels() {
    // rows of the permutation: [3 7 0 1 2] and [4 5 6 8 9]; 10 frames x 0.2 -> 1 pair (3, 4)
    int[] perm = {3, 7, 0, 1, 2, 4, 5, 6, 8, 9};
    FrameSwap one = FrameSwap.fromPermutation(perm, 0.2);
    assertThat(one.index()).containsExactly(0, 1, 2, 4, 3, 5, 6, 7, 8, 9);
    assertThat(one.labels()).containsExactly(0, 0, 0, 1, 1, 0, 0, 0, 0, 0);
    // 0.4 -> 2 pairs (3, 4) and (7, 5)
    FrameSwap two = FrameSwap.fromPermutation(perm, 0.4);
    assertThat(two.index()).containsExactly(0, 1, 2, 4, 3, 7, 6, 5, 8, 9);
    assertThat(two.labels()).containsExactly(0, 0, 0, 1, 1, 1, 0, 1, 0, 0);
    // odd length: rows [4 0] and [1 2], the last entry unused; 5 x 0.5 -> 1 pair (4, 1)
    FrameSwap odd = FrameSwap.fromPermutation(new int[] {4, 0, 1, 2, 3}, 0.5);
    assertThat(odd.index()).containsExactly(0, 4, 2, 3, 1);
    assertThat(odd.labels()).containsExactly(0, 1, 0, 0, 1);
  }

  @Test
  void appliesToFeaturesAndExchangesAboutTheRate() {
    Features f =
        new Features(
            2,
            10,
            new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
    FrameSwap s = FrameSwap.fromPermutation(new int[] {3, 7, 0, 1, 2, 4, 5, 6, 8, 9}, 0.2);
    assertThat(s.apply(f).data())
        .containsExactly(0, 1, 2, 4, 3, 5, 6, 7, 8, 9, 10, 11, 12, 14, 13, 15, 16, 17, 18, 19);
    FrameSwap r = FrameSwap.sample(1000, 0.2, new Random(1));
    assertThat(r.exchanged()).isEqualTo(200);
    for (int t = 0; t < 1000; t++) {
      assertThat(r.index()[r.index()[t]]).isEqualTo(t); // an involution
      assertThat(r.labels()[t] == 1).isEqualTo(r.index()[t] != t);
    }
    assertThat(FrameSwap.sample(1, 0.2, new Random(1)).exchanged()).isZero();
  }
}
