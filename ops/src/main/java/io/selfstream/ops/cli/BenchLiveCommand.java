package io.selfstream.ops.cli;

import io.selfstream.config.Config;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.bench.LiveBenchmark;
import io.selfstream.ops.stack.Dirs;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream bench live}: live video feeds through ingest, normalizer, views job and live
 * segmentation on its own embedded stack ({@link LiveBenchmark}). Last stdout line: {@code
 * {"bench":"live","feeds":8,"fps":30,"frames":N,"p50_ms":..,"p99_ms":..,...}}.
 */
@Command(
    name = "live",
    description =
        "8 generated video feeds at 30 fps, paced like cameras, through ingest -> normalizer ->"
            + " views job (fixed video features) -> live segmentation (own embedded stack):"
            + " capture -> label committed p50/p99 excluding the lookahead wait, per stage, and"
            + " model-update publish -> applied p99 (dtgrm in the app, encoder in the views job)"
            + " while the feeds run.")
final class BenchLiveCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--quick",
      description = "20 s of video per feed, 3 + 3 updates, the quick seed model (else 60 s, 10)")
  boolean quick;

  @Option(names = "--feeds", paramLabel = "N", description = "concurrent feeds (default 8)")
  Integer feeds;

  @Option(names = "--fps", paramLabel = "N", description = "frames per second per feed (30)")
  Double fps;

  @Option(names = "--seconds", paramLabel = "N", description = "seconds of video per feed")
  Integer seconds;

  @Option(
      names = "--lookahead",
      paramLabel = "N",
      description = "segmentation.lookaheadFrames (default: as configured, 8)")
  Integer lookahead;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      description =
          "views job checkpoint interval: its features become visible at checkpoints"
              + " (default 500ms)")
  String checkpointInterval;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description = "where the seed model is cached (default: <tmp>/selfstream-bench-live)")
  Path cache;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
  Path out;

  @Override
  public Integer call() throws Exception {
    TorchThreads.onePerModelUnlessSet();
    Config config = common.load();
    FfmpegNatives.cacheUnder(config.get(StackSettings.DATA_DIR));
    Duration interval =
        checkpointInterval == null
            ? null
            : io.selfstream.config.ConfigKey.duration("bench.live", checkpointInterval, "")
                .parser()
                .apply(checkpointInterval);
    LiveBenchmark.Options options =
        LiveBenchmark.Options.of(quick)
            .with(
                feeds,
                fps,
                seconds == null ? null : Duration.ofSeconds(seconds),
                lookahead,
                interval);
    Path modelCache =
        cache != null
            ? cache
            : Path.of(System.getProperty("java.io.tmpdir"), "selfstream-bench-live");
    Path dataDir = Files.createTempDirectory("selfstream-bench-live");
    try {
      LiveBenchmark bench = new LiveBenchmark(config, dataDir, modelCache, options, System.err);
      bench.prepare();
      try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(dataDir))) {
        BenchOutput.emit(bench.run(stack.clientSettings()), out);
      }
    } finally {
      Dirs.deleteQuietly(dataDir);
    }
    return 0;
  }
}
