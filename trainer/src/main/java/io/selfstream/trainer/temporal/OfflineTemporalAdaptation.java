package io.selfstream.trainer.temporal;

import ai.djl.Device;
import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationMetrics;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.train.SegmentationTrainer;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.trainer.adapt.StepReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measurement behind issue #7's claim, with no Kafka: does continual self-training on shifted,
 * unlabeled live feeds beat the frozen model on the same feeds?
 *
 * <ol>
 *   <li>a small labeled seed set of generated activity videos without shift trains a DTGRM (the
 *       source model, with the frame-exchange task, as DTGRM trains);
 *   <li>shifted live feeds ({@link DomainShift#live()} by default: noise, blur, dimmer, unseen
 *       garments; Fashion-MNIST test sprites) are cut into clips of {@link
 *       TemporalConfig#clipFrames()} frames and streamed round-robin over the feeds, as concurrent
 *       live sources arrive;
 *   <li>every clip is scored prequentially, test-then-train: the frozen source model and the
 *       adapted model (the EMA teacher, what would be published) label it <em>before</em> the
 *       learner adapts on it; then {@link TemporalSelfTraining#adapt} runs on it;
 *   <li>per feed, the clip labels are concatenated and scored with the MS-TCN metrics against the
 *       ground truth, which never reaches the learner.
 * </ol>
 *
 * Pure function of the options and the config (seeded), apart from thread-scheduling noise in
 * floating-point sums.
 */
public final class OfflineTemporalAdaptation {

  /**
   * @param seedVideos labeled source videos (no shift)
   * @param liveVideos shifted live feeds
   * @param cleanVideos unshifted held-out videos, scored with the source model only (shows the size
   *     of the shift)
   * @param dataSeed seed of the generated videos
   * @param shift none, sensor-noise or live
   * @param epochs seed-training epochs (Adam 5e-4, one video a batch)
   * @param stages DTGRM stages
   * @param layers layers per stage
   * @param featureMaps channels
   * @param dropout dropout of the model (also the student's noise during adaptation)
   * @param modelSeed seed of the seed training
   */
  public record Options(
      int seedVideos,
      int liveVideos,
      int cleanVideos,
      long dataSeed,
      String shift,
      int epochs,
      int stages,
      int layers,
      int featureMaps,
      double dropout,
      long modelSeed) {

    public static Options full() {
      return new Options(20, 16, 8, 2024, "live", 40, 4, 10, 64, 0.5, 1);
    }

    public static Options quick() {
      return new Options(20, 8, 4, 2024, "live", 30, 4, 8, 32, 0.5, 1);
    }

    public Options withShift(String s) {
      return new Options(
          seedVideos,
          liveVideos,
          cleanVideos,
          dataSeed,
          s,
          epochs,
          stages,
          layers,
          featureMaps,
          dropout,
          modelSeed);
    }

    public Options withCounts(Integer seed, Integer live, Integer epochCount) {
      return new Options(
          seed == null ? seedVideos : seed,
          live == null ? liveVideos : live,
          cleanVideos,
          dataSeed,
          shift,
          epochCount == null ? epochs : epochCount,
          stages,
          layers,
          featureMaps,
          dropout,
          modelSeed);
    }
  }

  /**
   * @param frozen the source model on the live feeds
   * @param adapted the continually adapted teacher on the same feeds, prequential
   * @param student the student (diagnostics)
   * @param sourceDomain the source model on unshifted held-out videos
   * @param clips clips streamed
   * @param steps optimiser steps
   * @param rollbacks guard rollbacks
   * @param pseudoLabelRate share of frames that were confident pseudo-labels
   * @param msPerStep mean wall time of one adaptation step
   */
  public record Result(
      Options options,
      TemporalConfig config,
      SegmentationScores frozen,
      SegmentationScores adapted,
      SegmentationScores student,
      SegmentationScores sourceDomain,
      int clips,
      long steps,
      long rollbacks,
      double pseudoLabelRate,
      double msPerStep) {

    /** The benchmark's JSON line. */
    public String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"bench\":\"temporal\",\"shift\":\"%s\",\"seed_videos\":%d,\"live_videos\":%d,"
              + "\"clip_frames\":%d,\"clips\":%d,\"steps\":%d,"
              + "\"frozen\":%s,\"adapted\":%s,\"student\":%s,\"source_domain\":%s,"
              + "\"gain\":{\"acc\":%.4f,\"edit\":%.4f,\"f1@50\":%.4f},"
              + "\"pseudo_label_rate\":%.4f,\"rollbacks\":%d,\"ms_per_step\":%.1f}",
          options.shift(),
          options.seedVideos(),
          options.liveVideos(),
          config.clipFrames(),
          clips,
          steps,
          frozen.toJson(),
          adapted.toJson(),
          student.toJson(),
          sourceDomain.toJson(),
          adapted.acc() - frozen.acc(),
          adapted.edit() - frozen.edit(),
          adapted.f1At50() - frozen.f1At50(),
          pseudoLabelRate,
          rollbacks,
          msPerStep);
    }
  }

  private OfflineTemporalAdaptation() {}

  /** The shift named {@code none}, {@code sensor-noise} or {@code live}. */
  public static DomainShift shift(String name) {
    return switch (name) {
      case "none" -> DomainShift.none();
      case "sensor-noise" -> DomainShift.sensorNoise();
      case "live" -> DomainShift.live();
      default ->
          throw new IllegalArgumentException(
              "shift must be none, sensor-noise or live, got " + name);
    };
  }

  /** As {@link #run(Options, TemporalConfig, Path, PrintStream)} without a cache. */
  public static Result run(Options o, TemporalConfig cfg, PrintStream log) throws IOException {
    return run(o, cfg, null, log);
  }

  /**
   * Generates the data, trains the seed model, streams the live feeds (see the class comment).
   *
   * @param cacheDir where the trained seed model is kept and reused (its file name encodes every
   *     option it depends on), or null to always train it; tuning the self-training runs many times
   *     on the same seed model
   */
  public static Result run(Options o, TemporalConfig cfg, Path cacheDir, PrintStream log)
      throws IOException {
    long t0 = System.nanoTime();
    FashionMnist trainImages = FashionMnist.load(FashionMnist.Split.TRAIN);
    FashionMnist testImages = FashionMnist.load(FashionMnist.Split.TEST);
    GeneratorConfig clean = GeneratorConfig.defaults().withShift(DomainShift.none());
    GeneratorConfig shifted = GeneratorConfig.defaults().withShift(shift(o.shift()));
    long base = o.dataSeed() * 1_000_003L;
    List<LabeledVideo> seed = generate(trainImages, clean, "seed", o.seedVideos(), base);
    List<LabeledVideo> live = generate(testImages, shifted, "live", o.liveVideos(), base + 500_000);
    List<LabeledVideo> held = generate(testImages, clean, "clean", o.cleanVideos(), base + 700_000);
    log.printf(
        Locale.ROOT,
        "generated %d seed, %d live (%s), %d clean videos in %.1f s%n",
        seed.size(),
        live.size(),
        o.shift(),
        held.size(),
        (System.nanoTime() - t0) / 1e9);

    List<String> names = Action.labels();
    int dim = seed.get(0).features().dim();
    ModelSpec spec =
        ModelSpec.paper(ModelType.DTGRM, dim, names.size())
            .resized(o.stages(), o.layers(), o.featureMaps(), o.dropout());
    TemporalModels.Descriptor descriptor =
        new TemporalModels.Descriptor(spec, TemporalModels.FIXED_EXTRACTOR_VERSION, names);
    Path cached =
        cacheDir == null
            ? null
            : cacheDir.resolve(
                String.format(
                    Locale.ROOT,
                    "dtgrm-seed-v1-%d-%d-%d-%d-%d-%d-%.2f-%d.params",
                    o.seedVideos(),
                    o.dataSeed(),
                    o.epochs(),
                    o.stages(),
                    o.layers(),
                    o.featureMaps(),
                    o.dropout(),
                    o.modelSeed()));
    if (cached != null && Files.isRegularFile(cached)) {
      log.println("reusing the seed model " + cached);
      return stream(
          descriptor,
          ModelParameters.fromBytes(Files.readAllBytes(cached)),
          live,
          held,
          o,
          cfg,
          log);
    }
    ModelParameters source;
    long t1 = System.nanoTime();
    try (SegmentationTrainer trainer =
        new SegmentationTrainer(spec, TrainConfig.paper(o.epochs()).withSeed(o.modelSeed()))) {
      double loss =
          trainer.fit(seed, names, null, TrainingProgress.NONE).get(o.epochs() - 1).meanLoss();
      source = TemporalModels.export(trainer.block(), descriptor);
      log.printf(
          Locale.ROOT,
          "seed model: %d epochs on %d videos, loss %.3f, %.1f s%n",
          o.epochs(),
          seed.size(),
          loss,
          (System.nanoTime() - t1) / 1e9);
    }
    if (cached != null) {
      Files.createDirectories(cacheDir);
      Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
      Files.write(tmp, source.toBytes());
      Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return stream(descriptor, source, live, held, o, cfg, log);
  }

  /** Steps 2-4 of the class comment, from a trained source model. */
  public static Result stream(
      TemporalModels.Descriptor descriptor,
      ModelParameters source,
      List<LabeledVideo> live,
      List<LabeledVideo> held,
      Options o,
      TemporalConfig cfg,
      PrintStream log) {
    List<String> names = descriptor.labels();
    int feeds = live.size();
    List<List<Features>> clips = new ArrayList<>();
    int maxClips = 0;
    for (LabeledVideo v : live) {
      List<Features> c = cut(v.features(), cfg.clipFrames());
      clips.add(c);
      maxClips = Math.max(maxClips, c.size());
    }
    int[][] frozenLabels = new int[feeds][];
    int[][] adaptedLabels = new int[feeds][];
    int[][] studentLabels = new int[feeds][];
    int[] filled = new int[feeds];
    for (int i = 0; i < feeds; i++) {
      frozenLabels[i] = new int[live.get(i).length()];
      adaptedLabels[i] = new int[live.get(i).length()];
      studentLabels[i] = new int[live.get(i).length()];
    }
    long rollbacks = 0;
    long confident = 0;
    long frames = 0;
    int streamed = 0;
    long adaptNanos = 0;
    SegmentationAccumulator sourceDomain =
        new SegmentationAccumulator(SegmentationMetrics.DEFAULT_BACKGROUND);
    try (TemporalSelfTraining frozen =
            new TemporalSelfTraining(descriptor, source, cfg, Device.cpu());
        TemporalSelfTraining learner =
            new TemporalSelfTraining(descriptor, source, cfg, Device.cpu())) {
      for (LabeledVideo v : held) {
        sourceDomain.add(v.labels(), frozen.predict(v.features()), names);
      }
      for (int k = 0; k < maxClips; k++) {
        for (int i = 0; i < feeds; i++) {
          if (k >= clips.get(i).size()) {
            continue;
          }
          Features clip = clips.get(i).get(k);
          // test ...
          int at = filled[i];
          System.arraycopy(frozen.predict(clip), 0, frozenLabels[i], at, clip.length());
          System.arraycopy(learner.predict(clip), 0, adaptedLabels[i], at, clip.length());
          System.arraycopy(learner.predictStudent(clip), 0, studentLabels[i], at, clip.length());
          filled[i] += clip.length();
          // ... then train
          long s0 = System.nanoTime();
          for (int r = 0; r < cfg.stepsPerClip(); r++) {
            StepReport rep = learner.step(List.of(clip));
            rollbacks += rep.rolledBack() ? 1 : 0;
            confident += rep.pseudoLabeled();
            frames += rep.batchSize();
            if (rep.rolledBack()) {
              log.println("guard rolled back: " + rep.guardReason());
            }
          }
          adaptNanos += System.nanoTime() - s0;
          streamed++;
        }
      }
      SegmentationAccumulator f =
          new SegmentationAccumulator(SegmentationMetrics.DEFAULT_BACKGROUND);
      SegmentationAccumulator a =
          new SegmentationAccumulator(SegmentationMetrics.DEFAULT_BACKGROUND);
      SegmentationAccumulator s =
          new SegmentationAccumulator(SegmentationMetrics.DEFAULT_BACKGROUND);
      for (int i = 0; i < feeds; i++) {
        int[] truth = live.get(i).labels();
        f.add(truth, frozenLabels[i], names);
        a.add(truth, adaptedLabels[i], names);
        s.add(truth, studentLabels[i], names);
      }
      long steps = learner.step();
      return new Result(
          o,
          cfg,
          f.scores(),
          a.scores(),
          s.scores(),
          held.isEmpty() ? new SegmentationScores(0, 0, 0, 0, 0, 0, 0) : sourceDomain.scores(),
          streamed,
          steps,
          rollbacks,
          frames == 0 ? 0 : (double) confident / frames,
          streamed == 0 ? 0 : adaptNanos / 1e6 / ((long) streamed * cfg.stepsPerClip()));
    }
  }

  /**
   * Consecutive clips of {@code clipFrames} frames; a tail shorter than half a clip joins the clip
   * before it, so no clip is too short for the model's context.
   */
  public static List<Features> cut(Features f, int clipFrames) {
    List<Features> out = new ArrayList<>();
    int start = 0;
    while (start < f.length()) {
      int end = Math.min(f.length(), start + clipFrames);
      if (f.length() - end < clipFrames / 2) {
        end = f.length();
      }
      out.add(slice(f, start, end));
      start = end;
    }
    return out;
  }

  /** Frames {@code [from, to)} of {@code f}. */
  public static Features slice(Features f, int from, int to) {
    int n = to - from;
    float[] data = new float[f.dim() * n];
    for (int c = 0; c < f.dim(); c++) {
      System.arraycopy(f.data(), c * f.length() + from, data, c * n, n);
    }
    return new Features(f.dim(), n, data);
  }

  static List<LabeledVideo> generate(
      FashionMnist images, GeneratorConfig cfg, String prefix, int count, long seedBase) {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, cfg);
    FrameFeatureExtractor fx = new FrameFeatureExtractor(cfg.size());
    List<LabeledVideo> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SyntheticVideo v = gen.generate(String.format("%s-%04d", prefix, i), seedBase + i);
      out.add(new LabeledVideo(v.name(), fx.extract(v.frames()), v.labelIndices()));
    }
    return out;
  }

  /** {@code [--quick] [--shift S] [--set temporal.key=value ...]}: prints the JSON line. */
  public static void main(String[] args) throws IOException {
    boolean quick = false;
    String shift = null;
    java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
    Integer seed = null;
    Integer live = null;
    Integer epochs = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--shift" -> shift = args[++i];
        case "--seed-videos" -> seed = Integer.parseInt(args[++i]);
        case "--live-videos" -> live = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--set" -> {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
    Options o = quick ? Options.quick() : Options.full();
    if (shift != null) {
      o = o.withShift(shift);
    }
    o = o.withCounts(seed, live, epochs);
    Path cache = Path.of(System.getProperty("java.io.tmpdir"), "selfstream-bench-temporal");
    System.out.println(run(o, TemporalConfig.withOverrides(overrides), cache, System.err).toJson());
  }
}
