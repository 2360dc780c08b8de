package io.selfstream.ops.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.config.Config;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.dashboard.DashboardServer;
import io.selfstream.ops.dashboard.DashboardState;
import io.selfstream.ops.demo.DemoRun;
import io.selfstream.ops.metrics.MetricsServer;
import io.selfstream.ops.metrics.MetricsSettings;
import io.selfstream.ops.pipeline.LiveVideoFeeds;
import io.selfstream.ops.pipeline.SeedSegmentationModel;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.stack.Dirs;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream demo}: the main job. A fresh embedded stack of its own (Kafka, registry, Flink
 * mini-cluster), the cached (or freshly bootstrapped) source encoder, the continual corruption feed
 * through the normalizer and the views job, the three adapting encoder trainers and the prequential
 * evaluator; alongside, live video feeds (generated with ground truth, shifted from the seed
 * model's domain) through the same normalizer into fixed-extractor features, the temporal trainer
 * adapting the cached (or freshly trained) seed DTGRM, and the live segmentation app serving its
 * newest version, scored against the truth. A periodic status and a summary table; all figures go
 * to {@code <dataDir>/demo/summary.json} (or {@code --out}).
 */
@Command(name = "demo", description = "End-to-end demo on a fresh embedded stack (real data).")
final class DemoCommand implements Callable<Integer> {

  /** Epochs of the source encoder a quick demo bootstraps when none is cached. */
  static final int QUICK_BOOTSTRAP_EPOCHS = 1;

  @Mixin CommonOptions common;

  @Option(names = "--quick", description = "a short run (about 3 minutes on 2 cores)")
  boolean quick;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "stop the feed after this long (e.g. 5m, 90s)")
  String duration;

  @Option(names = "--out", paramLabel = "FILE", description = "write the summary JSON here")
  Path out;

  @Option(
      names = "--video-feeds",
      paramLabel = "N",
      description =
          "live video feeds segmented by the DTGRM (default 3; 0 runs without video, segmentation"
              + " and temporal trainer)")
  Integer videoFeeds;

  @Option(
      names = "--video-fps",
      paramLabel = "N",
      description = "frames per second of each video feed (default 10)")
  Double videoFps;

  @Override
  public Integer call() throws Exception {
    TorchThreads.onePerModelUnlessSet();
    Config config = common.load();
    StackSettings stackSettings = StackSettings.from(config);
    Path dataDir = stackSettings.dataDir();
    DemoRun.Options options = DemoRun.Options.of(quick);
    if (duration != null) {
      options = options.withDuration(parseDuration(duration));
    }
    if ((videoFeeds != null && videoFeeds < 0) || (videoFps != null && !(videoFps > 0))) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--video-feeds must be >= 0 and --video-fps > 0");
    }
    LiveVideoFeeds.Spec feeds = options.video().feeds();
    if (videoFeeds != null) {
      feeds = feeds.withFeeds(videoFeeds);
    }
    if (videoFps != null) {
      feeds = feeds.withFps(videoFps);
    }
    options = options.withVideo(options.video().withFeeds(feeds));
    FfmpegNatives.cacheUnder(dataDir);

    BootstrapConfig bootstrap =
        quick
            ? BootstrapConfig.DEFAULT.withEpochs(QUICK_BOOTSTRAP_EPOCHS)
            : BootstrapConfig.DEFAULT;
    SourceEncoder source = sourceEncoder(dataDir, bootstrap);
    System.out.printf(
        "source encoder: %.2f%% clean test accuracy (%d epochs)%s%n",
        100 * source.testAccuracy(), source.epochs(), source.reused() ? ", cached" : "");
    SeedSegmentationModel seed = null;
    if (options.video().enabled()) {
      seed =
          SeedSegmentationModel.loadOrTrain(
              dataDir,
              quick ? SeedSegmentationModel.Recipe.quick() : SeedSegmentationModel.Recipe.full(),
              System.out::println);
      System.out.printf(
          "seed segmentation model (dtgrm v1): held-out acc %.1f%% edit %.1f F1@50 %.1f, with the"
              + " live shift acc %.1f%% edit %.1f F1@50 %.1f (%s)%n",
          seed.heldOut().acc(),
          seed.heldOut().edit(),
          seed.heldOut().f1At50(),
          seed.heldOutShifted().acc(),
          seed.heldOutShifted().edit(),
          seed.heldOutShifted().f1At50(),
          seed.reused()
              ? "cached"
              : String.format(java.util.Locale.ROOT, "trained in %.0f s", seed.trainSeconds()));
    }

    Path runDir = dataDir.resolve("demo");
    Dirs.deleteQuietly(runDir);
    Files.createDirectories(runDir);
    StackSettings demoStack = StackSettings.forTests(runDir.resolve("stack"));
    MetricsSettings metricsSettings = MetricsSettings.from(config);
    System.out.println("starting a fresh embedded stack in " + runDir.resolve("stack") + " ...");
    try (EmbeddedStack stack = EmbeddedStack.start(demoStack);
        MetricsServer metrics =
            metricsSettings.enabled() ? MetricsServer.start(metricsSettings) : null) {
      Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "demo-shutdown"));
      System.out.printf(
          "stack ready in %.1f s: kafka %s, registry %s%n",
          stack.startupTime().toMillis() / 1000.0,
          stack.clientSettings().bootstrap(),
          stack.clientSettings().registryUrl());
      MeterRegistry registry = metrics == null ? new SimpleMeterRegistry() : metrics.registry();
      // the dashboard: served with the metrics, and written to a file for `selfstream dashboard`
      DashboardState dashboard = new DashboardState(registry);
      Path dashboardFile = runDir.resolve(DashboardState.FILE_NAME);
      if (metrics != null) {
        DashboardServer.mount(metrics, dashboard::json);
        System.out.println("metrics: " + metrics.baseUrl() + "/metrics");
        System.out.println("dashboard: " + metrics.baseUrl() + "/");
      }
      DemoRun run =
          new DemoRun(stack.clientSettings(), runDir, source, options, registry, System.out)
              .listener(
                  new DemoRun.Listener() {
                    @Override
                    public void onStatus(DemoRun.Status status) {
                      dashboard.onStatus(status);
                      dashboard.writeTo(dashboardFile);
                    }

                    @Override
                    public void onSegmentFrame(String feed, String predicted, String truth) {
                      dashboard.onSegmentFrame(feed, predicted, truth);
                    }
                  });
      if (seed != null) {
        run.segmentation(seed);
      }
      DemoRun.Summary summary = run.run();
      printTable(summary);
      BenchOutput.emit(summary.json(), out == null ? runDir.resolve("summary.json") : out);
      return summary.nothingLost() && summary.applied() ? 0 : 1;
    }
  }

  private static SourceEncoder sourceEncoder(Path dataDir, BootstrapConfig bootstrap)
      throws java.io.IOException {
    ProgressBar[] bar = new ProgressBar[1];
    SourceEncoder source =
        SourceEncoder.loadOrTrain(
            dataDir,
            EncoderConfig.DEFAULT,
            bootstrap,
            false,
            new BootstrapListener() {
              @Override
              public void onStart(
                  int totalEpochs, int stepsPerEpoch, int trainSize, int testSize, long p) {
                bar[0] =
                    new ProgressBar("bootstrap source encoder", (long) totalEpochs * stepsPerEpoch);
              }

              @Override
              public void onStep(StepProgress progress) {
                bar[0].update(
                    progress.globalStep(),
                    String.format("epoch %d loss %.3f", progress.epoch(), progress.loss()));
              }
            });
    if (bar[0] != null) {
      bar[0].close();
    }
    return source;
  }

  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new DemoCommand()),
          "--duration: expected e.g. 90s, 5m or 1h, got '" + s + "'");
    }
  }

  @SuppressWarnings("unchecked")
  private static void printTable(DemoRun.Summary summary) {
    Map<String, Object> j = summary.json();
    System.out.println();
    System.out.println("+--------------------------------+--------------+");
    row("frames sent", j.get("frames_sent"));
    row("frames normalized", j.get("frames"));
    row("dead letters", j.get("dead_letters"));
    row("views", j.get("views"));
    ((Map<String, Object>) j.get("methods"))
        .forEach(
            (m, v) -> {
              Object e = ((Map<String, Object>) v).get("mean_error");
              row(
                  "online error " + m,
                  e instanceof Number n ? String.format("%.1f %%", 100 * n.doubleValue()) : e);
            });
    ((Map<String, Object>) j.get("trainers"))
        .forEach((m, v) -> row("versions " + m, ((Map<String, Object>) v).get("version")));
    if (j.get("video") instanceof Map<?, ?> video) {
      row("video frames sent", j.get("video_frames_sent"));
      row("video frames normalized", j.get("video_frames"));
      Map<String, Object> trainer = (Map<String, Object>) video.get("temporal_trainer");
      Map<String, Object> app = (Map<String, Object>) video.get("segmentation_app");
      row("dtgrm versions published", trainer.get("versions_published"));
      row("dtgrm version served", app.get("version_served"));
      ((Map<String, Object>) video.get("feeds"))
          .forEach(
              (feed, v) -> {
                Map<String, Object> f = (Map<String, Object>) v;
                row(feed + " labelled", f.get("labelled") + "/" + f.get("normalized"));
                row(feed + " segments", f.get("segments"));
                row(feed + " acc/edit/F1@50", scoreCell(f.get("scores")));
              });
      row("segmentation, all feeds", scoreCell(video.get("scores")));
    }
    row("learned (selfstream < source)", summary.learned() ? "yes" : "NO");
    row("nothing lost", summary.nothingLost() ? "yes" : "NO");
    row("last versions applied", summary.applied() ? "yes" : "NO");
    System.out.println("+--------------------------------+--------------+");
  }

  private static String scoreCell(Object scores) {
    if (!(scores instanceof Map<?, ?> s)) {
      return "-";
    }
    return String.format(
        java.util.Locale.ROOT,
        "%.0f/%.0f/%.0f",
        ((Number) s.get("acc")).doubleValue(),
        ((Number) s.get("edit")).doubleValue(),
        ((Number) s.get("f1@50")).doubleValue());
  }

  private static void row(String name, Object value) {
    System.out.printf("| %-30s | %12s |%n", name, value);
  }
}
