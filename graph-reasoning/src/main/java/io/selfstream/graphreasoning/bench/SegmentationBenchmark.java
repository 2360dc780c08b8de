package io.selfstream.graphreasoning.bench;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.LabelMapping;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationMetrics;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticDatasets;
import io.selfstream.graphreasoning.train.SegmentationJobs;
import io.selfstream.graphreasoning.train.SegmentationTrainer;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * {@code selfstream bench segmentation}: generates (or reuses) a fixed synthetic split, trains
 * MS-TCN and DTGRM on the same features with the same budget (epochs, batch, Adam 5e-4) for each
 * seed, evaluates the test split with the MS-TCN metrics and prints, as the last line, {@code
 * {"bench":"segmentation","seeds":3,"mstcn":{...},"dtgrm":{...},"train_ms_per_iter":{...}}} (means
 * over seeds).
 */
public final class SegmentationBenchmark {

  /**
   * Benchmark settings.
   *
   * @param data dataset folder (generated there unless a matching one exists)
   * @param trainVideos synthetic training videos
   * @param testVideos synthetic test videos
   * @param dataSeed seed of the synthetic data (fixed across model seeds)
   * @param seeds model seeds 1..seeds
   * @param epochs training epochs for both models
   * @param stages stages of both models
   * @param layers layers per stage
   * @param featureMaps channels
   */
  public record Options(
      Path data,
      int trainVideos,
      int testVideos,
      long dataSeed,
      int seeds,
      int epochs,
      int stages,
      int layers,
      int featureMaps) {

    public static Options full(Path data) {
      return new Options(data, 40, 20, 2024, 3, 50, 4, 10, 64);
    }

    public static Options quick(Path data) {
      return new Options(data, 16, 8, 2024, 3, 40, 4, 8, 32);
    }

    /** These options with other seed and epoch counts; {@code null} keeps the current one. */
    public Options with(Integer newSeeds, Integer newEpochs) {
      return new Options(
          data,
          trainVideos,
          testVideos,
          dataSeed,
          newSeeds == null ? seeds : newSeeds,
          newEpochs == null ? epochs : newEpochs,
          stages,
          layers,
          featureMaps);
    }
  }

