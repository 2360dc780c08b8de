package io.selfstream.ops.pipeline;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.train.EpochSummary;
import io.selfstream.graphreasoning.train.SegmentationCheckpoint;
import io.selfstream.graphreasoning.train.SegmentationTrainer;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import io.selfstream.ops.stack.Dirs;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The seed temporal model of the live video feeds (version 1 of {@value TemporalModels#MODEL}): a
 * small DTGRM trained on a labeled set of clean generated activity videos, on the features the live
 * path computes ({@link VideoFeatures#ofVideo}: 64 x 64 frames, the normalizer's resize, the fixed
 * extractor), scored on held-out videos, and cached under {@code <dataDir>/models} as a {@code
 * selfstream train segmentation} checkpoint folder, so {@link
 * TemporalTrainer.Source#fromCheckpoint} and {@code selfstream train temporal --source} read it. A
 * cached model is reused when it was trained by the same {@link Recipe}. Used by the demo; any
 * benchmark that needs a seed model of the synthetic feeds can call {@link #loadOrTrain} too.
 *
 * @param dir the checkpoint folder
 * @param recipe how it was trained
 * @param heldOut frame accuracy, edit and F1 on held-out clean videos (Fashion-MNIST test sprites)
 * @param heldOutShifted the same on held-out videos with the live shift ({@link
 *     DomainShift#live()})
 * @param trainSeconds training wall time (of the run that trained it)
 * @param finalLoss mean loss of the last epoch
 * @param reused whether it came from the cache
 */
public record SeedSegmentationModel(
    Path dir,
    SeedSegmentationModel.Recipe recipe,
    SegmentationScores heldOut,
    SegmentationScores heldOutShifted,
    double trainSeconds,
    double finalLoss,
    boolean reused) {

  /** Frame side of the generated videos (the live feeds' native resolution). */
  public static final int FRAME_SIZE = 64;

  /**
   * How the seed model is trained.
   *
   * @param trainVideos labeled clean videos (Fashion-MNIST train sprites)
   * @param heldOutVideos held-out videos scored after training (test sprites), clean and shifted
   * @param dataSeed seed of the generated videos
   * @param epochs passes over the training videos (Adam, one video a batch)
   * @param learningRate Adam's learning rate (the papers' 5e-4 needs more epochs than a demo has)
   * @param stages DTGRM stages
   * @param layers layers per stage
   * @param featureMaps channels
   * @param dropout dropout
   * @param modelSeed seed of initialisation, order and frame exchanges
   */
  public record Recipe(
      int trainVideos,
      int heldOutVideos,
      long dataSeed,
      int epochs,
      double learningRate,
      int stages,
      int layers,
      int featureMaps,
      double dropout,
      long modelSeed) {

    public Recipe {
      if (trainVideos < 1 || heldOutVideos < 1 || epochs < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException("need at least one training video, held-out, epoch");
      }
      if (stages < 1 || layers < 1 || featureMaps < 1 || dropout < 0 || dropout >= 1) {
        throw new IllegalArgumentException("bad DTGRM size");
      }
    }

    /** Trains in well under a minute on 2 cores (the quick demo, the integration tests). */
    public static Recipe quick() {
      return new Recipe(12, 4, 2024, 15, 3e-3, 2, 6, 32, 0.5, 1);
    }

    /** A few minutes on 2 cores (the default demo). */
    public static Recipe full() {
      return new Recipe(20, 6, 2024, 30, 1e-3, 4, 8, 32, 0.5, 1);
    }

    public Recipe withEpochs(int e) {
      return new Recipe(
          trainVideos,
          heldOutVideos,
          dataSeed,
          e,
          learningRate,
          stages,
          layers,
          featureMaps,
          dropout,
          modelSeed);
    }

    /** The model's architecture for {@code inputDim}-dimensional features. */
    public ModelSpec spec(int inputDim) {
      return ModelSpec.paper(ModelType.DTGRM, inputDim, Action.values().length)
          .resized(stages, layers, featureMaps, dropout);
    }

    /** A stable identity of the recipe: names the cache folder. */
    String key() {
      return String.format(
          Locale.ROOT,
          "%d-%d-%d-%d-%g-%d-%d-%d-%.3f-%d",
          trainVideos,
          heldOutVideos,
          dataSeed,
          epochs,
          learningRate,
          stages,
          layers,
          featureMaps,
          dropout,
          modelSeed);
    }
  }

  static final String RESULT_FILE = "seed.properties";

  /** Where a recipe's model is cached under {@code dataDir}. */
  public static Path cacheDir(Path dataDir, Recipe recipe) {
    return dataDir
        .resolve("models")
        .resolve("dtgrm-seed-synthetic-" + Integer.toHexString(recipe.key().hashCode()));
  }

  /** The model in the form the temporal trainer starts from (fixed-extractor features). */
  public TemporalTrainer.Source source() throws IOException {
    return TemporalTrainer.Source.fromCheckpoint(dir, VideoFeatures.ENCODER_VERSION);
  }

  /**
   * The cached model trained by {@code recipe}, or a freshly trained one (then cached).
   *
   * @param log one line per epoch and the result
   */
  public static SeedSegmentationModel loadOrTrain(Path dataDir, Recipe recipe, Consumer<String> log)
      throws IOException {
    Path dir = cacheDir(dataDir, recipe);
    Path result = dir.resolve(RESULT_FILE);
    if (Files.isRegularFile(result)
        && Files.isRegularFile(dir.resolve(SegmentationCheckpoint.PARAMS))) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(result)) {
        p.load(in);
      }
      if (recipe.key().equals(p.getProperty("recipe"))) {
        return new SeedSegmentationModel(
            dir,
            recipe,
            scores(p, "held_out"),
            scores(p, "held_out_shifted"),
            Double.parseDouble(p.getProperty("train_seconds")),
            Double.parseDouble(p.getProperty("final_loss")),
            true);
      }
    }
    return train(dir, recipe, log);
  }

  private static SeedSegmentationModel train(Path dir, Recipe recipe, Consumer<String> log)
      throws IOException {
    long t0 = System.nanoTime();
    VideoFeatures features = VideoFeatures.defaults();
    GeneratorConfig clean = GeneratorConfig.defaults().withShift(DomainShift.none());
    GeneratorConfig shifted = GeneratorConfig.defaults().withShift(DomainShift.live());
    long base = recipe.dataSeed() * 1_000_003L;
    FashionMnist trainImages = FashionMnist.load(FashionMnist.Split.TRAIN);
    FashionMnist testImages = FashionMnist.load(FashionMnist.Split.TEST);
    List<LabeledVideo> train =
        labeled(trainImages, clean, features, "seed", recipe.trainVideos(), base);
    List<LabeledVideo> held =
        labeled(testImages, clean, features, "held", recipe.heldOutVideos(), base + 700_000);
    List<LabeledVideo> heldShifted =
        labeled(testImages, shifted, features, "held-live", recipe.heldOutVideos(), base + 800_000);
    log.accept(
        String.format(
            Locale.ROOT,
            "seed segmentation model: %d labeled videos (%d frames) generated in %.1f s",
            train.size(),
            train.stream().mapToInt(LabeledVideo::length).sum(),
            (System.nanoTime() - t0) / 1e9));
    List<String> names = Action.labels();
    ModelSpec spec = recipe.spec(features.dim());
    long t1 = System.nanoTime();
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    Dirs.deleteQuietly(tmp);
    SegmentationScores heldScores;
    SegmentationScores shiftedScores;
    double loss;
    try (SegmentationTrainer trainer =
        new SegmentationTrainer(
            spec,
            new TrainConfig(recipe.epochs(), 1, recipe.learningRate(), recipe.modelSeed(), 0))) {
      List<EpochSummary> epochs =
          trainer.fit(
              train,
              names,
              null,
              new TrainingProgress() {
                @Override
                public void onEpoch(EpochSummary s) {
                  if (s.epoch() == s.epochs() || s.epoch() % 5 == 0) {
                    log.accept(
                        String.format(
                            Locale.ROOT,
                            "  epoch %d/%d loss %.3f (%.1f s)",
                            s.epoch(),
                            s.epochs(),
                            s.meanLoss(),
                            (System.nanoTime() - t1) / 1e9));
                  }
                }
              });
      loss = epochs.get(epochs.size() - 1).meanLoss();
      heldScores = score(trainer, held, names);
      shiftedScores = score(trainer, heldShifted, names);
      SegmentationCheckpoint.write(tmp, spec, trainer.block(), names, recipe.epochs());
    }
    double seconds = (System.nanoTime() - t1) / 1e9;
    Properties p = new Properties();
    p.setProperty("recipe", recipe.key());
    p.setProperty("train_seconds", Double.toString(seconds));
    p.setProperty("final_loss", Double.toString(loss));
    put(p, "held_out", heldScores);
    put(p, "held_out_shifted", shiftedScores);
    try (Writer out = Files.newBufferedWriter(tmp.resolve(RESULT_FILE))) {
      p.store(out, "selfstream seed segmentation model");
    }
    Files.createDirectories(dir.getParent());
    Dirs.deleteQuietly(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    return new SeedSegmentationModel(dir, recipe, heldScores, shiftedScores, seconds, loss, false);
  }

  /**
   * {@code count} generated videos of {@code cfg} with their live-path features and labels.
   *
   * @param seedBase video {@code i} is generated with seed {@code seedBase + i}
   */
  public static List<LabeledVideo> labeled(
      FashionMnist images,
      GeneratorConfig cfg,
      VideoFeatures features,
      String prefix,
      int count,
      long seedBase) {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, cfg);
    List<LabeledVideo> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SyntheticVideo v =
          gen.generate(String.format(Locale.ROOT, "%s-%04d", prefix, i), seedBase + i);
      out.add(new LabeledVideo(v.name(), features.ofVideo(v.frames(), v.size()), v.labelIndices()));
    }
    return out;
  }

  private static SegmentationScores score(
      SegmentationTrainer trainer, List<LabeledVideo> videos, List<String> names) {
    SegmentationAccumulator acc = new SegmentationAccumulator();
    for (LabeledVideo v : videos) {
      acc.add(v.labels(), trainer.predict(v.features()), names);
    }
    return acc.scores();
  }

  private static void put(Properties p, String prefix, SegmentationScores s) {
    p.setProperty(prefix + ".acc", Double.toString(s.acc()));
    p.setProperty(prefix + ".edit", Double.toString(s.edit()));
    p.setProperty(prefix + ".f1_10", Double.toString(s.f1At10()));
    p.setProperty(prefix + ".f1_25", Double.toString(s.f1At25()));
    p.setProperty(prefix + ".f1_50", Double.toString(s.f1At50()));
    p.setProperty(prefix + ".videos", Integer.toString(s.videos()));
    p.setProperty(prefix + ".frames", Long.toString(s.frames()));
  }

  private static SegmentationScores scores(Properties p, String prefix) {
    return new SegmentationScores(
        Double.parseDouble(p.getProperty(prefix + ".acc")),
        Double.parseDouble(p.getProperty(prefix + ".edit")),
        Double.parseDouble(p.getProperty(prefix + ".f1_10")),
        Double.parseDouble(p.getProperty(prefix + ".f1_25")),
        Double.parseDouble(p.getProperty(prefix + ".f1_50")),
        Integer.parseInt(p.getProperty(prefix + ".videos")),
        Long.parseLong(p.getProperty(prefix + ".frames")));
  }
}
