package io.selfstream.trainer.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.selfstream.graphreasoning.engine.GradientLock;
import io.selfstream.trainer.encoder.DecoupledAdamW;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.ImageTensors;
import io.selfstream.trainer.encoder.VisionTransformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TENT (Wang et al.): minimise the entropy of the model's predictions on the weak view, training
 * only the LayerNorm affine parameters (gamma, beta; everything else frozen) with its own learning
 * rate. The adapted model itself is served. Our ViT has no batch norm, so there are no statistics
 * to re-estimate: the norm affines are the whole adaptation.
 */
final class TentLearner extends BaseLearner {

  TentLearner(AdaptConfig config, Encoder model) {
    super(AdaptationMethod.TENT, config, model, null, normAffineNames(model));
  }

  /** LayerNorm scale and shift parameters: DJL names them {@code gamma} and {@code beta}. */
  static java.util.Set<String> normAffineNames(Encoder model) {
    return names(
        model,
        p -> p.getValue().getName().equals("gamma") || p.getValue().getName().equals("beta"));
  }

  @Override
  protected double baseLearningRate() {
    return config.tentLearningRate();
  }

  /** Package-private for tests: the adapted model. */
  Encoder adapted() {
    return model;
  }

  @Override
  public StepReport step(ViewBatch batch) {
    if (batch.size() == 0) {
      throw new IllegalArgumentException("empty batch");
    }
    noGradOutsideCollectors();
    float lr = currentLearningRate();
    try (NDManager scope = model.manager().newSubManager()) {
      NDArray weak = ImageTensors.images(scope, batch.weak(), encoderConfig);
      Map<String, Double> terms = new LinkedHashMap<>();
      float loss;
      int[] labels;
      synchronized (GradientLock.ENGINE) { // one gradient collector per process (DJL)
        try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
          NDArray logits = model.forward(weak, null, true).get(VisionTransformer.LOGITS);
          labels = argMax(logits);
          NDArray entropy = MustLosses.entropy(logits);
          loss = entropy.getFloat();
          terms.put("entropy", (double) loss);
          if (Float.isFinite(loss)) {
            gc.backward(entropy);
          }
        }
      }
      float norm =
          Float.isFinite(loss) ? DecoupledAdamW.globalGradNorm(trainable, scope) : Float.NaN;
      CollapseGuard.Verdict verdict = guard.check(labels, loss, Float.isFinite(loss) ? norm : 0);
      if (verdict.fired()) {
        rollback();
        return rolledBack(batch.size(), loss, terms, 0, verdict, null); // TENT: no pseudo-labels
      }
      optimizer.step(trainable, lr, clipScale(norm));
      step++;
      return new StepReport(
          step,
          batch.size(),
          loss,
          terms,
          0,
          verdict.entropy(),
          verdict.dominantShare(),
          lr,
          false,
          null);
    }
  }
}
