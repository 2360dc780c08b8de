package io.selfstream.ops.cli;

import ai.djl.Device;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.ops.metrics.ServiceMetrics;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OnlineLearner;
import io.selfstream.trainer.adapt.OnlineLearners;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.encoder.Devices;
import io.selfstream.trainer.encoder.EncoderFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream train encoder}: one continual encoder trainer ({@link EncoderTrainer}) against
 * the configured (or running embedded) stack, until Ctrl-C, {@code --duration} or {@code
 * --max-steps}. Every stop but a kill publishes what was trained and checkpoints it.
 */
@Command(
    name = "encoder",
    description =
        "Continually adapt the encoder on the views topic and publish signed versions on"
            + " model-updates (model encoder, encoder-selftrain or encoder-tent); resumes from its"
            + " checkpoint under <dataDir>/trainer/<method>.")
final class TrainEncoderCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--method",
      paramLabel = "selfstream|selftrain|tent",
      description = "adaptation method (default: trainer.method)")
  String method;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "stop cleanly after this long (e.g. 90s, 10m; default: until Ctrl-C)")
  String duration;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      description = "stop cleanly after N learner steps of this run")
  long maxSteps;

  @Option(
      names = "--status-every",
      paramLabel = "DURATION",
      description = "print a status line this often (default ${DEFAULT-VALUE})",
      defaultValue = "10s")
  String statusEvery;

  @Override
  public Integer call() throws Exception {
    if (method != null) {
      common.overrides.put(EncoderTrainerSettings.METHOD.name(), method);
    }
    if (maxSteps < 0) {
      throw new ConfigException("--max-steps", "must be >= 0");
    }
    Config config = common.load();
    Path dataDir = StackSettings.from(config).dataDir();
    EncoderTrainerSettings settings = EncoderTrainerSettings.from(config).resolve(dataDir);
    Duration every = duration("--status-every", statusEvery);
    Duration limit = duration == null ? null : duration("--duration", duration);
    Path sourceFile = settings.sourceModel().orElseThrow();
    if (!Files.isRegularFile(sourceFile)) {
      throw new ConfigException(
          EncoderTrainerSettings.SOURCE_MODEL.name(),
          sourceFile + " does not exist: run `selfstream bootstrap encoder` first");
    }
    // JVM-wide, and only read when the engine loads: set before anything touches DJL
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.torchThreads()));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    EncoderFile.Contents source = EncoderFile.read(sourceFile);
    Device device = Devices.select(settings.device());
    AdaptationMethod m = settings.method();
    OnlineLearner learner =
        OnlineLearners.create(
            m,
            source.config(),
            source.parameters(),
            AdaptConfig.from(config),
            device,
            settings.seed());
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // Ctrl-C: the main thread closes the trainer (final publish + checkpoint), bounded
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                closed.await(settings.closeTimeout().toSeconds() + 15, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "trainer-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    // the trainer's meters (TrainerMetrics) go to the served registry; closed after the trainer
    try (ServiceMetrics metrics = ServiceMetrics.start(config)) {
      EncoderTrainer trainer =
          EncoderTrainer.start(
              settings,
              source,
              learner,
              SigningKeys.loadOrCreate(settings.signingKeyDir().orElseThrow()),
              metrics.registry(),
              EncoderTrainer.Options.DEFAULTS.withMaxSteps(maxSteps));
      System.out.printf(
          "training %s (%s on %s) from %s, checkpoints in %s, %s; Ctrl-C stops it%n",
          trainer.model(),
          m.id(),
          device,
          settings.client().bootstrap(),
          settings.requireCheckpointDir(),
          metrics.describe());
      long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
      while (trainer.isRunning()) {
        long wait =
            Math.min(every.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (stop.await(wait, TimeUnit.MILLISECONDS) || System.nanoTime() >= deadline) {
          break;
        }
        System.out.println(trainer.statusLine());
      }
      trainer.close();
      System.out.println(trainer.statusLine());
      if (trainer.failure().isPresent()) {
        Throwable t = trainer.failure().get();
        System.err.println("trainer failed: " + t);
        return 1;
      }
      return 0;
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting; the hook is what woke us up
      }
    }
  }

  private static Duration duration(String option, String text) {
    try {
      Duration d =
          io.selfstream.config.ConfigKey.duration("trainer.cli", text, "").parser().apply(text);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, e.getMessage());
    }
  }
}
