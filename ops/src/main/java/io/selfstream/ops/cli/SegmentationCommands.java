package io.selfstream.ops.cli;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.bench.SegmentationBenchmark;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticDatasets;
import io.selfstream.graphreasoning.train.EpochSummary;
import io.selfstream.graphreasoning.train.SegmentationJobs;
import io.selfstream.graphreasoning.train.TrainConfig;
import io.selfstream.graphreasoning.train.TrainingProgress;
import io.selfstream.graphreasoning.video.VideoCodec;
import io.selfstream.graphreasoning.video.VideoFileWriter;
import io.selfstream.ops.bench.BenchOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Action-segmentation commands over the MS-TCN dataset layout. */
final class SegmentationCommands {

  private SegmentationCommands() {}

  @Command(
      name = "train",
      description = "Train a model.",
      subcommands = {
        TrainSegmentation.class,
        TrainEncoderCommand.class,
        TrainTemporalCommand.class
      })
  static final class Train implements Runnable {
    @Override
    public void run() {
      new picocli.CommandLine(this).usage(System.out);
    }
  }

  @Command(
      name = "predict",
      description = "Predict with a trained model.",
      subcommands = {PredictSegmentation.class})
  static final class Predict implements Runnable {
    @Override
    public void run() {
      new picocli.CommandLine(this).usage(System.out);
    }
  }

  @Command(
      name = "generate",
      description = "Generate data sets.",
      subcommands = {GenerateVideos.class})
  static final class Generate implements Runnable {
    @Override
    public void run() {
      new picocli.CommandLine(this).usage(System.out);
    }
  }

  @Command(
      name = "segmentation",
      description =
          "Train MS-TCN or DTGRM on an MS-TCN layout data set (features/*.npy, groundTruth/*.txt,"
              + " mapping.txt, splits/*.bundle); Adam 5e-4, checkpoints every epoch.")
  static final class TrainSegmentation implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR")
    Path data;

    @Option(names = "--model", paramLabel = "dtgrm|mstcn", description = "default dtgrm")
    String model = "dtgrm";

    @Option(names = "--epochs", paramLabel = "N", description = "default 50")
    int epochs = 50;

    @Option(names = "--split", paramLabel = "NAME", description = "default train.split1")
    String split;

    @Option(names = "--sample-rate", paramLabel = "N", description = "use every N-th frame")
    int sampleRate = 1;

    @Option(
        names = "--checkpoints",
        paramLabel = "DIR",
        description = "default DATA/checkpoints/MODEL")
    Path checkpoints;

