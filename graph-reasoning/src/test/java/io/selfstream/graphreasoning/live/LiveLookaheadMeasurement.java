package io.selfstream.graphreasoning.live;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.train.SegmentationTrainer;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.model.ModelParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Live (windowed) labelling vs the offline full-sequence prediction of the same trained DTGRM on
 * the same generated test videos, for lookahead 0/4/8/16, and the effect of labelling features of
 * another encoder version. Runs {@link LiveLabeler}, the code the topology's processor runs.
 *
 * <pre>
 * mvn -o -q -pl graph-reasoning test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * OMP_NUM_THREADS=1 java -Dai.djl.offline=true -cp graph-reasoning/target/test-classes:graph-reasoning/target/classes:$(cat /tmp/cp.txt) \
 *   io.selfstream.graphreasoning.live.LiveLookaheadMeasurement [trainVideos testVideos epochs]
 * </pre>
 */
public final class LiveLookaheadMeasurement {

  private LiveLookaheadMeasurement() {}

  public static void main(String[] args) throws Exception {
    int trainCount = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int testCount = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    GeneratorConfig cfg = GeneratorConfig.defaults();
    FrameFeatureExtractor fx = new FrameFeatureExtractor(cfg.size());
    List<LabeledVideo> train = generate(FashionMnist.Split.TRAIN, cfg, fx, trainCount, 0);
    List<LabeledVideo> test = generate(FashionMnist.Split.TEST, cfg, fx, testCount, 500_000);
    int dim = fx.dim();
    ModelSpec spec =
        ModelSpec.paper(ModelType.DTGRM, dim, Action.values().length).resized(4, 8, 32, 0.5);
    List<String> names = Action.labels();
    ModelParameters params;
    SegmentationAccumulator offline = new SegmentationAccumulator();
    long start = System.nanoTime();
    try (SegmentationTrainer trainer =
        new SegmentationTrainer(spec, TrainConfig.paper(epochs).withSeed(1))) {
      trainer.fit(train, names, null, TrainingProgress.NONE);
      for (LabeledVideo v : test) {
        offline.add(v.labels(), trainer.predict(v.features()), names);
      }
      params =
          TemporalModels.export(
              trainer.block(),
              new TemporalModels.Descriptor(spec, TemporalModels.FIXED_EXTRACTOR_VERSION, names));
    }
    System.out.printf(
        Locale.ROOT,
        "DTGRM %d stages x %d layers x %d maps, %d train / %d test videos (%d test frames),"
            + " %d epochs, trained in %.0f s%n",
        spec.stages(),
        spec.tcn().layers(),
        spec.tcn().featureMaps(),
        train.size(),
        test.size(),
        test.stream().mapToInt(LabeledVideo::length).sum(),
        epochs,
        (System.nanoTime() - start) / 1e9);
    System.out.println("offline full sequence        " + offline.scores().toJson());

    TemporalModel model = TemporalModel.load(1, params);
    try {
      LiveSegmentationSettings base = LiveSegmentationSettings.defaults();
      for (int window : new int[] {64, 128}) {
        for (int lookahead : new int[] {0, 4, 8, 16}) {
          LiveSegmentationSettings s = base.withWindow(window, lookahead);
          Result r = run(s, model, test, names, Map.of());
          System.out.printf(
              Locale.ROOT,
              "live W=%3d L=%2d (+%3.0f ms @30fps)  frames %s  segments(min %d) %s  %.1f ms/frame"
                  + "  agree-with-offline %.3f%n",
              window,
              lookahead,
              s.lookaheadLatencyMillis(30),
              r.frames.toJson(),
              s.minSegmentFrames(),
              r.segments.toJson(),
              r.msPerFrame,
              r.agreement(offlineLabels(params, test)));
        }
      }
      LiveSegmentationSettings chosen = base;
      for (int minSeg : new int[] {4, 8}) {
        LiveSegmentationSettings s = chosen.withSegments(minSeg, false);
        Result r = run(s, model, test, names, Map.of());
        System.out.printf(
            Locale.ROOT,
            "live W=%d L=%d minSegmentFrames=%d: segments %s%n",
            s.windowFrames(),
            s.lookaheadFrames(),
            minSeg,
            r.segments.toJson());
      }
      // another encoder version: same frames, other coordinates
      for (String shift : new String[] {"drift", "permuted"}) {
        Result r =
            run(
                chosen.withFeaturePolicy(FeaturePolicy.LATEST),
                model,
                transform(test, shift),
                names,
                Map.of());
        System.out.printf(
            Locale.ROOT,
            "policy latest, features of a %s encoder v1 on a v0 model: frames %s%n",
            shift,
            r.frames.toJson());
      }
      System.out.println(
          "policy strict, same: 0 frames labelled (all counted as encoderMismatch) until a v1"
              + " temporal model is published");
    } finally {
      model.release();
    }
  }

