package io.selfstream.graphreasoning.live;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.model.GraphStageConfig;
import io.selfstream.graphreasoning.model.LossConfig;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SwapTaskConfig;
import io.selfstream.graphreasoning.model.TcnConfig;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.train.SegmentationTrainer;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real, tiny DTGRM trained for a few iterations on three generated activity videos (fixed 138-d
 * features), shared by the live tests: trained once per JVM, handed out as the {@link
 * ModelParameters} a {@code dtgrm} update would carry.
 */
final class LiveFixtures {

  static final int SIZE = 64;

  private static List<LabeledVideo> videos;
  private static ModelParameters trained;
  private static int[][] offline;

  private LiveFixtures() {}

  static ModelSpec tinySpec(int dim) {
    return new ModelSpec(
        ModelType.DTGRM,
        dim,
        Action.values().length,
        2,
        new TcnConfig(3, 16, 0.1, false),
        new GraphStageConfig(2, 16, 3, 0.1),
        SwapTaskConfig.off(),
        LossConfig.paper());
  }

  /** Three generated videos (test sprites, no domain shift) with fixed-extractor features. */
  static synchronized List<LabeledVideo> videos() {
    if (videos == null) {
      try {
        FashionMnist images = FashionMnist.load(FashionMnist.Split.TEST);
        ActivityVideoGenerator gen =
            new ActivityVideoGenerator(
                images, GeneratorConfig.defaults().withShift(DomainShift.none()));
        FrameFeatureExtractor fx = new FrameFeatureExtractor(SIZE);
        List<LabeledVideo> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          SyntheticVideo v = gen.generate("live-" + i, 7000 + i);
          out.add(new LabeledVideo(v.name(), fx.extract(v.frames()), v.labelIndices()));
        }
        videos = List.copyOf(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return videos;
  }

  /** The trained model's parameters (descriptor: encoder version 0, the action names). */
  static synchronized ModelParameters trained() {
    if (trained == null) {
      List<LabeledVideo> vs = videos();
      ModelSpec spec = tinySpec(vs.get(0).features().dim());
      try (SegmentationTrainer trainer =
          new SegmentationTrainer(spec, new TrainConfig(12, 1, 5e-3, 5, 0))) {
        trainer.fit(vs, Action.labels(), null, TrainingProgress.NONE);
        trained =
            TemporalModels.export(
                trainer.block(),
                new TemporalModels.Descriptor(
                    spec, TemporalModels.FIXED_EXTRACTOR_VERSION, Action.labels()));
        offline = new int[vs.size()][];
        for (int i = 0; i < vs.size(); i++) {
          offline[i] = trainer.predict(vs.get(i).features());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return trained;
  }

  /** The trained model's full-sequence (offline) prediction of video {@code i}. */
  static synchronized int[] offline(int i) {
    trained();
    return offline[i];
  }

  static String actionName(int label) {
    return Action.labels().get(label);
  }

  /** A verified version as the follower hands it out. */
  static ModelVersion version(long v, ModelParameters p, Map<String, Double> metrics) {
    return new ModelVersion(
        TemporalModels.MODEL,
        v,
        0,
        UpdateKind.FULL,
        ModelParameters.FORMAT,
        p,
        "",
        "",
        Instant.EPOCH,
        metrics,
        0);
  }

  /** Frame {@code t} of video features as a record. */
  static FrameFeatures frame(String source, long seq, long encoderVersion, Features f, int t) {
    List<Float> values = new ArrayList<>(f.dim());
    for (int c = 0; c < f.dim(); c++) {
      values.add(f.get(c, t));
    }
    return FrameFeatures.newBuilder()
        .setSourceId(source)
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + seq * 33))
        .setEncoderVersion(encoderVersion)
        .setFeatures(values)
        .build();
  }
}
