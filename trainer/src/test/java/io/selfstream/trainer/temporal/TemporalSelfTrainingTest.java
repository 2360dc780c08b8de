package io.selfstream.trainer.temporal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.trainer.adapt.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalSelfTrainingTest {

  private static final int DIM = 6;
  private static final int CLASSES = 3;

  private static final ModelSpec SPEC =
      ModelSpec.paper(ModelType.DTGRM, DIM, CLASSES).resized(2, 3, 8, 0.0);
  private static final TemporalModels.Descriptor DESCRIPTOR =
      new TemporalModels.Descriptor(SPEC, 0, List.of("a", "b", "c"));

  /** A randomly initialised source model, as its published parameters. */
  private static ModelParameters source() {
    try (NDManager m = NDManager.newBaseManager()) {
      return TemporalModels.export(SegmentationModels.create(SPEC, m), DESCRIPTOR);
    }
  }

  private static Features clip(long seed, int length) {
    Random r = new Random(seed);
    float[][] frames = new float[length][DIM];
    for (int t = 0; t < length; t++) {
      for (int c = 0; c < DIM; c++) {
        // three "actions" of a third of the clip each, plus noise
        frames[t][c] = (c % 3 == (3 * t) / length ? 1f : 0f) + 0.2f * (float) r.nextGaussian();
      }
    }
    return Features.fromFrames(frames);
  }

  private static TemporalConfig config(Map<String, String> overrides) {
    return TemporalConfig.withOverrides(overrides);
  }

  @Test
  void oneStepUsesEveryTermAndTheTeacherFollowsTheStudentByTheEmaRate() {
    ModelParameters src = source();
    // threshold 0: every frame is a pseudo-label; EMA decay 0.9 at step 0
    TemporalConfig cfg =
        config(
            Map.of(
                "temporal.confidenceThreshold", "0",
                "temporal.emaDecayStart", "0.9",
                "temporal.learningRate", "1e-2"));
    try (TemporalSelfTraining t = new TemporalSelfTraining(DESCRIPTOR, src, cfg, Device.cpu())) {
      StepReport r = t.step(List.of(clip(1, 40), clip(2, 32)));
      assertFalse(r.rolledBack(), () -> r.guardReason());
      assertTrue(Double.isFinite(r.loss()));
      assertEquals(72, r.batchSize(), "frames of both clips, padding excluded");
      assertEquals(72, r.pseudoLabeled());
      assertEquals(
          java.util.Set.of("ce", "smooth", "swap_correct", "swap_detect"), r.terms().keySet());
      assertEquals(1, t.step());

      ModelParameters teacher = t.servingParameters();
      // the student moved by delta, the teacher by (1 - 0.9) delta
      double teacherMove = teacher.rmsDifference(src);
      Path dir = Files.createTempDirectory("tst");
      t.save(dir);
      ModelParameters student =
          ModelParameters.fromBytes(
              Files.readAllBytes(dir.resolve(TemporalSelfTraining.STUDENT_FILE)));
      double studentMove = student.rmsDifference(src);
      assertTrue(studentMove > 0, "Adam moved the student");
      assertEquals(0.1, teacherMove / studentMove, 1e-3);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void unconfidentFramesGetNoCrossEntropyAndTheSwapTaskCanBeOff() {
    TemporalConfig cfg =
        config(Map.of("temporal.confidenceThreshold", "1", "temporal.swapRate", "0"));
    try (TemporalSelfTraining t =
        new TemporalSelfTraining(DESCRIPTOR, source(), cfg, Device.cpu())) {
      StepReport r = t.step(List.of(clip(3, 48)));
      assertEquals(0, r.pseudoLabeled(), "a random model is never 100% sure");
      assertEquals(0.0, r.terms().get("ce"), 1e-9);
      assertFalse(r.terms().containsKey("swap_detect"));
      assertTrue(r.terms().get("smooth") >= 0);
    }
  }

  @Test
  void aNonFiniteLossRollsBackAndBacksOffTheLearningRate() {
    TemporalConfig cfg = config(Map.of("temporal.learningRate", "1e-3"));
    try (TemporalSelfTraining t =
        new TemporalSelfTraining(DESCRIPTOR, source(), cfg, Device.cpu())) {
      t.step(List.of(clip(4, 32)));
      t.markGood();
      ModelParameters good = t.servingParameters();
      Features bad = clip(5, 32);
      bad.data()[7] = Float.NaN;
      StepReport r = t.step(List.of(bad));
      assertTrue(r.rolledBack());
      assertNotNull(r.guardReason());
      assertEquals(5e-4, r.learningRate(), 1e-12);
      assertEquals(0.0, t.servingParameters().maxAbsDifference(good), "back to the good state");
      assertEquals(1, t.step(), "a discarded step is not counted");
      StepReport next = t.step(List.of(clip(6, 32)));
      assertFalse(next.rolledBack());
    }
  }

  @Test
  void saveAndRestoreCarryTheWholeState(@TempDir Path dir) throws Exception {
    ModelParameters src = source();
    TemporalConfig cfg = config(Map.of("temporal.confidenceThreshold", "0"));
    ModelParameters served;
    try (TemporalSelfTraining t = new TemporalSelfTraining(DESCRIPTOR, src, cfg, Device.cpu())) {
      t.step(List.of(clip(7, 32)));
      t.step(List.of(clip(8, 32)));
      t.save(dir);
      served = t.servingParameters();
    }
    try (TemporalSelfTraining r = new TemporalSelfTraining(DESCRIPTOR, src, cfg, Device.cpu())) {
      r.restore(dir);
      assertEquals(2, r.step());
      assertEquals(0.0, r.servingParameters().maxAbsDifference(served));
      assertEquals(TemporalModels.descriptor(served), DESCRIPTOR);
      assertFalse(r.step(List.of(clip(9, 32))).rolledBack(), "Adam moments restored consistently");
    }
  }

  @Test
  void adaptsOnAClipOfARealGeneratedVideo() throws Exception {
    List<LabeledVideo> videos =
        OfflineTemporalAdaptation.generate(
            FashionMnist.load(FashionMnist.Split.TEST),
            GeneratorConfig.defaults().withShift(DomainShift.live()),
            "live",
            1,
            42);
    Features f = videos.get(0).features();
    List<Features> clips = OfflineTemporalAdaptation.cut(f, 32);
    assertEquals(f.length(), clips.stream().mapToInt(Features::length).sum());
    assertTrue(clips.stream().allMatch(c -> c.length() >= 16), "no clip below half a clip");
    assertArrayEquals(
        new float[] {f.get(5, 32), f.get(5, 33)},
        new float[] {clips.get(1).get(5, 0), clips.get(1).get(5, 1)});

    ModelSpec spec =
        ModelSpec.paper(ModelType.DTGRM, f.dim(), Action.values().length).resized(2, 4, 16, 0.5);
    TemporalModels.Descriptor d = new TemporalModels.Descriptor(spec, 0, Action.labels());
    ModelParameters src;
    try (NDManager m = NDManager.newBaseManager()) {
      src = TemporalModels.export(SegmentationModels.create(spec, m), d);
    }
    try (TemporalSelfTraining t =
        new TemporalSelfTraining(d, src, TemporalConfig.DEFAULT, Device.cpu())) {
      StepReport r = t.adapt(List.of(clips.get(0)));
      assertTrue(Double.isFinite(r.loss()));
      assertEquals(clips.get(0).length(), r.batchSize());
      assertEquals(clips.get(0).length(), t.predict(clips.get(0)).length);
    }
  }
}