    @Override
    public Integer call() throws Exception {
      ModelType type = ModelType.parse(model);
      MsTcnDataset ds = new MsTcnDataset(data);
      List<String> videos =
          SegmentationJobs.videos(ds, split, SegmentationJobs.DEFAULT_TRAIN_SPLIT);
      Path out = checkpoints != null ? checkpoints : data.resolve("checkpoints").resolve(model);
      ProgressBar[] bar = new ProgressBar[1];
      List<EpochSummary> epochsDone =
          SegmentationJobs.train(
              data,
              split,
              SegmentationJobs.paperSpec(ds, videos, type),
              TrainConfig.paper(epochs),
              sampleRate,
              out,
              new TrainingProgress() {
                int perEpoch;

                @Override
                public void onStart(int totalEpochs, int iterationsPerEpoch) {
                  perEpoch = iterationsPerEpoch;
                  bar[0] =
                      new ProgressBar("train " + model, (long) totalEpochs * iterationsPerEpoch);
                }

                @Override
                public void onIteration(int epoch, int iteration, double loss) {
                  bar[0].update(
                      (long) (epoch - 1) * perEpoch + iteration, String.format("loss %.3f", loss));
                }
              });
      if (bar[0] != null) {
        bar[0].close();
      }
      EpochSummary last = epochsDone.get(epochsDone.size() - 1);
      System.out.println("last epoch: " + last);
      System.out.println("checkpoint: " + out.resolve("latest"));
      return 0;
    }
  }

  @Command(
      name = "segmentation",
      description = "Write one prediction file per video (one label a line) for segment-eval.")
  static final class PredictSegmentation implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR")
    Path checkpoint;

    @Option(names = "--data", required = true, paramLabel = "DIR")
    Path data;

    @Option(names = "--split", paramLabel = "NAME", description = "default test.split1")
    String split;

    @Option(names = "--sample-rate", paramLabel = "N")
    int sampleRate = 1;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
      List<Path> written = SegmentationJobs.predict(checkpoint, data, split, sampleRate, out);
      System.out.println("wrote " + written.size() + " prediction files to " + out);
      return 0;
    }
  }

  @Command(
      name = "videos",
      description =
          "Synthetic activity sequences of Fashion-MNIST sprites (actions that differ only in"
              + " direction or speed), written in the MS-TCN layout with the documented fixed"
              + " per-frame features and frame-level ground truth, and every sequence as a real"
              + " video file videos/<name>.mkv (lossless FFV1; --video-codec h264|mpeg4 for .mp4)"
              + " to replay as a feed with `selfstream ingest video`.")
  static final class GenerateVideos implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--count", paramLabel = "N", description = "training videos (default 40)")
    int count = 40;

    @Option(names = "--test-count", paramLabel = "N", description = "test videos (default 20)")
    int testCount = 20;

    @Option(names = "--seed", paramLabel = "S")
    long seed = 2024;

    @Option(
        names = "--shift",
        paramLabel = "none|sensor-noise|live",
        description = "domain shift of the generated feed (default none)")
    String shift = "none";

    @Option(
        names = "--video-codec",
        paramLabel = "ffv1|h264|mpeg4|none",
        description =
            "video files: ffv1 (lossless .mkv, default), h264 (openh264 .mp4), mpeg4 (.mp4) or"
                + " none")
    String videoCodec = "ffv1";

    @Option(
        names = "--fps",
        paramLabel = "N",
        description = "frame rate stored in the video files (default 15)")
    double fps = VideoFileWriter.DEFAULT_FPS;

    @Override
    public Integer call() throws Exception {
      Optional<VideoFileWriter> videos =
          videoCodec.equalsIgnoreCase("none")
              ? Optional.empty()
              : Optional.of(new VideoFileWriter(VideoCodec.parse(videoCodec), fps));
      if (videos.isPresent()) {
        FfmpegNatives.cacheUnder(
            io.selfstream.config.Config.load(
                    ConfigKeys.all(), null, System.getenv(), java.util.Map.of())
                .get(io.selfstream.ops.stack.StackSettings.DATA_DIR));
      }
      DomainShift domainShift =
          switch (shift) {
            case "none" -> DomainShift.none();
            case "sensor-noise" -> DomainShift.sensorNoise();
            case "live" -> DomainShift.live();
            default ->
                throw new IllegalArgumentException(
                    "--shift must be none, sensor-noise or live, got " + shift);
          };
      Files.createDirectories(out);
      SyntheticDatasets.Written written =
          SyntheticDatasets.generate(
              new MsTcnDataset(out),
              FashionMnist.load(FashionMnist.Split.TRAIN),
              FashionMnist.load(FashionMnist.Split.TEST),
              count,
              testCount,
              seed,
              GeneratorConfig.defaults().withShift(domainShift),
              videos);
      System.out.printf(
          "wrote %d train + %d test sequences (%d frames) to %s%s%n",
          written.train().size(),
          written.test().size(),
          written.frames(),
          out,
          videos
              .map(
                  w ->
                      String.format(
                          ", %d %s video files at %s fps in %s",
                          written.videoFiles().size(),
                          w.codec(),
                          w.fps(),
                          out.resolve(SyntheticDatasets.VIDEOS_DIR)))
              .orElse(""));
      return 0;
    }
  }

  @Command(
      name = "segmentation",
      description =
          "MS-TCN vs DTGRM on the same synthetic features and budget over seeds (last stdout line:"
              + " JSON).")
  static final class BenchSegmentation implements Callable<Integer> {

    @Option(names = "--quick", description = "16/8 videos, smaller models, 40 epochs")
    boolean quick;

    @Option(names = "--data", paramLabel = "DIR", description = "data set folder (reused)")
    Path data;

    @Option(names = "--seeds", paramLabel = "N")
    Integer seeds;

    @Option(names = "--epochs", paramLabel = "N")
    Integer epochs;

    @Option(names = "--out", paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
      Path dir =
          data != null
              ? data
              : Path.of(
                  System.getProperty("java.io.tmpdir"),
                  quick ? "selfstream-bench-segmentation-quick" : "selfstream-bench-segmentation");
      SegmentationBenchmark.Options o =
          quick
              ? SegmentationBenchmark.Options.quick(dir)
              : SegmentationBenchmark.Options.full(dir);
      o = o.with(seeds, epochs);
      String json = SegmentationBenchmark.run(o, System.err).toJson();
      BenchOutput.emitRaw(json, out);
      return 0;
    }
  }
}
