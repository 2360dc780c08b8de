package io.selfstream.graphreasoning.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.graphreasoning.data.LabelMapping;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationEval;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.graphreasoning.model.GraphStageConfig;
import io.selfstream.graphreasoning.model.LossConfig;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SwapTaskConfig;
import io.selfstream.graphreasoning.model.TcnConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationTrainerTest {

  private static final List<String> NAMES = List.of("tshirt", "trouser", "sneaker", "bag");
  private static final int[] GARMENTS = {0, 1, 7, 8};

  @TempDir Path tmp;

  private static LabeledVideo video() throws IOException {
    return FashionSequence.sequence(
        "fashion-seq",
        GARMENTS,
        new int[] {0, 2, 1, 3, 0, 1, 2, 3},
        new int[] {12, 9, 14, 10, 8, 13, 11, 9},
        42);
  }

  static ModelSpec tiny(ModelType type) {
    return new ModelSpec(
        type,
        FashionSequence.DIM,
        NAMES.size(),
        2,
        new TcnConfig(4, 16, 0.1, false),
        new GraphStageConfig(3, 16, 3, 0.1),
        SwapTaskConfig.paper(),
        LossConfig.paper());
  }

  private double accuracy(SegmentationTrainer t, LabeledVideo v) {
    int[] p = t.predict(v.features());
    int ok = 0;
    for (int i = 0; i < p.length; i++) {
      ok += p[i] == v.labels()[i] ? 1 : 0;
    }
    return (double) ok / p.length;
  }

  private void overfits(ModelType type) throws IOException {
    overfits(tiny(type));
  }

  private void overfits(ModelSpec spec) throws IOException {
    ModelType type = spec.type();
    LabeledVideo v = video();
    TrainConfig cfg = new TrainConfig(60, 1, 5e-3, 11, 0);
    try (SegmentationTrainer trainer = new SegmentationTrainer(spec, cfg)) {
      double lossBefore = trainer.evaluateLoss(List.of(v));
      double accBefore = accuracy(trainer, v);
      List<Double> losses = new ArrayList<>();
      List<EpochSummary> epochs =
          trainer.fit(
              List.of(v),
              NAMES,
              null,
              new TrainingProgress() {
                @Override
                public void onIteration(int epoch, int iteration, double loss) {
                  losses.add(loss);
                }
              });
      assertThat(epochs).hasSize(60);
      assertThat(losses).hasSize(60);
      double lossAfter = trainer.evaluateLoss(List.of(v));
      double accAfter = accuracy(trainer, v);
      assertThat(lossAfter).as(type + " loss").isLessThan(lossBefore * 0.3);
      assertThat(losses.get(59)).isLessThan(losses.get(0));
      assertThat(accAfter)
          .as(type + " frame accuracy")
          .isGreaterThan(0.95)
          .isGreaterThan(accBefore);
    }
  }

  @Test
  void msTcnOverfitsARealSequence() throws IOException {
    overfits(ModelType.MSTCN);
  }

  @Test
  void dtgrmOverfitsARealSequence() throws IOException {
    overfits(ModelType.DTGRM);
  }

  @Test
  void dtgrmWithoutTheSwapTaskOverfitsARealSequence() throws IOException {
    ModelSpec spec = tiny(ModelType.DTGRM).withSwap(SwapTaskConfig.off());
    assertThat(spec.hasSwapTask()).isFalse();
    overfits(spec);
  }

  @Test
  void checkpointPredictAndEvaluateRoundTrip() throws IOException {
    LabeledVideo v = video();
    MsTcnDataset ds = new MsTcnDataset(tmp.resolve("data"));
    LabelMapping mapping = new LabelMapping(NAMES);
    ds.writeMapping(mapping);
    ds.writeFeatures(v.name(), v.features());
    ds.writeGroundTruth(v.name(), mapping.labels(v.labels()));
    Path ckpt = tmp.resolve("ckpt");
    TrainConfig cfg = new TrainConfig(3, 1, 5e-3, 3, 2);
    int[] direct;
    List<EpochSummary> epochs;
    try (SegmentationTrainer trainer = new SegmentationTrainer(tiny(ModelType.DTGRM), cfg)) {
      epochs = trainer.fit(List.of(v), NAMES, ckpt, TrainingProgress.NONE);
      direct = trainer.predict(v.features());
      assertThat(trainer.meanIterationMillis()).isPositive();
    }
    assertThat(epochs.get(0).checkpoint()).isNull();
    assertThat(epochs.get(1).checkpoint()).isEqualTo(ckpt.resolve("epoch-0002"));
    assertThat(epochs.get(2).checkpoint()).isEqualTo(ckpt.resolve("epoch-0003"));
    try (SegmentationPredictor p = SegmentationPredictor.load(ckpt)) {
      assertThat(p.epoch()).isEqualTo(3);
      assertThat(p.labels()).isEqualTo(NAMES);
      assertThat(p.spec()).isEqualTo(tiny(ModelType.DTGRM));
      assertThat(p.predict(v.features())).containsExactly(direct);
      Path out = tmp.resolve("pred");
      p.predictDataset(ds, List.of(v.name()), out, 1, SegmentationPredictor.Format.MSTCN);
      SegmentationScores fromFiles = new SegmentationEval().evaluate(ds.groundTruthDir(), out);
      SegmentationScores direct2 =
          new SegmentationAccumulator().add(v.labels(), direct, NAMES).scores();
      assertThat(fromFiles).isEqualTo(direct2);
      Path lines = tmp.resolve("pred-lines");
      p.predictDataset(ds, List.of(v.name()), lines, 2, SegmentationPredictor.Format.LINES);
      assertThat(new SegmentationEval().evaluate(ds.groundTruthDir(), lines).frames())
          .isEqualTo(v.length());
    }
    try (SegmentationTrainer resumed =
        new SegmentationTrainer(tiny(ModelType.DTGRM), cfg.withSeed(99))) {
      assertThat(resumed.loadWeights(ckpt)).isEqualTo(3);
      assertThat(resumed.predict(v.features())).containsExactly(direct);
    }
  }
}
