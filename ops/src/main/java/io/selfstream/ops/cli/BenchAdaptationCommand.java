package io.selfstream.ops.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.config.Config;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ops.bench.AdaptationBenchmark;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.bench.OfflineAdaptationBenchmark;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.stack.Dirs;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream bench adaptation}: mean prequential error of SOURCE, TENT, SELFTRAIN and
 * SELFSTREAM on the continual Fashion-MNIST-C stream. {@code --in-memory} runs the learners in this
 * JVM without Kafka (the reference run); the Kafka mode is added to this same command.
 */
@Command(
    name = "adaptation",
    description =
        "Online adaptation on the continual Fashion-MNIST-C stream (15 corruptions in order):"
            + " prequential error per method and domain, and trainer samples/s.")
final class BenchAdaptationCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--in-memory",
      description = "run the learners in this JVM on the stream, without Kafka (reference run)")
  boolean inMemory;

  @Option(names = "--quick", description = "400 images per domain instead of the whole split")
  boolean quick;

  @Option(
      names = "--limit-per-domain",
      paramLabel = "N",
      description = "images per domain (0 = the whole test split)")
  Integer limitPerDomain;

  @Option(names = "--severity", paramLabel = "S", description = "corruption severity 1-5")
  int severity = 5;

  @Option(
      names = "--methods",
      paramLabel = "M,...",
      split = ",",
      description = "methods to compare (default: source,tent,selftrain,selfstream)")
  List<String> methods;

  @Option(
      names = "--adapt",
      paramLabel = "KEY=VALUE",
      description = "override an adapt.* hyperparameter (repeatable), e.g. adapt.learningRate=1e-4")
  Map<String, String> adapt = new LinkedHashMap<>();

  @Option(
      names = "--mask-ratio",
      paramLabel = "R",
      description = "SimMIM mask ratio of the views (default: the views job's)")
  Double maskRatio;

  @Option(
      names = "--mask-patch",
      paramLabel = "PX",
      description = "SimMIM mask block side of the views in pixels (default: the views job's)")
  Integer maskPatch;

  @Option(
      names = "--publish-every",
      paramLabel = "STEPS",
      description = "learner steps between publishes (consumer refreshes), default 1")
  Integer publishEvery;

  @Option(names = "--seed", paramLabel = "N", description = "stream and learner seed")
  Long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
  Path out;

  @Override
  public Integer call() throws Exception {
    TorchThreads.onePerModelUnlessSet();
    Config config = common.load();
    Map<String, String> overrides = new LinkedHashMap<>();
    adapt.forEach((k, v) -> overrides.put(k.startsWith("adapt.") ? k : "adapt." + k, v));
    AdaptConfig adaptConfig = AdaptConfig.withOverrides(overrides);
    if (!inMemory) {
      return onStack(config, adaptConfig);
    }
    OfflineAdaptationBenchmark.Options base = OfflineAdaptationBenchmark.Options.of(quick);
    List<AdaptationMethod> chosen = new ArrayList<>();
    if (methods == null) {
      chosen.addAll(base.methods());
    } else {
      for (String m : methods) {
        chosen.add(AdaptationMethod.parse(m));
      }
    }
    OfflineAdaptationBenchmark.Options options =
        new OfflineAdaptationBenchmark.Options(
            severity,
            limitPerDomain == null ? base.limitPerDomain() : limitPerDomain,
            chosen,
            adaptConfig,
            maskRatio,
            maskPatch,
            publishEvery == null ? base.publishEverySteps() : publishEvery,
            base.timingSteps(),
            seed == null ? base.seed() : seed);
    SourceEncoder source = sourceEncoder(config);
    Map<String, Object> result =
        new OfflineAdaptationBenchmark(source.config(), source.parameters(), options)
            .run(System.err::println);
    BenchOutput.emit(result, out);
    return 0;
  }

  /** The Kafka mode: the whole pipeline on an embedded stack of its own. */
  private int onStack(Config config, AdaptConfig adaptConfig) throws Exception {
    if (methods != null || maskRatio != null || maskPatch != null || publishEvery != null) {
      System.err.println(
          "bench adaptation: --methods, --mask-ratio, --mask-patch and --publish-every apply to"
              + " --in-memory only");
      return 2;
    }
    SourceEncoder source = sourceEncoder(config);
    AdaptationBenchmark.Options options =
        AdaptationBenchmark.Options.of(quick).withAdapt(adaptConfig);
    CorruptedStream.Config feed = options.feed().withSeverity(severity);
    if (limitPerDomain != null) {
      feed = feed.withLimitPerDomain(limitPerDomain);
    }
    if (seed != null) {
      feed = feed.withSeed(seed);
    }
    options = options.withFeed(feed);
    Path workDir = Files.createTempDirectory("selfstream-bench-adaptation");
    try (EmbeddedStack stack =
        EmbeddedStack.start(StackSettings.forTests(workDir.resolve("stack")))) {
      Map<String, Object> result =
          new AdaptationBenchmark(
                  stack.clientSettings(),
                  workDir,
                  source,
                  options,
                  new SimpleMeterRegistry(),
                  System.err::println)
              .run();
      BenchOutput.emit(result, out);
    } finally {
      Dirs.deleteQuietly(workDir);
    }
    return 0;
  }

  /** The cached source encoder; bootstrapped (and cached) first when there is none. */
  private static SourceEncoder sourceEncoder(Config config) throws java.io.IOException {
    return SourceEncoder.loadOrTrain(
        StackSettings.from(config).dataDir(),
        EncoderConfig.DEFAULT,
        BootstrapConfig.DEFAULT,
        false,
        new BootstrapListener() {
          @Override
          public void onEpochEnd(EpochSummary s) {
            System.err.printf(
                "bootstrap source encoder: epoch %d, test accuracy %.4f%n",
                s.epoch(), s.testAccuracy());
          }
        });
  }
}
