package io.selfstream.ops.cli;

import ai.djl.Device;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.ops.metrics.ServiceMetrics;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.encoder.Devices;
import io.selfstream.trainer.temporal.TemporalConfig;
import io.selfstream.trainer.temporal.TemporalSelfTraining;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.temporal.TemporalTrainerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream train temporal}: the continual temporal trainer ({@link TemporalTrainer})
 * against the configured (or running embedded) stack, until Ctrl-C, {@code --duration} or {@code
 * --max-steps}. Every stop but a kill publishes what was trained and checkpoints it.
 */
@Command(
    name = "temporal",
    description =
        "Continually self-train the DTGRM on the features topic (EMA-teacher pseudo-labels + the"
            + " frame-exchange task) and publish signed dtgrm versions on model-updates; starts"
            + " from a seed-trained checkpoint (`selfstream train segmentation`), resumes from"
            + " <dataDir>/trainer/dtgrm.")
final class TrainTemporalCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--source",
      paramLabel = "DIR",
      description =
          "seed-trained DTGRM checkpoint folder (default: temporalTrainer.sourceModel,"
              + " <dataDir>/models/dtgrm-seed)")
  Path sourceDir;

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
    if (maxSteps < 0) {
      throw new ConfigException("--max-steps", "must be >= 0");
    }
    if (sourceDir != null) {
      common.overrides.put(TemporalTrainerSettings.SOURCE_MODEL.name(), sourceDir.toString());
    }
    Loaded loaded = load();
    Path dataDir = StackSettings.from(loaded.common()).dataDir();
    TemporalTrainerSettings settings =
        TemporalTrainerSettings.from(ClientSettings.from(loaded.common()), loaded.own())
            .resolve(dataDir);
    TemporalConfig learning = TemporalConfig.from(loaded.own());
    Duration every = duration("--status-every", statusEvery);
    Duration limit = duration == null ? null : duration("--duration", duration);
    Path source = settings.sourceModel().orElseThrow();
    if (!Files.isDirectory(source)) {
      throw new ConfigException(
          TemporalTrainerSettings.SOURCE_MODEL.name(),
          source
              + " does not exist: train a seed model first (selfstream train segmentation"
              + " --model dtgrm --data DIR --checkpoints "
              + source
              + ")");
    }
    // JVM-wide, and only read when the engine loads: set before anything touches DJL
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.torchThreads()));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    TemporalTrainer.Source seed =
        TemporalTrainer.Source.fromCheckpoint(source, settings.encoderVersion());
    Device device = Devices.select(settings.device());
    TemporalSelfTraining learner =
        new TemporalSelfTraining(seed.descriptor(), seed.parameters(), learning, device);

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
            "temporal-trainer-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    // the trainer's meters (TrainerMetrics) go to the served registry; closed after the trainer
    try (ServiceMetrics metrics = ServiceMetrics.start(loaded.common())) {
      TemporalTrainer trainer =
          TemporalTrainer.start(
              settings,
              seed,
              learner,
              SigningKeys.loadOrCreate(settings.signingKeyDir().orElseThrow()),
              metrics.registry(),
              EncoderTrainer.Options.DEFAULTS.withMaxSteps(maxSteps));
      System.out.printf(
          "training dtgrm on %s from %s (%s), checkpoints in %s, %s; Ctrl-C stops it%n",
          device,
          settings.client().bootstrap(),
          source,
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
        System.err.println("trainer failed: " + trainer.failure().get());
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

  /** The shared configuration and the temporal keys. */
  private record Loaded(Config common, Config own) {}

  /**
   * Loads the shared configuration and the {@code temporal.*} / {@code temporalTrainer.*} keys.
   * While {@link ConfigKeys} does not list the temporal keys, their {@code --set} overrides are
   * taken out before the shared load (which refuses unknown keys) and read on their own; once it
   * lists them they come from the one load, config file and environment included.
   */
  private Loaded load() {
    List<ConfigKey<?>> own = new ArrayList<>(TemporalTrainerSettings.KEYS);
    own.addAll(TemporalConfig.KEYS);
    Set<String> names = own.stream().map(ConfigKey::name).collect(Collectors.toSet());
    boolean registered = ConfigKeys.all().stream().anyMatch(k -> names.contains(k.name()));
    if (registered) {
      Config all = common.load();
      return new Loaded(all, all);
    }
    Map<String, String> mine = new LinkedHashMap<>();
    common
        .overrides
        .entrySet()
        .removeIf(
            e -> {
              if (names.contains(e.getKey())) {
                mine.put(e.getKey(), e.getValue());
                return true;
              }
              return false;
            });
    return new Loaded(common.load(), Config.load(own, null, Map.of(), mine));
  }

  private static Duration duration(String option, String text) {
    try {
      Duration d = ConfigKey.duration("trainer.cli", text, "").parser().apply(text);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, e.getMessage());
    }
  }
}
