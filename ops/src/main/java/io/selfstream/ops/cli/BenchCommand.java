package io.selfstream.ops.cli;

import io.selfstream.config.Config;
import io.selfstream.data.IdxFile;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.bench.IngestBenchmark;
import io.selfstream.ops.stack.Dirs;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream bench ...}: benchmarks that print and write JSON with side-by-side ratios. */
@Command(
    name = "bench",
    description = "Benchmarks; each prints one JSON object as its last stdout line.",
    subcommands = {
      BenchCommand.Ingest.class,
      BenchViewsCommand.class,
      BenchAdaptationCommand.class,
      SegmentationCommands.BenchSegmentation.class,
      BenchTemporalCommand.class,
      BenchLiveCommand.class
    })
final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "ingest",
      description =
          "Full ingest path frames/s vs a raw KafkaProducer on the same broker (own embedded stack).")
  static final class Ingest implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Option(names = "--quick", description = "10,000 frames (test split) instead of 60,000")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
    Path out;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      Path dataDir = Files.createTempDirectory("selfstream-bench-ingest");
      StackSettings stackSettings = StackSettings.forTests(dataDir);
      IdxFile images = IngestBenchmark.images(quick);
      NormalizerSettings normalizer =
          NormalizerSettings.from(
              Config.load(
                  NormalizerSettings.KEYS,
                  null,
                  Map.of(),
                  Map.of(
                      NormalizerSettings.STATE_DIR.name(), dataDir.resolve("streams").toString())));
      try (EmbeddedStack stack = EmbeddedStack.start(stackSettings)) {
        Map<String, Object> result =
            new IngestBenchmark(stack.clientSettings(), IngestSettings.from(config), normalizer)
                .run(images, images.count(), 2_000);
        BenchOutput.emit(result, out);
      } finally {
        Dirs.deleteQuietly(dataDir);
      }
      return 0;
    }
  }
}
