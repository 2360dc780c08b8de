package io.selfstream.trainer.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MUST terms on small tensors with hand-computed values. */
class MustLossesTest {

  private static final float LN2 = (float) Math.log(2);
  private static final float LN3 = (float) Math.log(3);

  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  private NDArray a(float[] v, long... shape) {
    return m.create(v, new Shape(shape));
  }

  @Test
  void pseudoLabelTargetsAreOneHotForConfidentRowsOnly() {
    NDArray probs = a(new float[] {0.8f, 0.1f, 0.1f, 0.4f, 0.35f, 0.25f, 0.1f, 0.2f, 0.7f}, 3, 3);
    NDArray t = MustLosses.pseudoLabelTargets(probs, 0.7f);
    assertThat(t.toFloatArray()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(MustLosses.confidentMask(t).toFloatArray()).containsExactly(1, 0, 1);
  }

  @Test
  void confidentCrossEntropyAveragesOverConfidentSamplesOnly() {
    // row 0: uniform over 3, label 0 -> ln 3; row 1 unconfident (ignored, however wrong);
    // row 2: p = (1/4, 1/4, 1/2), label 2 -> ln 2; mean over the 2 confident rows
    NDArray logits = a(new float[] {0, 0, 0, 9, -9, 0, 0, 0, LN2}, 3, 3);
    NDArray targets = a(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 1}, 3, 3);
    assertThat(MustLosses.confidentCrossEntropy(logits, targets).getFloat())
        .isCloseTo(0.8958797f, offset(1e-5f));
    NDArray none = a(new float[9], 3, 3);
    assertThat(MustLosses.confidentCrossEntropy(logits, none).getFloat()).isEqualTo(0f);
  }

  @Test
  void fairnessIsLogKWhenBalancedAndGrowsWhenPredictionsPileUp() {
    assertThat(MustLosses.fairness(a(new float[8], 2, 4)).getFloat())
        .isCloseTo((float) Math.log(4), offset(1e-6f));
    // p1 = (3/4, 1/4), p2 = (1/2, 1/2): pbar = (5/8, 3/8); -(ln 5/8 + ln 3/8) / 2
    NDArray logits = a(new float[] {LN3, 0, 0, 0}, 2, 2);
    assertThat(MustLosses.fairness(logits).getFloat()).isCloseTo(0.7254164f, offset(1e-5f));
    assertThat(MustLosses.fairness(logits).getFloat()).isGreaterThan((float) Math.log(2));
  }

  @Test
  void reconstructionIsL1OverMaskedPatchesOnly() {
    // 2x2 image, patch 1: four one-pixel patches; |diff| = 1, 2, 3, 6; patch 1 unmasked
    NDArray images = a(new float[] {0, 0, 0, 10}, 1, 1, 2, 2);
    NDArray recon = a(new float[] {1, 2, 3, 4}, 1, 4, 1);
    NDArray mask = a(new float[] {1, 0, 1, 1}, 1, 4);
    assertThat(MustLosses.maskedReconstruction(recon, images, mask, 1).getFloat())
        .isCloseTo(3.3333222f, offset(1e-5f));
  }

  @Test
  void alignmentClassifiesMaskedPatchesOfConfidentImagesAgainstTheirPseudoLabel() {
    // identity head: patch logits = tokens. Image 0 (label 0): tokens (ln 3, 0) -> -ln 3/4 and
    // (0, 0) -> ln 2; image 1 has no pseudo-label, so its patches do not count
    NDArray tokens = a(new float[] {LN3, 0, 0, 0, 5, -5, -5, 5}, 2, 2, 2);
    NDArray w = a(new float[] {1, 0, 0, 1}, 2, 2);
    NDArray b = a(new float[] {0, 0}, 2);
    NDArray targets = a(new float[] {1, 0, 0, 0}, 2, 2);
    NDArray mask = a(new float[] {1, 1, 1, 1}, 2, 2);
    assertThat(MustLosses.alignment(tokens, w, b, targets, mask).getFloat())
        .isCloseTo(0.4904146f, offset(1e-5f));
    // only the first patch of image 0 masked: -ln 3/4
    NDArray one = a(new float[] {1, 0, 1, 1}, 2, 2);
    assertThat(MustLosses.alignment(tokens, w, b, targets, one).getFloat())
        .isCloseTo((float) -Math.log(0.75), offset(1e-5f));
  }

  @Test
  void entropyIsTheMeanShannonEntropyOfThePredictions() {
    NDArray logits = a(new float[] {0, 0, LN3, 0}, 2, 2);
    assertThat(MustLosses.entropy(logits).getFloat()).isCloseTo(0.6277412f, offset(1e-5f));
  }
}
