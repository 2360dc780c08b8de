package io.selfstream.trainer.temporal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.engine.GradientLock;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.loss.StageLoss;
import io.selfstream.graphreasoning.model.FrameSwap;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.trainer.adapt.CollapseGuard;
import io.selfstream.trainer.adapt.EmaTeacher;
import io.selfstream.trainer.adapt.StepReport;
import io.selfstream.trainer.encoder.DecoupledAdamW;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;

/**
 * Continual self-training of a DTGRM on unlabeled feature clips, plain DJL (no Kafka): the Kafka
 * {@link TemporalTrainer} and the offline measurement ({@link OfflineTemporalAdaptation}) drive
 * this same class.
 *
 * <p>One step on a batch of clips ({@code dim x T} features, one source each):
 *
 * <ol>
 *   <li>the teacher (an EMA of the student, no dropout, no gradient) labels every frame; frames
 *       whose last-stage max probability reaches {@link TemporalConfig#confidenceThreshold()}
 *       become pseudo-labels;
 *   <li>DTGRM's frame exchange is drawn for every clip ({@link FrameSwap});
 *   <li>the student (dropout on) sees the clip and the exchanged clip; loss per stage = {@code
 *       w_ce} CE on confident frames + {@code w_smooth} truncated MSE on all frames, plus, on the
 *       exchanged branch, {@code w_correct} CE against the pseudo-label of each position + {@code
 *       w_smooth} smoothing + {@code w_detect} CE of exchanged/in place (known, so
 *       self-supervised);
 *   <li>the collapse guard judges the teacher's labels over a window of steps, the loss and the
 *       gradient norm; when it fires the step is discarded, student, teacher and Adam go back to
 *       the last {@link #markGood()} state and the learning rate is backed off;
 *   <li>else Adam (clipped) updates the student and the teacher moves towards it ({@link
 *       EmaTeacher}).
 * </ol>
 *
 * The teacher is what is served and published: it moves slowly, so one noisy clip does not swing
 * the labels consumers see. Owns its NDManager; not thread-safe.
 */
public final class TemporalSelfTraining implements AutoCloseable {

  static final String STUDENT_FILE = "student.params";
  static final String TEACHER_FILE = "teacher.params";
  static final String OPTIMIZER_FILE = "optimizer.bin";
  static final String META_FILE = "learner.properties";
  private static final int OPTIMIZER_MAGIC = 0x53535450; // "SSTP"

  /** Everything a rollback restores. */
  private record State(
      List<float[]> student, List<float[]> teacher, List<DecoupledAdamW.Moments> moments) {}

  private final TemporalModels.Descriptor descriptor;
  private final ModelSpec spec;
  private final TemporalConfig cfg;
  private final NDManager manager;
  private final Block student;
  private final Block teacher;
  private final List<Parameter> trainable = new ArrayList<>();
  private final List<String> trainableNames = new ArrayList<>();
  private final DecoupledAdamW adam;
  private final EmaTeacher ema;
  private final CollapseGuard guard;
  private final StageLoss stageLoss;
  private final Random rng;
  private long step;
  private double lrScale = 1;
  private State good;

