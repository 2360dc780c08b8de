package io.selfstream.graphreasoning.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.selfstream.graphreasoning.model.LossConfig;
import io.selfstream.graphreasoning.model.SwapTaskConfig;

/**
 * Total training loss of an MS-TCN or DTGRM model as a DJL {@link Loss}.
 *
 * <p>Labels: {@code target (B, L)} int64, {@code mask (B, L)} float, and for DTGRM {@code
 * swapLabels (B, L)} int64. Predictions: the model outputs, {@code N} stage logits, or {@code 3N}
 * for DTGRM in training ({@link io.selfstream.graphreasoning.model.Dtgrm}).
 *
 * <p>Loss = sum over stages of {@link StageLoss}; for DTGRM plus, per stage, {@code
 * correctionWeight} x CE + lambda x smoothing of the class logits on the exchanged sequence and
 * {@code detectionWeight} x CE of the exchanged/not-exchanged logits (the reference code's 0.5 and
 * 2).
 */
public final class SegmentationLoss extends Loss {

  private final int stages;
  private final StageLoss stage;
  private final SwapTaskConfig swap;

  /**
   * @param swap the auxiliary task weights, or null for MS-TCN
   */
  public SegmentationLoss(int stages, LossConfig loss, SwapTaskConfig swap) {
    super("SegmentationLoss");
    this.stages = stages;
    this.stage = new StageLoss(loss);
    this.swap = swap;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray target = labels.get(0);
    NDArray mask = labels.get(1);
    NDArray total = null;
    for (int s = 0; s < stages; s++) {
      total = plus(total, stage.evaluate(predictions.get(s), target, mask));
    }
    if (predictions.size() >= 3 * stages) {
      if (swap == null || labels.size() < 3) {
        throw new IllegalArgumentException("swap-task outputs need swap labels and weights");
      }
      total = plus(total, swapLoss(predictions, target, labels.get(2), mask));
    }
    return total;
  }

  /** The auxiliary-task part alone (outputs {@code N..3N-1}). */
  public NDArray swapLoss(NDList predictions, NDArray target, NDArray swapLabels, NDArray mask) {
    NDArray total = null;
    for (int s = 0; s < stages; s++) {
      NDArray corrected = predictions.get(stages + s);
      total =
          plus(
              total,
              StageLoss.crossEntropy(corrected, target, mask)
                  .mul((float) swap.correctionWeight())
                  .add(
                      stage
                          .smoothing(corrected, mask)
                          .mul((float) stage.config().smoothingWeight())));
      NDArray found = predictions.get(2 * stages + s);
      total =
          total.add(
              StageLoss.crossEntropy(found, swapLabels, mask).mul((float) swap.detectionWeight()));
    }
    return total;
  }

  private static NDArray plus(NDArray a, NDArray b) {
    return a == null ? b : a.add(b);
  }
}
