package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.BrokenFiles;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.ingest.source.FrameSources;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.pipeline.ImageIngestRun;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream demo}: the main job on the embedded stack. Today it runs what exists: stack up,
 * the Fashion-MNIST test split plus a folder of broken files through ingest and the normalizer, and
 * the accounting that nothing was lost.
 */
@Command(name = "demo", description = "End-to-end demo on the embedded stack (real data).")
final class DemoCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(names = "--quick", description = "a short run (2,000 images)")
  boolean quick;

  @Override
  public Integer call() throws Exception {
    Config config = common.load();
    StackSettings stackSettings = StackSettings.from(config);
    Path demoDir = stackSettings.dataDir().resolve("demo");
    Files.createDirectories(demoDir);
    Optional<Map<String, String>> running = EmbeddedStack.runningStack(stackSettings.dataDir());
    EmbeddedStack stack = null;
    try {
      ClientSettings client;
      if (running.isPresent() || common.bootstrap != null) {
        client = ClientSettings.from(config);
        System.out.println("using the running stack at " + client.bootstrap());
      } else {
        System.out.println("starting the embedded stack in " + stackSettings.dataDir() + " ...");
        stack = EmbeddedStack.start(stackSettings);
        client = stack.clientSettings();
        System.out.printf(
            "stack ready in %.1f s: kafka %s, registry %s%n",
            stack.startupTime().toMillis() / 1000.0, client.bootstrap(), client.registryUrl());
      }
      Runtime.getRuntime().addShutdownHook(closeOnExit(stack));

      List<BrokenFiles.BrokenFile> broken = BrokenFiles.writeTo(demoDir.resolve("broken-files"));
      IngestSettings ingest = IngestSettings.from(config);
      FrameSource images =
          FrameSources.open(
              FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"), "fmnist-test", 0);
      if (quick) {
        images = images.limit(2_000);
      }
      long total = images.size().orElse(0) + broken.size();
      NormalizerSettings normalizer = NormalizerSettings.from(config);
      ImageIngestRun.Result result;
      try (ProgressBar bar = new ProgressBar("frames.raw", total)) {
        result =
            ImageIngestRun.run(
                client,
                ingest,
                normalizer,
                List.of(images, FrameSources.open(demoDir.resolve("broken-files"), "broken", 0)),
                p -> bar.update(p.acked()),
                Duration.ofMinutes(5));
      }
      printSummary(result);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("demo", "ingest");
      json.put("produced", result.produced());
      json.put("frames", result.frames());
      json.put("dead_letters", result.deadLetters());
      json.put("dead_letters_by_reason", result.deadLettersByReason());
      json.put("frames_per_s", BenchOutput.round(result.framesPerSecond(), 1));
      json.put("nothing_lost", result.accounted());
      BenchOutput.emit(json, demoDir.resolve("summary.json"));
      return result.accounted() && result.failed() == 0 ? 0 : 1;
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
  }

  private static Thread closeOnExit(EmbeddedStack stack) {
    return new Thread(
        () -> {
          if (stack != null) {
            stack.close();
          }
        },
        "demo-shutdown");
  }

  private static void printSummary(ImageIngestRun.Result r) {
    System.out.println();
    System.out.println("+----------------------------+------------+");
    System.out.printf("| %-26s | %10d |%n", "frames produced (raw)", r.produced());
    System.out.printf("| %-26s | %10d |%n", "frames normalized", r.frames());
    System.out.printf("| %-26s | %10d |%n", "dead letters", r.deadLetters());
    r.deadLettersByReason().forEach((k, v) -> System.out.printf("| %-26s | %10d |%n", "  " + k, v));
    System.out.printf("| %-26s | %10.0f |%n", "frames/s (end to end)", r.framesPerSecond());
    System.out.printf(
        "| %-26s | %10s |%n", "in = out + dead letters", r.accounted() ? "yes" : "NO");
    System.out.println("+----------------------------+------------+");
  }
}