  /**
   * @param descriptor architecture and feature version of the model (a DTGRM; an MS-TCN trains
   *     without the exchange task)
   * @param source the starting weights, e.g. a model trained on a small labeled seed set ({@link
   *     TemporalModels#export} layout, descriptor tensor optional)
   * @param device where the tensors live
   */
  public TemporalSelfTraining(
      TemporalModels.Descriptor descriptor,
      ModelParameters source,
      TemporalConfig cfg,
      Device device) {
    this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
    this.spec = descriptor.spec();
    this.cfg = Objects.requireNonNull(cfg, "cfg");
    this.manager = NDManager.newBaseManager(device);
    try {
      this.student = SegmentationModels.create(spec, manager);
      this.teacher = SegmentationModels.create(spec, manager);
      TemporalModels.load(source, student);
      TemporalModels.load(source, teacher);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    for (Pair<String, Parameter> p : student.getParameters()) {
      trainable.add(p.getValue());
      trainableNames.add(p.getKey());
    }
    for (Pair<String, Parameter> p : teacher.getParameters()) {
      p.getValue().freeze(true);
    }
    // Adam as DTGRM trains (no weight decay); DecoupledAdamW for its exportable state
    this.adam = new DecoupledAdamW(0.9f, 0.999f, 1e-8f, 0f);
    this.ema = new EmaTeacher(cfg.emaDecayStart(), cfg.emaDecayEnd(), cfg.emaRampSteps());
    this.guard =
        new CollapseGuard(
            spec.numClasses(),
            cfg.minPseudoLabelEntropy(),
            cfg.maxDominantShare(),
            cfg.guardPatience());
    this.stageLoss = new StageLoss(spec.loss()); // its smoothing clamp; the weight is ours
    this.rng = new Random(cfg.seed());
    markGood();
  }

  public TemporalModels.Descriptor descriptor() {
    return descriptor;
  }

  public TemporalConfig config() {
    return cfg;
  }

  /** Optimiser steps taken so far (restored by {@link #restore}). */
  public long step() {
    return step;
  }

  /** Whether a step runs DTGRM's exchange task (config on and the model has swap heads). */
  public boolean swapTask() {
    return cfg.swapTask() && spec.type() == ModelType.DTGRM;
  }

  /** {@link TemporalConfig#stepsPerClip()} steps on the same clips; the last step's report. */
  public StepReport adapt(List<Features> clips) {
    StepReport last = null;
    for (int i = 0; i < cfg.stepsPerClip(); i++) {
      last = step(clips);
    }
    return last;
  }

  /**
   * One self-training step on {@code clips} (see the class comment). Clips of different lengths run
   * as separate groups of equal length inside the one step, never padded together: a padded frame
   * is a zero vector, and DTGRM's feature-similarity graph has a NaN gradient at zero vectors
   * (found by the unit test). Each group's terms weigh by its share of the frames.
   */
  public StepReport step(List<Features> clips) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("no clips");
    }
    float lr = (float) (cfg.learningRate() * lrScale);
    Map<Integer, List<Features>> groups = new LinkedHashMap<>();
    int frames = 0;
    for (Features f : clips) {
      groups.computeIfAbsent(f.length(), k -> new ArrayList<>()).add(f);
      frames += f.length();
    }
    try (NDManager scope = manager.newSubManager()) {
      List<Group> prepared = new ArrayList<>();
      int labeled = 0;
      int[] teacherLabels = new int[frames];
      int at = 0;
      for (List<Features> g : groups.values()) {
        Group prep = prepare(scope, g, frames);
        prepared.add(prep);
        labeled += prep.labeled;
        System.arraycopy(prep.teacherLabels, 0, teacherLabels, at, prep.teacherLabels.length);
        at += prep.teacherLabels.length;
      }

      // 3. student loss
      Map<String, Double> terms = new LinkedHashMap<>();
      float loss;
      synchronized (GradientLock.ENGINE) { // one gradient collector per process (DJL)
        try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
          Map<String, NDArray> sums = new LinkedHashMap<>();
          for (Group g : prepared) {
            studentTerms(scope, g, sums);
          }
          NDArray total = scope.zeros(new Shape());
          total = term(total, terms, "ce", cfg.ceWeight(), sums.get("ce"));
          total = term(total, terms, "smooth", cfg.smoothingWeight(), sums.get("smooth"));
          total =
              term(total, terms, "swap_correct", cfg.swapCorrectionWeight(), sums.get("correct"));
          total = term(total, terms, "swap_detect", cfg.swapDetectionWeight(), sums.get("detect"));
          loss = total.getFloat();
          if (Float.isFinite(loss) && !terms.isEmpty()) {
            gc.backward(total);
          }
        }
      }