  private static int[][] cachedOffline;

  private static int[][] offlineLabels(ModelParameters params, List<LabeledVideo> test) {
    if (cachedOffline == null) {
      TemporalModel m = TemporalModel.load(1, params);
      try {
        cachedOffline = new int[test.size()][];
        for (int i = 0; i < test.size(); i++) {
          Features f = test.get(i).features();
          float[][] frames = frames(f);
          int[] targets = new int[f.length()];
          for (int t = 0; t < targets.length; t++) {
            targets[t] = t;
          }
          cachedOffline[i] = new int[f.length()];
          m.label(frames, targets, cachedOffline[i], new float[f.length()]);
        }
      } finally {
        m.release();
      }
    }
    return cachedOffline;
  }

  record Result(
      SegmentationScores frames, SegmentationScores segments, double msPerFrame, int[][] live) {
    double agreement(int[][] offline) {
      long same = 0;
      long n = 0;
      for (int i = 0; i < live.length; i++) {
        for (int t = 0; t < live[i].length; t++) {
          same += live[i][t] == offline[i][t] ? 1 : 0;
          n++;
        }
      }
      return (double) same / n;
    }
  }

  static Result run(
      LiveSegmentationSettings s,
      TemporalModel model,
      List<LabeledVideo> videos,
      List<String> names,
      Map<String, Long> unused) {
    SegmentationAccumulator frames = new SegmentationAccumulator();
    SegmentationAccumulator segs = new SegmentationAccumulator();
    LiveLabeler labeler = new LiveLabeler(s, new LiveCounters());
    long nanos = 0;
    long count = 0;
    int[][] all = new int[videos.size()][];
    for (int i = 0; i < videos.size(); i++) {
      LabeledVideo v = videos.get(i);
      int[] live = new int[v.length()];
      int[] smoothed = new int[v.length()];
      java.util.Arrays.fill(live, -1);
      LiveLabeler.Emitter out =
          new LiveLabeler.Emitter() {
            @Override
            public void label(FrameLabel l) {
              live[(int) l.getSeq()] = l.getLabel();
            }

            @Override
            public void segment(SegmentEvent e) {
              for (long t = e.getStartSeq(); t <= e.getEndSeq(); t++) {
                smoothed[(int) t] = e.getLabel();
              }
            }
          };
      SourceWindow window = new SourceWindow();
      SourceProgress progress = new SourceProgress();
      long t0 = System.nanoTime();
      for (int t = 0; t < v.length(); t++) {
        labeler.onFrame(
            v.name(),
            window,
            progress,
            LiveFixtures.frame(v.name(), t, 0, v.features(), t),
            model,
            0,
            out);
      }
      labeler.flush(v.name(), window, progress, model, 0, out);
      nanos += System.nanoTime() - t0;
      count += v.length();
      frames.add(v.labels(), live, names);
      segs.add(v.labels(), smoothed, names);
      all[i] = live;
    }
    return new Result(frames.scores(), segs.scores(), nanos / 1e6 / count, all);
  }

  private static List<LabeledVideo> transform(List<LabeledVideo> videos, String how) {
    List<LabeledVideo> out = new ArrayList<>();
    int dim = videos.get(0).features().dim();
    Random rng = new Random(99);
    int[] perm = new int[dim];
    for (int i = 0; i < dim; i++) {
      perm[i] = i;
    }
    for (int i = dim - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    for (LabeledVideo v : videos) {
      Features f = v.features();
      float[] data = new float[f.data().length];
      for (int c = 0; c < dim; c++) {
        for (int t = 0; t < f.length(); t++) {
          data[c * f.length() + t] =
              how.equals("permuted")
                  ? f.get(perm[c], t)
                  : (float) (1.15 * f.get(c, t) + 0.05 + 0.05 * rng.nextGaussian());
        }
      }
      out.add(new LabeledVideo(v.name(), new Features(dim, f.length(), data), v.labels()));
    }
    return out;
  }

  private static float[][] frames(Features f) {
    float[][] out = new float[f.length()][f.dim()];
    for (int t = 0; t < f.length(); t++) {
      for (int c = 0; c < f.dim(); c++) {
        out[t][c] = f.get(c, t);
      }
    }
    return out;
  }

  private static List<LabeledVideo> generate(
      FashionMnist.Split split, GeneratorConfig cfg, FrameFeatureExtractor fx, int n, long offset)
      throws Exception {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(FashionMnist.load(split), cfg);
    List<LabeledVideo> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SyntheticVideo v = gen.generate(split + "-" + i, 2024L * 1_000_003L + offset + i);
      out.add(new LabeledVideo(v.name(), fx.extract(v.frames()), v.labelIndices()));
    }
    return out;
  }
}
