package io.selfstream.trainer.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import io.selfstream.trainer.encoder.EncoderLosses;

/**
 * The MUST objectives as small pure functions on NDArrays (results live in the inputs' manager).
 * Pseudo-labels travel as a target matrix {@code (N, K)}: one-hot rows for confident samples, zero
 * rows for the rest, so every term can weight samples without host round trips.
 */
public final class MustLosses {

  /** Floor of the batch-mean probability inside the fairness log (keeps it finite). */
  static final float FAIR_FLOOR = 1e-8f;

  private MustLosses() {}

  /**
   * Pseudo-label targets from teacher probabilities {@code (N, K)}: row {@code i} is the one-hot of
   * {@code argmax p_i} when {@code max p_i >= threshold}, else all zero.
   */
  public static NDArray pseudoLabelTargets(NDArray teacherProbs, float threshold) {
    long k = teacherProbs.getShape().get(1);
    NDArray max = teacherProbs.max(new int[] {1}, true);
    NDArray oneHot = teacherProbs.argMax(1).oneHot((int) k).toType(DataType.FLOAT32, false);
    NDArray confident = max.gte(threshold).toType(DataType.FLOAT32, false);
    return oneHot.mul(confident);
  }

  /** Per-sample confidence flags {@code (N,)} (1 = has a pseudo-label) of a target matrix. */
  public static NDArray confidentMask(NDArray targets) {
    return targets.sum(new int[] {1});
  }

  /**
   * Mean cross-entropy of {@code logits (N, K)} against the confident rows of {@code targets} (zero
   * rows are skipped, not counted); 0 when no sample is confident.
   */
  public static NDArray confidentCrossEntropy(NDArray logits, NDArray targets) {
    NDArray perSample = logits.logSoftmax(-1).mul(targets).sum(new int[] {1}).neg();
    return perSample.sum().div(confidentMask(targets).sum().maximum(1f));
  }

  /**
   * MUST's fairness regulariser {@code -(1/K) sum_k log pbar_k} with {@code pbar} the batch-mean of
   * {@code softmax(logits)}: minimal ({@code log K}) when the batch's predictions are spread evenly
   * over the classes, large when they pile onto a few. It is what keeps pseudo-label self-training
   * from collapsing onto the classes a corruption pushes the model towards.
   */
  public static NDArray fairness(NDArray logits) {
    NDArray mean = logits.softmax(-1).mean(new int[] {0});
    return mean.maximum(FAIR_FLOOR).log().mean().neg();
  }

  /**
   * SimMIM reconstruction: L1 between the decoder output {@code (N, L, P)} and the normalised input
   * {@code images (N, C, H, W)} cut into model patches, over the masked patches of {@code mask (N,
   * L)} only (reuses {@link EncoderLosses}).
   */
  public static NDArray maskedReconstruction(
      NDArray reconstruction, NDArray images, NDArray mask, int patchSize) {
    return EncoderLosses.maskedL1(reconstruction, EncoderLosses.patchify(images, patchSize), mask);
  }

  /**
   * Global-local alignment: each masked patch token {@code (N, L, D)} is classified by the shared
   * classification head ({@code headWeight (K, D)}, {@code headBias (K)}) and pulled, by
   * cross-entropy, towards its image's pseudo-label; averaged over (masked patch, confident image)
   * pairs, 0 when there are none.
   *
   * <p>Why this form rather than cosine-aligning patch tokens to the class token: the target is the
   * teacher's global decision, so the local features of regions the student could not see must
   * carry the class evidence of the whole image (MUST's "local features regularised by the global
   * pseudo-label"); it uses no extra projection head, so the published model keeps its parameter
   * layout; and, unlike a student-to-student cosine, it has no trivial minimum where all tokens
   * become identical, which would be a collapse direction on an unlabeled stream.
   */
  public static NDArray alignment(
      NDArray patchTokens, NDArray headWeight, NDArray headBias, NDArray targets, NDArray mask) {
    NDArray patchLogits = Linear.linear(patchTokens, headWeight, headBias).head(); // (N, L, K)
    NDArray perPatch =
        patchLogits.logSoftmax(-1).mul(targets.expandDims(1)).sum(new int[] {2}).neg(); // (N, L)
    NDArray weight = mask.toType(DataType.FLOAT32, false).mul(confidentMask(targets).expandDims(1));
    return perPatch.mul(weight).sum().div(weight.sum().maximum(1f));
  }

  /** Mean Shannon entropy (nats) of {@code softmax(logits)} over the batch: TENT's objective. */
  public static NDArray entropy(NDArray logits) {
    NDArray logp = logits.logSoftmax(-1);
    return logp.exp().mul(logp).sum(new int[] {1}).mean().neg();
  }
}