      // 4. guard, then Adam and the EMA, or a rollback
      float norm =
          Float.isFinite(loss) && !terms.isEmpty()
              ? DecoupledAdamW.globalGradNorm(trainable, scope)
              : Float.isFinite(loss) ? 0f : Float.NaN;
      CollapseGuard.Verdict verdict = guard.check(teacherLabels, loss, norm);
      if (verdict.fired()) {
        rollback();
        return report(frames, loss, terms, labeled, verdict, true);
      }
      if (!terms.isEmpty()) {
        adam.step(trainable, lr, clipScale(norm));
        ema.update(parameters(teacher), parameters(student), step);
      }
      step++;
      return report(frames, loss, terms, labeled, verdict, false);
    }
  }

  /** Inputs, pseudo-labels and exchange of one group of equal-length clips. */
  private record Group(
      Padded in,
      NDArray pseudo,
      NDArray confident,
      NDArray swappedX,
      NDArray swapLabels,
      int labeled,
      int[] teacherLabels,
      float weight) {}

  /** Steps 1 and 2: the teacher labels every frame (no gradient); the exchange is drawn. */
  private Group prepare(NDManager scope, List<Features> clips, int totalFrames) {
    Padded in = Padded.of(scope, clips, spec.inputDim());
    NDList taught =
        teacher.forward(new ParameterStore(scope, false), new NDList(in.x, in.mask), false);
    NDArray probs = taught.get(taught.size() - 1).softmax(1); // (B, C, L)
    NDArray pseudo = probs.argMax(1).toType(DataType.INT64, false); // (B, L)
    NDArray confident =
        probs
            .max(new int[] {1})
            .gte((float) cfg.confidenceThreshold())
            .toType(DataType.FLOAT32, false)
            .mul(in.frameMask); // (B, L)
    int labeled = Math.round(confident.sum().getFloat());
    NDArray swappedX = null;
    NDArray swapLabels = null;
    if (swapTask()) {
      Exchanged ex = Exchanged.draw(scope, clips, in.length, cfg.swapRate(), rng);
      swappedX = ex.x;
      swapLabels = ex.labels;
    }
    return new Group(
        in,
        pseudo,
        confident,
        swappedX,
        swapLabels,
        labeled,
        in.realFrames(pseudo),
        in.frames / (float) totalFrames);
  }

  /** Step 3 for one group: the unweighted terms, times the group's share, added to {@code sums}. */
  private void studentTerms(NDManager scope, Group g, Map<String, NDArray> sums) {
    NDList inputs = new NDList(g.in.x, g.in.mask);
    if (g.swappedX != null) {
      inputs.add(g.swappedX);
    }
    NDList out = student.forward(new ParameterStore(scope, false), inputs, true);
    int n = spec.stages();
    NDArray mask = g.in.frameMask;
    for (int s = 0; s < n; s++) {
      add(sums, "ce", StageLoss.crossEntropy(out.get(s), g.pseudo, g.confident), g.weight);
      add(sums, "smooth", stageLoss.smoothing(out.get(s), mask), g.weight);
      if (g.swappedX != null) {
        NDArray corrected = out.get(n + s);
        add(sums, "correct", StageLoss.crossEntropy(corrected, g.pseudo, g.confident), g.weight);
        add(sums, "smooth", stageLoss.smoothing(corrected, mask), g.weight);
        add(
            sums,
            "detect",
            StageLoss.crossEntropy(out.get(2 * n + s), g.swapLabels, mask),
            g.weight);
      }
    }
  }

  private static void add(Map<String, NDArray> sums, String key, NDArray value, float weight) {
    NDArray w = value.mul(weight);
    sums.merge(key, w, NDArray::add);
  }

  private static List<Pair<String, Parameter>> parameters(Block b) {
    return b.getParameters().stream().toList();
  }

  private StepReport report(
      int frames,
      float loss,
      Map<String, Double> terms,
      int labeled,
      CollapseGuard.Verdict v,
      boolean rolledBack) {
    return new StepReport(
        step,
        frames,
        loss,
        terms,
        labeled,
        v.entropy(),
        v.dominantShare(),
        cfg.learningRate() * lrScale,
        rolledBack,
        v.reason());
  }

  private float clipScale(float norm) {
    double clip = cfg.gradClipNorm();
    return clip > 0 && norm > clip ? (float) (clip / (norm + 1e-6)) : 1f;
  }

  /** Adds {@code weight * value} and records it; zero weights are skipped entirely. */
  private static NDArray term(
      NDArray total, Map<String, Double> terms, String name, double weight, NDArray value) {
    if (weight == 0 || value == null) {
      return total;
    }
    NDArray weighted = value.mul((float) weight);
    terms.put(name, (double) weighted.getFloat());
    return total.add(weighted);
  }

  /** Frame labels of the served model (the teacher) for one clip or video. */
  public int[] predict(Features f) {
    return SegmentationModels.predict(teacher, manager, f);
  }

  /** Frame labels of the student (diagnostics: it runs ahead of the teacher). */
  public int[] predictStudent(Features f) {
    return SegmentationModels.predict(student, manager, f);
  }

  /** The parameters consumers should hold: the EMA teacher, with the signed descriptor. */
  public ModelParameters servingParameters() {
    return TemporalModels.export(teacher, descriptor);
  }

  /** Records the current state as the one the guard rolls back to (called at every publish). */
  public void markGood() {
    good = new State(snapshot(student), snapshot(teacher), adam.exportState(trainable));
  }

  /** Discards the step: state back to the last good one, learning rate backed off. */
  private void rollback() {
    DecoupledAdamW.zeroGradients(trainable);
    load(student, good.student());
    load(teacher, good.teacher());
    adam.importState(trainable, good.moments());
    lrScale *= cfg.lrBackoff();
    guard.reset();
  }

  private static List<float[]> snapshot(Block b) {
    List<float[]> out = new ArrayList<>();
    for (Pair<String, Parameter> p : b.getParameters()) {
      out.add(p.getValue().getArray().toFloatArray());
    }
    return out;
  }

  private static void load(Block b, List<float[]> values) {
    int i = 0;
    for (Pair<String, Parameter> p : b.getParameters()) {
      p.getValue().getArray().set(FloatBuffer.wrap(values.get(i++)));
    }
  }

  /**
   * Writes the whole state: student, teacher, Adam moments, step and learning-rate scale (the
   * exchange RNG is not saved: after a resume the exchanges are new draws, which changes nothing a
   * consumer can rely on).
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(STUDENT_FILE), TemporalModels.export(student, descriptor).toBytes());
    Files.write(dir.resolve(TEACHER_FILE), TemporalModels.export(teacher, descriptor).toBytes());
    List<DecoupledAdamW.Moments> moments = adam.exportState(trainable);
    DecoupledAdamW.writeMoments(
        dir.resolve(OPTIMIZER_FILE), OPTIMIZER_MAGIC, trainableNames, moments);
    Properties meta = new Properties();
    meta.setProperty("model", TemporalModels.MODEL);
    meta.setProperty("step", Long.toString(step));
    meta.setProperty("lrScale", Double.toString(lrScale));
    try (var w = Files.newBufferedWriter(dir.resolve(META_FILE))) {
      meta.store(w, "selfstream temporal self-training state");
    }
  }

  /** Replaces the whole state with one written by {@link #save} (same architecture). */
  public void restore(Path dir) throws IOException {
    Properties meta = new Properties();
    try (var r = Files.newBufferedReader(dir.resolve(META_FILE))) {
      meta.load(r);
    }
    if (!TemporalModels.MODEL.equals(meta.getProperty("model"))) {
      throw new IOException(dir + " is not a temporal self-training state");
    }
    ModelParameters s = ModelParameters.fromBytes(Files.readAllBytes(dir.resolve(STUDENT_FILE)));
    ModelParameters t = ModelParameters.fromBytes(Files.readAllBytes(dir.resolve(TEACHER_FILE)));
    if (!TemporalModels.descriptor(s).spec().equals(spec)) {
      throw new IOException(
          dir + " holds " + TemporalModels.descriptor(s).spec() + ", not " + spec);
    }
    List<DecoupledAdamW.Moments> moments =
        DecoupledAdamW.readMoments(dir.resolve(OPTIMIZER_FILE), OPTIMIZER_MAGIC, trainableNames);
    TemporalModels.load(s, student);
    TemporalModels.load(t, teacher);
    adam.importState(trainable, moments);
    step = Long.parseLong(meta.getProperty("step"));
    lrScale = Double.parseDouble(meta.getProperty("lrScale"));
    guard.reset();
    markGood();
  }

  @Override
  public void close() {
    adam.clear();
    manager.close();
  }

  /** Clips padded to the longest: {@code x (B, D, L)}, {@code mask (B, 1, L)}, {@code (B, L)}. */
  private record Padded(
      NDArray x, NDArray mask, NDArray frameMask, int length, int frames, int[] lengths) {

    static Padded of(NDManager m, List<Features> clips, int dim) {
      int b = clips.size();
      int length = 0;
      int frames = 0;
      int[] lengths = new int[b];
      for (int i = 0; i < b; i++) {
        Features f = clips.get(i);
        if (f.dim() != dim) {
          throw new IllegalArgumentException(
              "clip " + i + " has " + f.dim() + "-dim features, the model reads " + dim);
        }
        lengths[i] = f.length();
        length = Math.max(length, f.length());
        frames += f.length();
      }
      float[] x = new float[b * dim * length];
      float[] mask = new float[b * length];
      for (int i = 0; i < b; i++) {
        Features f = clips.get(i);
        for (int c = 0; c < dim; c++) {
          System.arraycopy(f.data(), c * f.length(), x, (i * dim + c) * length, f.length());
        }
        for (int t = 0; t < f.length(); t++) {
          mask[i * length + t] = 1f;
        }
      }
      NDArray frameMask = m.create(mask, new Shape(b, length));
      return new Padded(
          m.create(x, new Shape(b, dim, length)),
          frameMask.reshape(b, 1, length),
          frameMask,
          length,
          frames,
          lengths);
    }

    /** The values of {@code (B, L)} labels at the real (unpadded) frames, clip by clip. */
    int[] realFrames(NDArray labels) {
      long[] all = labels.toLongArray();
      int[] out = new int[frames];
      int k = 0;
      for (int i = 0; i < lengths.length; i++) {
        for (int t = 0; t < lengths[i]; t++) {
          out[k++] = (int) all[i * length + t];
        }
      }
      return out;
    }
  }

  /** The exchanged clips {@code (B, D, L)} and their exchanged/in-place labels {@code (B, L)}. */
  private record Exchanged(NDArray x, NDArray labels) {

    static Exchanged draw(NDManager m, List<Features> clips, int length, double rate, Random rng) {
      int b = clips.size();
      int dim = clips.get(0).dim();
      float[] x = new float[b * dim * length];
      long[] labels = new long[b * length];
      for (int i = 0; i < b; i++) {
        Features f = clips.get(i);
        FrameSwap swap = FrameSwap.sample(f.length(), rate, rng);
        Features sx = swap.apply(f);
        for (int c = 0; c < dim; c++) {
          System.arraycopy(sx.data(), c * f.length(), x, (i * dim + c) * length, f.length());
        }
        for (int t = 0; t < f.length(); t++) {
          labels[i * length + t] = swap.labels()[t];
        }
      }
      return new Exchanged(
          m.create(x, new Shape(b, dim, length)), m.create(labels, new Shape(b, length)));
    }
  }
}
