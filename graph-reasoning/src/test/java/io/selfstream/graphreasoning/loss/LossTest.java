package io.selfstream.graphreasoning.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.selfstream.graphreasoning.model.LossConfig;
import io.selfstream.graphreasoning.model.SwapTaskConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LossTest {

  private NDManager m;

  @BeforeEach
  void setUp() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  /** (1, 2, 3) logits: frame 0 [0, 0], frame 1 [ln 3, 0], frame 2 [5, -5] (padded). */
  private NDArray logits() {
    float l3 = (float) Math.log(3);
    return m.create(new float[] {0, l3, 5, 0, 0, -5}, new Shape(1, 2, 3));
  }

  @Test
  void crossEntropyAveragesOverRealFrames() {
    NDArray target = m.create(new long[] {0, 0, 1}, new Shape(1, 3));
    NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
    double expected = (Math.log(2) - Math.log(0.75)) / 2;
    assertThat(StageLoss.crossEntropy(logits(), target, mask).getFloat())
        .isCloseTo((float) expected, within(1e-5f));
  }

  @Test
  void truncatedMseOnLogProbabilityDifferences() {
    StageLoss loss = new StageLoss(LossConfig.paper());
    NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
    // pair (0,1): (ln 1.5)^2 + (ln 0.5)^2; pair (1,2) masked; mean over 1 x 2 x 2 entries
    double expected = (Math.pow(Math.log(1.5), 2) + Math.pow(Math.log(0.5), 2)) / 4;
    assertThat(loss.smoothing(logits(), mask).getFloat())
        .isCloseTo((float) expected, within(1e-5f));
    // unmasked: pair (1,2) differences are large and clamp at 16
    NDArray all = m.ones(new Shape(1, 3));
    float[] lp1 = {(float) Math.log(0.75), (float) Math.log(0.25)};
    double lp2a = -Math.log1p(Math.exp(-10));
    double lp2b = -10 - Math.log1p(Math.exp(-10));
    double pair2 =
        Math.min(16, Math.pow(lp2a - lp1[0], 2)) + Math.min(16, Math.pow(lp2b - lp1[1], 2));
    assertThat(Math.pow(lp2b - lp1[1], 2)).isGreaterThan(16);
    assertThat(loss.smoothing(logits(), all).getFloat())
        .isCloseTo((float) ((expected * 4 + pair2) / 4), within(1e-4f));
  }

  @Test
  void previousFrameIsDetached() {
    StageLoss loss = new StageLoss(LossConfig.paper());
    NDArray x = m.create(new float[] {0, 1, 0, 0}, new Shape(1, 2, 2));
    x.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(loss.smoothing(x, m.ones(new Shape(1, 2))));
    }
    float[] g = x.getGradient().toFloatArray(); // [c0t0, c0t1, c1t0, c1t1]
    assertThat(g[0]).isZero();
    assertThat(g[2]).isZero();
    assertThat(Math.abs(g[1]) + Math.abs(g[3])).isPositive();
  }

  @Test
  void dtgrmLossAddsTheSwapTask() {
    int stages = 2;
    int classes = 4;
    SegmentationLoss loss =
        new SegmentationLoss(stages, LossConfig.paper(), SwapTaskConfig.paper());
    NDList preds = new NDList();
    for (int i = 0; i < 3 * stages; i++) {
      preds.add(m.zeros(new Shape(1, i < 2 * stages ? classes : 2, 5)));
    }
    NDArray target = m.create(new long[] {0, 1, 2, 3, 3}, new Shape(1, 5));
    NDArray swap = m.create(new long[] {0, 1, 1, 0, 0}, new Shape(1, 5));
    NDArray mask = m.ones(new Shape(1, 5));
    // uniform outputs: CE ln C per stage, smoothing 0, swap CE ln 2
    double expected =
        stages * Math.log(classes) + stages * (0.5 * Math.log(classes) + 2 * Math.log(2));
    assertThat(loss.evaluate(new NDList(target, mask, swap), preds).getFloat())
        .isCloseTo((float) expected, within(1e-4f));
    // MS-TCN style: only the stage outputs
    SegmentationLoss plain = new SegmentationLoss(stages, LossConfig.paper(), null);
    assertThat(
            plain
                .evaluate(new NDList(target, mask), new NDList(preds.get(0), preds.get(1)))
                .getFloat())
        .isCloseTo((float) (stages * Math.log(classes)), within(1e-4f));
  }
}
