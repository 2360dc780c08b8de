package io.selfstream.trainer.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.selfstream.graphreasoning.engine.GradientLock;
import io.selfstream.trainer.encoder.DecoupledAdamW;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderBootstrap;
import io.selfstream.trainer.encoder.ImageTensors;
import io.selfstream.trainer.encoder.VisionTransformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MUST-style continual self-training with an EMA teacher. SELFSTREAM: the teacher labels the weak
 * view, the student sees the strong view with SimMIM masking and minimises {@code w_ce CE + w_fair
 * fairness + w_recon L1(masked pixels) + w_align alignment}. SELFTRAIN (the ablation): the same
 * teacher and student, CE + fairness only, the strong view unmasked, decoder and mask token frozen.
 * The teacher is what gets published.
 *
 * <p>With {@link AdaptConfig#ceOnUnmaskedView()} SELFSTREAM's CE and fairness come from a second
 * student forward of the unmasked strong view (the masked forward then only feeds reconstruction
 * and alignment); with {@link AdaptConfig#restoreProbability()} {@code > 0} every step ends with a
 * CoTTA-style stochastic restore of the student towards the source weights.
 */
final class TeacherStudentLearner extends BaseLearner {

  private final boolean masked;
  private final EmaTeacher ema;
  private final Parameter headWeight;
  private final Parameter headBias;

  /** {@link #trainable} split: the SimMIM decoder and mask token vs the rest. */
  private final java.util.List<Parameter> decoderParams = new java.util.ArrayList<>();

  private final java.util.List<Parameter> encoderParams = new java.util.ArrayList<>();

  /**
   * Source values of {@link #encoderParams} (same order), for the stochastic restore; else null.
   * The decoder is not restored: its source state is an untrained initialisation.
   */
  private final java.util.List<NDArray> sourceValues;

  TeacherStudentLearner(
      AdaptationMethod method, AdaptConfig config, Encoder student, Encoder teacher) {
    super(method, config, student, teacher, trainableNames(method, student));
    this.masked = method == AdaptationMethod.SELFSTREAM;
    this.ema = EmaTeacher.of(config);
    this.headWeight = parameter(student, "head_weight");
    this.headBias = parameter(student, "head_bias");
    for (int i = 0; i < trainable.size(); i++) {
      String name = trainableNames.get(i);
      boolean decoder = name.contains("decoder") || name.endsWith(VisionTransformer.MASK_TOKEN);
      (decoder ? decoderParams : encoderParams).add(trainable.get(i));
    }
    if (config.restoreProbability() > 0) {
      sourceValues = new java.util.ArrayList<>(encoderParams.size());
      for (Parameter p : encoderParams) {
        NDArray copy = p.getArray().duplicate();
        copy.attach(student.manager());
        sourceValues.add(copy);
      }
    } else {
      sourceValues = null;
    }
  }

  private static java.util.Set<String> trainableNames(AdaptationMethod method, Encoder student) {
    if (method == AdaptationMethod.SELFSTREAM) {
      return names(student, p -> true);
    }
    java.util.Set<Parameter> supervised =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    supervised.addAll(EncoderBootstrap.supervisedParameters(student));
    return names(student, p -> supervised.contains(p.getValue()));
  }

  /** The classification head's parameter whose name ends in {@code suffix} (e.g. 07head_weight). */
  private static Parameter parameter(Encoder encoder, String suffix) {
    for (Pair<String, Parameter> p : encoder.parameters()) {
      if (p.getKey().matches("\\d*" + suffix)) {
        return p.getValue();
      }
    }
    throw new IllegalStateException("encoder has no parameter *" + suffix);
  }

  @Override
  protected double baseLearningRate() {
    return config.learningRate();
  }

  /** Package-private for tests: the student. */
  Encoder student() {
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
      // 1. the teacher labels the weak views (no gradient)
      NDArray weak = ImageTensors.images(scope, batch.weak(), encoderConfig);
      NDArray teacherProbs =
          teacher.forward(weak, null, false).get(VisionTransformer.LOGITS).softmax(-1);
      int[] labels = argMax(teacherProbs);
      NDArray targets =
          MustLosses.pseudoLabelTargets(teacherProbs, (float) config.confidenceThreshold());
      int labeled = Math.round(targets.sum().getFloat());
      int[] pseudoLabels = pseudoLabels(labels, targets);

      // 2. the student sees the strong view (masked for SELFSTREAM); loss = weighted MUST terms
      NDArray strong = ImageTensors.images(scope, batch.strong(), encoderConfig);
      NDArray mask = masked ? masks(scope, batch) : null;
      Map<String, Double> terms = new LinkedHashMap<>();
      float loss;
      synchronized (GradientLock.ENGINE) { // one gradient collector per process (DJL)
        try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
          NDList out = model.forward(strong, mask, true);
          // CE + fairness on the unmasked strong view when configured, else on this forward
          NDArray logits =
              masked && config.ceOnUnmaskedView()
                  ? model.forward(strong, null, true).get(VisionTransformer.LOGITS)
                  : out.get(VisionTransformer.LOGITS);
          NDArray total = logits.getManager().zeros(new ai.djl.ndarray.types.Shape());
          total = add(total, terms, "ce", config.ceWeight(), () -> ce(logits, targets));
          total = add(total, terms, "fair", config.fairWeight(), () -> MustLosses.fairness(logits));
          if (masked && config.ceOnUnmaskedView()) {
            total =
                add(
                    total,
                    terms,
                    "maskedCe",
                    config.maskedCeWeight(),
                    () -> ce(out.get(VisionTransformer.LOGITS), targets));
          }
          if (masked) {
            total =
                add(
                    total,
                    terms,
                    "recon",
                    config.reconWeight(),
                    () ->
                        MustLosses.maskedReconstruction(
                            out.get(VisionTransformer.RECONSTRUCTION),
                            strong,
                            mask,
                            encoderConfig.patchSize()));
            total =
                add(
                    total,
                    terms,
                    "align",
                    config.alignWeight(),
                    () ->
                        MustLosses.alignment(
                            out.get(VisionTransformer.PATCH_TOKENS),
                            headWeight.getArray(),
                            headBias.getArray(),
                            targets,
                            mask));
          }
          loss = total.getFloat();
          // (NDArray.hasGradient() is false for non-leaf results: test the terms instead)
          if (Float.isFinite(loss) && !terms.isEmpty()) {
            gc.backward(total);
          }
        }
      }

      // 3. guard, clip, AdamW, EMA
      float norm =
          Float.isFinite(loss) ? DecoupledAdamW.globalGradNorm(trainable, scope) : Float.NaN;
      CollapseGuard.Verdict verdict = guard.check(labels, loss, Float.isFinite(loss) ? norm : 0);
      if (verdict.fired()) {
        rollback();
        return rolledBack(batch.size(), loss, terms, labeled, verdict, pseudoLabels);
      }
      float clip = clipScale(norm);
      optimizer.step(encoderParams, lr, clip);
      if (!decoderParams.isEmpty()) {
        optimizer.step(decoderParams, (float) (lr * config.decoderLrScale()), clip);
      }
      stochasticRestore(scope);
      ema.update(teacher, model, step);
      step++;
      return new StepReport(
          step,
          batch.size(),
          loss,
          terms,
          labeled,
          verdict.entropy(),
          verdict.dominantShare(),
          lr,
          false,
          null,
          pseudoLabels);
    }
  }

  /**
   * The per-sample pseudo-labels the targets encode: the teacher's argmax where its row is one-hot
   * (confident), else -1. Read back from the same target matrix the loss uses, so the two agree.
   */
  private static int[] pseudoLabels(int[] argMax, NDArray targets) {
    float[] confident = MustLosses.confidentMask(targets).toFloatArray();
    int[] out = new int[argMax.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = confident[i] > 0.5f ? argMax[i] : -1;
    }
    return out;
  }

  /**
   * CoTTA's stochastic restore: each trainable student element outside the decoder goes back to its
   * source value with probability {@code restoreProbability} ({@code w -= m (w - w_src)}, m ~
   * Bernoulli(p)).
   */
  private void stochasticRestore(NDManager scope) {
    if (sourceValues == null) {
      return;
    }
    float p = (float) config.restoreProbability();
    for (int i = 0; i < encoderParams.size(); i++) {
      NDArray w = encoderParams.get(i).getArray();
      NDArray src = sourceValues.get(i);
      NDArray m =
          scope
              .randomUniform(0f, 1f, w.getShape(), w.getDataType(), w.getDevice())
              .lt(p)
              .toType(w.getDataType(), false);
      try (NDArray d = w.sub(src)) { // attached to the parameter's manager: close it here
        w.subi(d.muli(m));
      }
    }
  }

  private static NDArray ce(NDArray logits, NDArray targets) {
    return MustLosses.confidentCrossEntropy(logits, targets);
  }

  /** Adds {@code weight * term} to {@code total} and records it; skips zero weights entirely. */
  private static NDArray add(
      NDArray total,
      Map<String, Double> terms,
      String name,
      double weight,
      java.util.function.Supplier<NDArray> term) {
    if (weight == 0) {
      return total;
    }
    NDArray weighted = term.get().mul((float) weight);
    terms.put(name, (double) weighted.getFloat());
    return total.add(weighted);
  }
}
