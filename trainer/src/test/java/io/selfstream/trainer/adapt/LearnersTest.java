package io.selfstream.trainer.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.selfstream.data.FashionMnist;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.DecoupledAdamW;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderBootstrap;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import io.selfstream.trainer.views.ViewMaker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learners on real Fashion-MNIST images with a tiny source model trained for a few seconds
 * (diverse, moderately confident predictions, like a real source model).
 */
class LearnersTest {

  /** 28x28 gray, patch 7, dim 32, depth 2, 2 heads, MLP ratio 2. */
  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(32, 2, 2, 2.0);

  static List<U8Image> images;
  static int[] labels;
  static ParameterSnapshot source;

  @BeforeAll
  static void trainTinySource() throws IOException {
    assumeTrue(
        Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"))
            || Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte")),
        "Fashion-MNIST is not installed at " + FashionMnist.DEBIAN_DIR + " (apt install it)");
    FashionMnist train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
    int n = 1024;
    images = new ArrayList<>(n);
    labels = new int[n];
    for (int i = 0; i < n; i++) {
      images.add(new U8Image(train.image(i), 28, 28, 1));
      labels[i] = train.label(i);
    }
    try (Encoder e = Encoder.create(TINY, Device.cpu(), 7)) {
      DecoupledAdamW opt = new DecoupledAdamW(0.05f);
      List<Parameter> params = EncoderBootstrap.supervisedParameters(e);
      for (int epoch = 0; epoch < 3; epoch++) {
        for (int s = 0; s + 64 <= n; s += 64) {
          int[] l = java.util.Arrays.copyOfRange(labels, s, s + 64);
          EncoderBootstrap.trainStep(e, opt, params, images.subList(s, s + 64), l, 2e-3f, 0, 1);
        }
      }
      opt.clear();
      source = e.exportParameters();
    }
  }

  static AdaptConfig config(Map<String, String> overrides) {
    return AdaptConfig.withOverrides(overrides);
  }

  static ViewBatch batch(int from, int size) {
    ViewMaker maker = OfflineAdaptation.defaultViews(TINY);
    return OfflineAdaptation.viewBatch(maker, images.subList(from, from + size), from);
  }

  static OnlineLearner create(AdaptationMethod m, AdaptConfig c) {
    return OnlineLearners.create(m, TINY, source, c, Device.cpu(), 11);
  }

