package io.selfstream.trainer.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.selfstream.trainer.encoder.DecoupledAdamW;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * What every gradient learner shares: the trained model (and optionally an EMA teacher), AdamW over
 * a chosen parameter subset, the collapse guard with rollback to the last {@link #markGood()}
 * state, and save/restore of the whole state. Subclasses write {@link #step(ViewBatch)}.
 */
abstract class BaseLearner implements OnlineLearner {

  static final String MODEL_FILE = "model.bin";
  static final String TEACHER_FILE = "teacher.bin";
  static final String OPTIMIZER_FILE = "optimizer.bin";
  static final String META_FILE = "learner.properties";
  private static final int OPTIMIZER_MAGIC = 0x53534f50; // "SSOP"

  /** Everything a rollback restores. */
  private record State(
      ParameterSnapshot model, ParameterSnapshot teacher, List<DecoupledAdamW.Moments> moments) {}

  protected final AdaptationMethod method;
  protected final EncoderConfig encoderConfig;
  protected final AdaptConfig config;
  protected final Encoder model;
  protected final Encoder teacher;
  protected final List<Parameter> trainable;
  protected final List<String> trainableNames;
  protected final DecoupledAdamW optimizer;
  protected final CollapseGuard guard;
  protected long step;
  protected double lrScale = 1;
  private State good;

  /**
   * @param model the trained model, already holding the source parameters (owned: closed here)
   * @param teacher the EMA teacher or {@code null} (owned)
   * @param trainable names of the parameters of {@code model} the optimizer updates; all others are
   *     frozen (no gradient is computed for them)
   */
  BaseLearner(
      AdaptationMethod method,
      AdaptConfig config,
      Encoder model,
      Encoder teacher,
      Set<String> trainable) {
    this.method = Objects.requireNonNull(method, "method");
    this.config = Objects.requireNonNull(config, "config");
    this.model = Objects.requireNonNull(model, "model");
    this.encoderConfig = model.config();
    this.teacher = teacher;
    this.trainable = new ArrayList<>();
    this.trainableNames = new ArrayList<>();
    for (Pair<String, Parameter> p : model.parameters()) {
      boolean train = trainable.contains(p.getKey());
      p.getValue().freeze(!train);
      if (train) {
        this.trainable.add(p.getValue());
        this.trainableNames.add(p.getKey());
      }
    }
    if (this.trainable.isEmpty()) {
      throw new IllegalArgumentException(method + ": no trainable parameters");
    }
    if (teacher != null) {
      for (Pair<String, Parameter> p : teacher.parameters()) {
        p.getValue().freeze(true);
      }
    }
    this.optimizer =
        new DecoupledAdamW(
            (float) config.beta1(), (float) config.beta2(), 1e-8f, (float) config.weightDecay());
    this.guard = CollapseGuard.of(config, encoderConfig.numClasses());
    markGood();
  }

  /** Names of the parameters whose key matches {@code filter}. */
  static Set<String> names(
      Encoder encoder, java.util.function.Predicate<Pair<String, Parameter>> f) {
    Set<String> out = new HashSet<>();
    for (Pair<String, Parameter> p : encoder.parameters()) {
      if (f.test(p)) {
        out.add(p.getKey());
      }
    }
    return out;
  }

  @Override
  public AdaptationMethod method() {
    return method;
  }

  @Override
  public long step() {
    return step;
  }

  /** The learning rate the next step uses (base times the rollback backoff). */
  protected abstract double baseLearningRate();

  protected float currentLearningRate() {
    return (float) (baseLearningRate() * lrScale);
  }

  /**
   * Call first in every {@link #step}: PyTorch's grad mode is per thread, and DJL switches it off
   * only on the thread that loaded the engine. A learner stepped on any other thread (a trainer's
   * poll thread, an executor) would start with grad mode on, and the in-place parameter writes
   * outside the gradient collector (AdamW, EMA teacher, stochastic restore) would then throw an
   * {@code EngineException} ("a leaf Variable that requires grad is being used in an in-place
   * operation"). The gradient collector switches it on for the forward/backward only and restores
   * it on close, so this thread then behaves like the engine's.
   */
  protected final void noGradOutsideCollectors() {
    if ("PyTorch".equals(model.manager().getEngine().getEngineName())) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
  }

  /** Gradient-clip factor for global norm {@code norm}. */
  protected float clipScale(float norm) {
    double clip = config.gradClipNorm();
    return clip > 0 && norm > clip ? (float) (clip / (norm + 1e-6)) : 1f;
  }

  /** Host argmax of {@code (N, K)} scores. */
  protected static int[] argMax(NDArray scores) {
    long[] a = scores.argMax(1).toLongArray();
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (int) a[i];
    }
    return out;
  }

  /** {@code (N, L)} float mask (1 = masked) from a batch's boolean masks. */
  protected NDArray masks(NDManager manager, ViewBatch batch) {
    int l = encoderConfig.numPatches();
    float[] data = new float[batch.size() * l];
    for (int i = 0; i < batch.size(); i++) {
      boolean[] m = batch.masks().get(i);
      if (m.length != l) {
        throw new IllegalArgumentException(
            "mask " + i + " has " + m.length + " patches, the model has " + l);
      }
      for (int j = 0; j < l; j++) {
        data[i * l + j] = m[j] ? 1f : 0f;
      }
    }
    return manager.create(data, new Shape(batch.size(), l));
  }

  /**
   * Discards the step: gradients zeroed, model, teacher and optimizer back to the last good state,
   * learning rate multiplied by the backoff, guard window forgotten.
   */
  protected void rollback() {
    DecoupledAdamW.zeroGradients(trainable);
    model.importParameters(good.model());
    if (teacher != null) {
      teacher.importParameters(good.teacher());
    }
    optimizer.importState(trainable, good.moments());
    lrScale *= config.lrBackoff();
    guard.reset();
  }

  /** The report of a step the guard rolled back. */
  protected StepReport rolledBack(
      int batchSize,
      float loss,
      Map<String, Double> terms,
      int labeled,
      CollapseGuard.Verdict v,
      int[] pseudoLabels) {
    return new StepReport(
        step,
        batchSize,
        loss,
        terms,
        labeled,
        v.entropy(),
        v.dominantShare(),
        currentLearningRate(),
        true,
        v.reason(),
        pseudoLabels);
  }

  @Override
  public ParameterSnapshot servingParameters() {
    return (teacher != null ? teacher : model).exportParameters();
  }

  @Override
  public void markGood() {
    good =
        new State(
            model.exportParameters(),
            teacher == null ? null : teacher.exportParameters(),
            optimizer.exportState(trainable));
  }

  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    EncoderFile.write(dir.resolve(MODEL_FILE), encoderConfig, model.exportParameters());
    if (teacher != null) {
      EncoderFile.write(dir.resolve(TEACHER_FILE), encoderConfig, teacher.exportParameters());
    }
    List<DecoupledAdamW.Moments> moments = optimizer.exportState(trainable);
    DecoupledAdamW.writeMoments(
        dir.resolve(OPTIMIZER_FILE), OPTIMIZER_MAGIC, trainableNames, moments);
    Properties meta = new Properties();
    meta.setProperty("method", method.id());
    meta.setProperty("step", Long.toString(step));
    meta.setProperty("lrScale", Double.toString(lrScale));
    try (var w = Files.newBufferedWriter(dir.resolve(META_FILE))) {
      meta.store(w, "selfstream online learner");
    }
  }

  @Override
  public void restore(Path dir) throws IOException {
    Properties meta = new Properties();
    try (var r = Files.newBufferedReader(dir.resolve(META_FILE))) {
      meta.load(r);
    }
    if (!method.id().equals(meta.getProperty("method"))) {
      throw new IOException(
          dir + " holds a " + meta.getProperty("method") + " learner, not " + method.id());
    }
    ParameterSnapshot m = EncoderFile.read(dir.resolve(MODEL_FILE)).parameters();
    ParameterSnapshot t =
        teacher == null ? null : EncoderFile.read(dir.resolve(TEACHER_FILE)).parameters();
    List<DecoupledAdamW.Moments> moments =
        DecoupledAdamW.readMoments(dir.resolve(OPTIMIZER_FILE), OPTIMIZER_MAGIC, trainableNames);
    model.importParameters(m);
    if (teacher != null) {
      teacher.importParameters(t);
    }
    optimizer.importState(trainable, moments);
    step = Long.parseLong(meta.getProperty("step"));
    lrScale = Double.parseDouble(meta.getProperty("lrScale"));
    guard.reset();
    markGood();
  }

  @Override
  public void close() {
    optimizer.clear();
    model.close();
    if (teacher != null) {
      teacher.close();
    }
  }
}
