package io.selfstream.graphreasoning.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfstream.graphreasoning.model.LossConfig;

/**
 * The per-stage loss of MS-TCN: frame-wise cross-entropy over valid frames plus {@code lambda} x
 * the truncated MSE between the log-probabilities of neighbouring frames, {@code mean(clamp((log
 * p_t - log p_{t-1})^2, 0, tau) * mask_t)}, with the previous frame detached. The mean runs over
 * batch, classes and the {@code L-1} frame pairs, padded ones included, as in the reference code.
 *
 * <p>Shapes: {@code logits (B, C, L)}, {@code target (B, L)} int64 (any value where masked), {@code
 * mask (B, L)} float, 1 for real frames.
 */
public final class StageLoss {

  private final LossConfig cfg;

  public StageLoss(LossConfig cfg) {
    this.cfg = cfg;
  }

  public LossConfig config() {
    return cfg;
  }

  /** CE + lambda x truncated MSE. */
  public NDArray evaluate(NDArray logits, NDArray target, NDArray mask) {
    return crossEntropy(logits, target, mask)
        .add(smoothing(logits, mask).mul((float) cfg.smoothingWeight()));
  }

  /** Mean negative log-likelihood of the target class over the masked frames. */
  public static NDArray crossEntropy(NDArray logits, NDArray target, NDArray mask) {
    int classes = (int) logits.getShape().get(1);
    NDArray logp = logits.logSoftmax(1);
    NDArray oneHot =
        target.toType(DataType.INT64, false).oneHot(classes, logp.getDataType()).transpose(0, 2, 1);
    NDArray nll = logp.mul(oneHot).sum(new int[] {1}).neg(); // (B, L)
    return nll.mul(mask).sum().div(mask.sum().maximum(1f));
  }

  /** The truncated MSE smoothing term (0 for sequences shorter than 2 frames). */
  public NDArray smoothing(NDArray logits, NDArray mask) {
    long length = logits.getShape().get(2);
    if (length < 2) {
      return logits.getManager().zeros(new ai.djl.ndarray.types.Shape(), logits.getDataType());
    }
    NDArray logp = logits.logSoftmax(1);
    NDArray current = logp.get(":, :, 1:");
    NDArray previous = logp.stopGradient().get(":, :, :-1");
    NDArray sq = current.sub(previous).square().clip(0f, (float) cfg.clamp());
    return sq.mul(mask.get(":, 1:").expandDims(1)).mean();
  }
}