  @Test
  void selfstreamLowersItsLossOnAFixedBatch() {
    AdaptConfig c =
        config(
            Map.of(
                "adapt.learningRate",
                "1e-3",
                "adapt.confidenceThreshold",
                "0.5",
                "adapt.alignWeight",
                "0.3"));
    ViewBatch b = batch(0, 64);
    try (OnlineLearner l = create(AdaptationMethod.SELFSTREAM, c)) {
      List<Double> losses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        StepReport r = l.step(b);
        assertThat(r.rolledBack()).as("guard: %s", r.guardReason()).isFalse();
        assertThat(r.terms()).containsKeys("ce", "fair", "recon", "align");
        losses.add(r.loss());
      }
      assertThat(l.step()).isEqualTo(8);
      assertThat(losses.get(7)).as("losses %s", losses).isLessThan(losses.get(0));
      assertThat(l.servingParameters().bitEquals(source)).as("teacher moved").isFalse();
    }
  }

  @Test
  void stepsReportTheirPerSamplePseudoLabelsAlignedWithTheBatch() {
    AdaptConfig c = config(Map.of("adapt.confidenceThreshold", "0.5"));
    ViewBatch b = batch(0, 64);
    try (OnlineLearner l = create(AdaptationMethod.SELFSTREAM, c)) {
      StepReport r = l.step(b);
      int[] p = r.pseudoLabels();
      assertThat(p).hasSize(b.size());
      assertThat(java.util.Arrays.stream(p).allMatch(x -> x >= -1 && x < TINY.numClasses()))
          .isTrue();
      long confident = java.util.Arrays.stream(p).filter(x -> x >= 0).count();
      assertThat(confident).isEqualTo(r.pseudoLabeled()).isPositive();
      // the confident pseudo-labels are the (mostly right) source's predictions of these images
      long right = 0;
      for (int i = 0; i < p.length; i++) {
        assertThat(b.seqs()[i]).isEqualTo(i); // batch(0, n): sample i is image i
        right += p[i] == labels[i] ? 1 : 0;
      }
      assertThat((double) right / confident).as("pseudo-label accuracy").isGreaterThan(0.3);
    }
    for (AdaptationMethod m : List.of(AdaptationMethod.TENT, AdaptationMethod.SOURCE)) {
      try (OnlineLearner l = create(m, c)) {
        assertThat(l.step(b).pseudoLabels()).as("%s has none", m).hasSize(64).containsOnly(-1);
      }
    }
  }

  @Test
  void selftrainUsesCeAndFairnessOnly() {
    try (OnlineLearner l = create(AdaptationMethod.SELFTRAIN, AdaptConfig.DEFAULT)) {
      StepReport r = l.step(batch(0, 32));
      assertThat(r.terms().keySet()).containsExactly("ce", "fair");
    }
  }

  @Test
  void guardRollsBackToTheLastGoodStateWhenPseudoLabelsCollapse() {
    AdaptConfig c = config(Map.of("adapt.guard.patience", "1", "adapt.learningRate", "1e-3"));
    try (OnlineLearner l = create(AdaptationMethod.SELFSTREAM, c)) {
      ViewBatch healthy = batch(0, 64);
      assertThat(l.step(healthy).rolledBack()).isFalse();
      l.markGood();
      ParameterSnapshot good = l.servingParameters();
      StepReport ok = l.step(healthy);
      assertThat(ok.rolledBack()).isFalse();
      assertThat(l.servingParameters().bitEquals(good)).isFalse();
      // one image 64 times: every pseudo-label is the same class
      List<U8Image> same = Collections.nCopies(64, images.get(0));
      ViewBatch collapsed =
          new ViewBatch(
              same,
              same,
              healthy.masks(),
              healthy.viewPseudoLabels(),
              healthy.sourceIds(),
              healthy.seqs());
      StepReport r = l.step(collapsed);
      assertThat(r.rolledBack()).isTrue();
      assertThat(r.dominantShare()).isGreaterThan(0.8);
      assertThat(r.guardReason()).contains("pseudo-label");
      assertThat(r.learningRate())
          .isEqualTo((float) (1e-3 * 0.5), org.assertj.core.data.Offset.offset(1e-9));
      assertThat(l.servingParameters().bitEquals(good)).as("restored last good").isTrue();
    }
  }

  @Test
  void guardRollsBackOnANonFiniteLoss() {
    try (TeacherStudentLearner l =
        (TeacherStudentLearner) create(AdaptationMethod.SELFSTREAM, AdaptConfig.DEFAULT)) {
      ParameterSnapshot good = l.student().exportParameters();
      Parameter head = l.student().parameters().get(0).getValue();
      for (Pair<String, Parameter> p : l.student().parameters()) {
        if (p.getKey().endsWith("head_bias")) {
          head = p.getValue();
        }
      }
      head.getArray().set(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      StepReport r = l.step(batch(0, 32));
      assertThat(r.rolledBack()).isTrue();
      assertThat(r.guardReason()).contains("non-finite");
      assertThat(l.student().exportParameters().bitEquals(good)).isTrue();
      assertThat(l.step(batch(32, 32)).rolledBack()).as("healthy again").isFalse();
    }
  }

  /**
   * PyTorch grad mode is per thread and a fresh thread starts with it on: the learners must still
   * step there (AdamW, the EMA teacher and the stochastic restore write parameters in place).
   */
  @Test
  void learnersStepOnAFreshThread() throws InterruptedException {
    AdaptConfig c = config(Map.of("adapt.restoreProbability", "0.01"));
    ViewBatch b = batch(0, 32);
    for (AdaptationMethod m : List.of(AdaptationMethod.SELFSTREAM, AdaptationMethod.TENT)) {
      try (OnlineLearner l = create(m, c)) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
            new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<StepReport> report =
            new java.util.concurrent.atomic.AtomicReference<>();
        Thread t =
            new Thread(
                () -> {
                  try {
                    report.set(l.step(b));
                    report.set(l.step(b));
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                },
                "fresh-learner-thread");
        t.start();
        t.join();
        assertThat(failure.get()).as("%s on a fresh thread", m).isNull();
        assertThat(report.get().rolledBack()).isFalse();
        assertThat(l.step()).isEqualTo(2);
        assertThat(l.servingParameters().bitEquals(source)).as("%s moved", m).isFalse();
      }
    }
  }

  @Test
  void ceOnTheUnmaskedViewKeepsEveryTermAndMaskedCeDiffers() {
    ViewBatch b = batch(0, 64);
    // a low threshold: the tiny source model is rarely 70 % sure, and CE needs labels here
    AdaptConfig split =
        config(
            Map.of(
                "adapt.ceOnUnmaskedView",
                "true",
                "adapt.confidenceThreshold",
                "0.2",
                "adapt.alignWeight",
                "0.3"));
    AdaptConfig single =
        config(
            Map.of(
                "adapt.ceOnUnmaskedView",
                "false",
                "adapt.confidenceThreshold",
                "0.2",
                "adapt.alignWeight",
                "0.3"));
    try (OnlineLearner a = create(AdaptationMethod.SELFSTREAM, split);
        OnlineLearner s = create(AdaptationMethod.SELFSTREAM, single)) {
      StepReport ra = a.step(b);
      StepReport rs = s.step(b);
      assertThat(ra.terms()).containsKeys("ce", "fair", "recon", "align");
      assertThat(rs.terms()).containsKeys("ce", "fair", "recon", "align");
      // the same weights and batch: recon is the same masked forward, CE saw another input
      assertThat(ra.terms().get("recon")).isCloseTo(rs.terms().get("recon"), within(1e-5));
      assertThat(ra.terms().get("ce")).isPositive().isNotEqualTo(rs.terms().get("ce"));
    }
  }

  @Test
  void stochasticRestoreKeepsTheStudentNearTheSource() {
    ViewBatch b = batch(0, 64);
    AdaptConfig free = config(Map.of("adapt.learningRate", "1e-3"));
    AdaptConfig anchored =
        config(Map.of("adapt.learningRate", "1e-3", "adapt.restoreProbability", "0.5"));
    try (TeacherStudentLearner f =
            (TeacherStudentLearner) create(AdaptationMethod.SELFTRAIN, free);
        TeacherStudentLearner a =
            (TeacherStudentLearner) create(AdaptationMethod.SELFTRAIN, anchored)) {
      for (int i = 0; i < 3; i++) {
        f.step(b);
        a.step(b);
      }
      double df = distance(f.student().exportParameters(), source);
      double da = distance(a.student().exportParameters(), source);
      assertThat(da).isPositive().isLessThan(df * 0.8);
    }
  }

  private static double distance(ParameterSnapshot x, ParameterSnapshot y) {
    double sum = 0;
    for (Map.Entry<String, float[]> e : x.values().entrySet()) {
      float[] a = e.getValue();
      float[] b = y.values().get(e.getKey());
      for (int i = 0; i < a.length; i++) {
        sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
      }
    }
    return Math.sqrt(sum);
  }

  @Test
  void tentOnlyChangesLayerNormAffineParameters() {
    try (TentLearner l = (TentLearner) create(AdaptationMethod.TENT, AdaptConfig.DEFAULT)) {
      StepReport r = l.step(batch(0, 64));
      assertThat(r.rolledBack()).isFalse();
      assertThat(r.terms()).containsKey("entropy");
      ParameterSnapshot after = l.servingParameters();
      int changedNorms = 0;
      for (Pair<String, Parameter> p : l.adapted().parameters()) {
        float[] a = source.values().get(p.getKey());
        float[] b = after.values().get(p.getKey());
        String name = p.getValue().getName();
        if (name.equals("gamma") || name.equals("beta")) {
          changedNorms += java.util.Arrays.equals(a, b) ? 0 : 1;
        } else {
          assertThat(b).as(p.getKey()).isEqualTo(a);
        }
      }
      assertThat(changedNorms).isGreaterThan(0);
    }
  }

  @Test
  void saveRestoreRoundTripsTheWholeStateBitExactly(@TempDir Path dir) throws IOException {
    AdaptConfig c = config(Map.of("adapt.learningRate", "1e-3"));
    ViewBatch b1 = batch(0, 32);
    ViewBatch b2 = batch(32, 32);
    try (OnlineLearner a = create(AdaptationMethod.SELFSTREAM, c);
        OnlineLearner b = create(AdaptationMethod.SELFSTREAM, c)) {
      a.step(b1);
      a.step(b2);
      a.save(dir);
      b.restore(dir);
      assertThat(b.step()).isEqualTo(2);
      assertThat(b.servingParameters().bitEquals(a.servingParameters())).isTrue();
      // the next step only matches if student, teacher and optimizer moments all came back
      StepReport ra = a.step(b1);
      StepReport rb = b.step(b1);
      assertThat(rb.loss()).isEqualTo(ra.loss());
      assertThat(b.servingParameters().bitEquals(a.servingParameters())).isTrue();
    }
  }

  @Test
  void offlineRunScoresEveryMethodPerDomain() {
    List<OfflineAdaptation.Sample> stream = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      stream.add(new OfflineAdaptation.Sample(images.get(i), labels[i], i < 48 ? "a" : "b"));
    }
    AdaptConfig c = config(Map.of("adapt.batchSize", "16"));
    OfflineAdaptation.Result r =
        OfflineAdaptation.run(
            stream.iterator(),
            new OfflineAdaptation.Options(
                List.of(AdaptationMethod.values()),
                c,
                TINY,
                source,
                OfflineAdaptation.defaultViews(TINY),
                2,
                Device.cpu(),
                3),
            null);
    assertThat(r.samples()).isEqualTo(96);
    assertThat(r.methods()).hasSize(4);
    OfflineAdaptation.MethodResult src = r.methods().get(AdaptationMethod.SOURCE);
    assertThat(src.perDomain()).containsOnlyKeys("a", "b");
    assertThat(src.trainSamplesPerSecond()).isZero();
    // before the first publish every consumer holds the source: the first batch scores the same
    assertThat(r.methods().get(AdaptationMethod.SELFSTREAM).steps()).isEqualTo(6);
    assertThat(r.methods().get(AdaptationMethod.SELFSTREAM).trainSamplesPerSecond()).isPositive();
  }
}
