package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.selfstream.data.FashionMnist;
import io.selfstream.trainer.augment.U8Image;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderBootstrapTest {

  static LabeledImages train;
  static LabeledImages test;

  @BeforeAll
  static void load() throws IOException {
    if (TestModels.fashionMnistPresent()) {
      train = LabeledImages.of(FashionMnist.load(FashionMnist.Split.TRAIN));
      test = LabeledImages.of(FashionMnist.load(FashionMnist.Split.TEST));
    }
  }

  @Test
  void lossFallsWhenOverfittingASmallBatchOfRealImages() {
    assumeThat(train).as("Fashion-MNIST installed").isNotNull();
    List<U8Image> images = new ArrayList<>();
    int[] labels = new int[32];
    for (int i = 0; i < 32; i++) {
      images.add(train.image(i));
      labels[i] = train.label(i);
    }
    try (Encoder e = Encoder.create(TestModels.TINY, Device.cpu(), 11)) {
      DecoupledAdamW opt = new DecoupledAdamW(0.05f);
      List<Parameter> params = EncoderBootstrap.supervisedParameters(e);
      float first = Float.NaN;
      float last = Float.NaN;
      int correct = 0;
      for (int step = 0; step < 60; step++) {
        EncoderBootstrap.StepResult r =
            EncoderBootstrap.trainStep(e, opt, params, images, labels, 3e-3f, 0f, 1f);
        assertThat(r.applied()).isTrue();
        if (step == 0) {
          first = r.loss();
        }
        last = r.loss();
        correct = r.correct();
      }
      assertThat(first).isGreaterThan(1.5f); // ~ln(10) at start
      assertThat(last).isLessThan(first * 0.3f);
      assertThat(correct).isGreaterThanOrEqualTo(28);
    }
  }

  @Test
  void nonFiniteLossSkipsTheStepAndLeavesParametersAlone() {
    try (Encoder e = Encoder.create(TestModels.TINY, Device.cpu(), 2)) {
      for (Pair<String, Parameter> p : e.parameters()) {
        if (p.getKey().endsWith("head_bias")) {
          p.getValue().getArray().set(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        }
      }
      ParameterSnapshot before = e.exportParameters();
      List<U8Image> images = VisionTransformerTest.randomImages(4, 1);
      EncoderBootstrap.StepResult r =
          EncoderBootstrap.trainStep(
              e,
              new DecoupledAdamW(0.05f),
              EncoderBootstrap.supervisedParameters(e),
              images,
              new int[] {0, 1, 2, 3},
              1e-3f,
              0.1f,
              1f);
      assertThat(r.applied()).isFalse();
      assertThat(r.skipReason()).contains("non-finite loss");
      assertThat(e.exportParameters().bitEquals(before)).isTrue();
    }
  }

  @Test
  void guardGivesUpAfterConsecutiveBadStepsAndReportsEachOne() {
    try (Encoder e = Encoder.create(TestModels.TINY, Device.cpu(), 2)) {
      for (Pair<String, Parameter> p : e.parameters()) {
        if (p.getKey().endsWith("head_bias")) {
          p.getValue().getArray().set(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        }
      }
      LabeledImages data = syntheticSet(40);
      AtomicInteger skips = new AtomicInteger();
      BootstrapConfig cfg =
          new BootstrapConfig(
              1, 8, 1e-3f, 1e-5f, 0.05f, 0, 0.1f, 1f, false, 1, "cpu", 0, 0, 20, true, 3);
      EncoderBootstrap b =
          new EncoderBootstrap(
              cfg,
              new BootstrapListener() {
                @Override
                public void onSkippedStep(int epoch, long step, String reason) {
                  skips.incrementAndGet();
                }
              });
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.run(e, data, data))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("diverged");
      assertThat(skips.get()).isEqualTo(3);
    }
  }

  @Test
  void runTrainsEvaluatesAndReportsProgress() {
    assumeThat(train).as("Fashion-MNIST installed").isNotNull();
    BootstrapConfig cfg =
        BootstrapConfig.builder()
            .epochs(2)
            .trainLimit(256)
            .testLimit(200)
            .batchSize(64)
            .learningRate(2e-3f)
            .augment(true)
            .build();
    assertThat(cfg.toBuilder().build()).isEqualTo(cfg);
    List<String> events = new ArrayList<>();
    List<BootstrapListener.StepProgress> steps = new ArrayList<>();
    try (Encoder e = Encoder.create(TestModels.TINY, Devices.select(cfg.device()), cfg.seed())) {
      BootstrapResult r =
          new EncoderBootstrap(
                  cfg,
                  new BootstrapListener() {
                    @Override
                    public void onStart(int epochs, int spe, int trainSize, int testSize, long p) {
                      events.add("start " + epochs + " " + spe + " " + trainSize + " " + testSize);
                    }

                    @Override
                    public void onStep(StepProgress p) {
                      steps.add(p);
                    }

                    @Override
                    public void onEpochEnd(EpochSummary s) {
                      events.add("epoch " + s.epoch() + " " + !Double.isNaN(s.testAccuracy()));
                    }
                  })
              .run(e, train, test);
      assertThat(events).containsExactly("start 2 4 256 200", "epoch 1 true", "epoch 2 true");
      assertThat(steps).hasSize(8);
      assertThat(steps.get(7).globalStep()).isEqualTo(8);
      assertThat(steps.get(7).totalSteps()).isEqualTo(8);
      assertThat(steps.get(0).learningRate()).isLessThan(steps.get(3).learningRate()); // warm-up
      assertThat(r.steps()).isEqualTo(8);
      assertThat(r.skippedSteps()).isZero();
      assertThat(r.testAccuracy()).isBetween(0.0, 1.0);
      assertThat(r.testAccuracy()).isGreaterThan(0.2); // better than chance even this short
      assertThat(r.samplesPerSecond()).isPositive();
      assertThat(r.device()).isEqualTo("cpu()");
    }
  }

  @Test
  void cpuIsSelectedWhenNoGpuIsAsked() {
    assertThat(Devices.select("cpu")).isEqualTo(Device.cpu());
    assertThat(Devices.select("auto")).isNotNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Devices.select("tpu"))
        .hasMessageContaining("tpu");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Devices.select("gpu:99"))
        .hasMessageContaining("GPU");
  }

  static LabeledImages syntheticSet(int n) {
    List<U8Image> images = VisionTransformerTest.randomImages(n, 3);
    return new LabeledImages() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public U8Image image(int i) {
        return images.get(i);
      }

      @Override
      public int label(int i) {
        return i % 10;
      }
    };
  }
}