  /** Means over seeds. */
  public record Result(
      int seeds, Map<ModelType, SegmentationScores> scores, Map<ModelType, Double> msPerIteration) {

    public String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"bench\":\"segmentation\",\"seeds\":%d,\"mstcn\":%s,\"dtgrm\":%s,"
              + "\"train_ms_per_iter\":{\"mstcn\":%.1f,\"dtgrm\":%.1f}}",
          seeds,
          scores.get(ModelType.MSTCN).toJson(),
          scores.get(ModelType.DTGRM).toJson(),
          msPerIteration.get(ModelType.MSTCN),
          msPerIteration.get(ModelType.DTGRM));
    }
  }

  private SegmentationBenchmark() {}

  /** Generates the dataset unless {@code bench.properties} in it records the same settings. */
  public static MsTcnDataset prepare(Options o, PrintStream log) throws IOException {
    MsTcnDataset ds = new MsTcnDataset(o.data());
    Properties want = new Properties();
    want.setProperty("generator", "activity-v2-features138");
    want.setProperty("train", Integer.toString(o.trainVideos()));
    want.setProperty("test", Integer.toString(o.testVideos()));
    want.setProperty("seed", Long.toString(o.dataSeed()));
    Path marker = o.data().resolve("bench.properties");
    if (Files.isRegularFile(marker)) {
      Properties have = new Properties();
      try (Reader r = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
        have.load(r);
      }
      if (have.equals(want)) {
        log.println("reusing synthetic dataset " + o.data());
        return ds;
      }
    }
    log.println("generating synthetic dataset in " + o.data());
    long start = System.nanoTime();
    SyntheticDatasets.Written w =
        SyntheticDatasets.generate(
            ds,
            FashionMnist.load(FashionMnist.Split.TRAIN),
            FashionMnist.load(FashionMnist.Split.TEST),
            o.trainVideos(),
            o.testVideos(),
            o.dataSeed(),
            GeneratorConfig.defaults());
    log.printf(
        Locale.ROOT,
        "  %d videos, %d frames in %.1f s%n",
        w.train().size() + w.test().size(),
        w.frames(),
        (System.nanoTime() - start) / 1e9);
    try (Writer wr = Files.newBufferedWriter(marker, StandardCharsets.UTF_8)) {
      want.store(wr, "selfstream segmentation benchmark data");
    }
    return ds;
  }

  public static Result run(Options o, PrintStream log) throws IOException {
    MsTcnDataset ds = prepare(o, log);
    LabelMapping mapping = ds.readMapping();
    List<LabeledVideo> train = SegmentationJobs.load(ds, ds.readSplit("train.split1"), mapping, 1);
    List<LabeledVideo> test = SegmentationJobs.load(ds, ds.readSplit("test.split1"), mapping, 1);
    int dim = train.get(0).features().dim();
    Map<ModelType, List<SegmentationScores>> perSeed = new EnumMap<>(ModelType.class);
    Map<ModelType, Double> ms = new EnumMap<>(ModelType.class);
    for (ModelType type : ModelType.values()) {
      perSeed.put(type, new ArrayList<>());
      ms.put(type, 0.0);
    }
    for (int seed = 1; seed <= o.seeds(); seed++) {
      for (ModelType type : ModelType.values()) {
        ModelSpec spec =
            ModelSpec.paper(type, dim, mapping.size())
                .resized(o.stages(), o.layers(), o.featureMaps(), 0.5);
        TrainConfig cfg = TrainConfig.paper(o.epochs()).withSeed(seed);
        long start = System.nanoTime();
        SegmentationAccumulator acc =
            new SegmentationAccumulator(SegmentationMetrics.DEFAULT_BACKGROUND);
        double msIter;
        double lastLoss;
        try (SegmentationTrainer trainer = new SegmentationTrainer(spec, cfg)) {
          lastLoss =
              trainer
                  .fit(train, mapping.names(), null, TrainingProgress.NONE)
                  .get(o.epochs() - 1)
                  .meanLoss();
          for (LabeledVideo v : test) {
            acc.add(v.labels(), trainer.predict(v.features()), mapping.names());
          }
          msIter = trainer.meanIterationMillis();
        }
        SegmentationScores s = acc.scores();
        perSeed.get(type).add(s);
        ms.put(type, ms.get(type) + msIter / o.seeds());
        log.printf(
            Locale.ROOT,
            "seed %d %-5s loss %.3f %s  %.1f ms/iter  %.0f s%n",
            seed,
            type.name().toLowerCase(Locale.ROOT),
            lastLoss,
            s.toJson(),
            msIter,
            (System.nanoTime() - start) / 1e9);
      }
    }
    Map<ModelType, SegmentationScores> means = new EnumMap<>(ModelType.class);
    for (ModelType type : ModelType.values()) {
      means.put(type, SegmentationScores.mean(perSeed.get(type)));
    }
    return new Result(o.seeds(), means, ms);
  }

  /**
   * {@code [--quick] [--data DIR] [--out FILE] [--seeds N] [--epochs N] [--threads N]}. PyTorch
   * runs with {@code --threads} intra-op threads (default 1; set {@code OMP_NUM_THREADS} to the
   * same value for the fastest CPU runs).
   */
  public static void main(String[] args) throws IOException {
    boolean quick = false;
    Path data = null;
    Path out = null;
    Integer seeds = null;
    Integer epochs = null;
    String threads = "1";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--data" -> data = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--seeds" -> seeds = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--threads" -> threads = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", threads);
    }
    if (data == null) {
      data =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              quick ? "selfstream-bench-segmentation-quick" : "selfstream-bench-segmentation");
    }
    Options o = quick ? Options.quick(data) : Options.full(data);
    o = o.with(seeds, epochs);
    Result r = run(o, System.err);
    String json = r.toJson();
    if (out != null) {
      Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
    }
    System.out.println(json);
  }
}
