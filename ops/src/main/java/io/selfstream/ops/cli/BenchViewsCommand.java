package io.selfstream.ops.cli;

import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.bench.ViewsBenchmark;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream bench views}: the views job vs the same loop in memory, on its own stack. */
@Command(
    name = "views",
    description =
        "Views/s through the Flink views job (Kafka -> Kafka, exactly-once) vs the same augment +"
            + " mask + teacher loop on in-memory frames, and model-update publish -> applied p99"
            + " (own embedded stack).")
final class BenchViewsCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--quick",
      description = "15 s measured runs and 10 updates instead of 60 s and 30")
  boolean quick;

  @Option(names = "--parallelism", paramLabel = "N", description = "job parallelism (default 2)")
  Integer parallelism;

  @Option(names = "--frames", paramLabel = "N", description = "frames in the measured runs")
  Integer frames;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
  Path out;

  @Override
  public Integer call() throws Exception {
    TorchThreads.onePerModelUnlessSet();
    common.load(); // validates the configuration like every command
    ViewsBenchmark.Options options = ViewsBenchmark.Options.of(quick);
    if (parallelism != null) {
      options = options.withParallelism(parallelism);
    }
    if (frames != null) {
      options = options.withFrames(frames);
    }
    Path dataDir = Files.createTempDirectory("selfstream-bench-views");
    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(dataDir))) {
      Map<String, Object> result =
          new ViewsBenchmark(stack.clientSettings(), dataDir, options).run();
      BenchOutput.emit(result, out);
    } finally {
      io.selfstream.ops.stack.Dirs.deleteQuietly(dataDir);
    }
    return 0;
  }
}
