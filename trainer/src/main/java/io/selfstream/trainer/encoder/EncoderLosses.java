package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Losses of the encoder objectives, on NDArrays (results live in the inputs' manager). */
public final class EncoderLosses {

  private EncoderLosses() {}

  /**
   * Target distributions for hard labels with label smoothing {@code eps}: {@code 1 - eps + eps/K}
   * on the label, {@code eps/K} elsewhere.
   */
  public static NDArray smoothedTargets(
      NDManager manager, int[] labels, int numClasses, float eps) {
    if (!(eps >= 0 && eps < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + eps);
    }
    float off = eps / numClasses;
    float on = 1f - eps + off;
    float[] t = new float[labels.length * numClasses];
    java.util.Arrays.fill(t, off);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " outside [0, " + numClasses + ") at " + i);
      }
      t[i * numClasses + labels[i]] = on;
    }
    return manager.create(t, new Shape(labels.length, numClasses));
  }

  /** Mean cross-entropy of {@code logits (N, K)} against target distributions {@code (N, K)}. */
  public static NDArray crossEntropy(NDArray logits, NDArray targets) {
    return logits.logSoftmax(-1).mul(targets).sum(new int[] {1}).mean().neg();
  }

  /** Mean cross-entropy against hard labels with label smoothing {@code eps}. */
  public static NDArray crossEntropy(NDArray logits, int[] labels, float eps) {
    NDArray targets =
        smoothedTargets(logits.getManager(), labels, (int) logits.getShape().get(1), eps)
            .toDevice(logits.getDevice(), false);
    return crossEntropy(logits, targets);
  }

  /**
   * Cuts {@code (N, C, H, W)} images into {@code (N, L, patch*patch*C)} patch vectors: patches
   * row-major over the grid, pixels within a patch ordered row, column, channel (the layout of the
   * SimMIM head's output).
   */
  public static NDArray patchify(NDArray images, int patch) {
    Shape s = images.getShape();
    long n = s.get(0), c = s.get(1), gh = s.get(2) / patch, gw = s.get(3) / patch;
    return images
        .reshape(n, c, gh, patch, gw, patch)
        .transpose(0, 2, 4, 3, 5, 1)
        .reshape(n, gh * gw, (long) patch * patch * c);
  }

  /**
   * SimMIM reconstruction loss: L1 between {@code prediction} and {@code target} (both {@code (N,
   * L, P)}) averaged over the pixels of masked patches only ({@code mask (N, L)}, 1 = masked). Zero
   * when nothing is masked.
   */
  public static NDArray maskedL1(NDArray prediction, NDArray target, NDArray mask) {
    NDArray perPatch = prediction.sub(target).abs().mean(new int[] {2});
    NDArray m = mask.toType(perPatch.getDataType(), false);
    return perPatch.mul(m).sum().div(m.sum().add(1e-5f));
  }
}
