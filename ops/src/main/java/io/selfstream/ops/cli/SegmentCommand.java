package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.graphreasoning.live.LiveCounters;
import io.selfstream.graphreasoning.live.LiveSegmentationApp;
import io.selfstream.graphreasoning.live.LiveSegmentationSettings;
import io.selfstream.ops.metrics.SegmentationMeters;
import io.selfstream.ops.metrics.ServiceMetrics;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.model.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream segment ...}: action segmentation of live feeds. */
@Command(
    name = "segment",
    description = "Action segmentation of live feeds.",
    subcommands = {SegmentCommand.Live.class})
final class SegmentCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code selfstream segment live}: the live segmentation Kafka Streams app, until Ctrl-C. */
  @Command(
      name = "live",
      description =
          "Run the live segmentation app (features + model-updates[dtgrm] -> frame-labels +"
              + " segments) until Ctrl-C. Keys: segmentation.* (selfstream config).")
  static final class Live implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Option(
        names = "--status-every",
        paramLabel = "DURATION",
        description = "print a status line this often in seconds (default ${DEFAULT-VALUE})",
        defaultValue = "10")
    long statusEverySeconds;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      ClientSettings client = ClientSettings.from(config);
      LiveSegmentationSettings settings = resolve(LiveSegmentationSettings.from(config), config);
      CountDownLatch stop = new CountDownLatch(1);
      Thread hook = new Thread(stop::countDown, "segment-live-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try (ServiceMetrics metrics = ServiceMetrics.start(config);
          SegmentationMeters meters = new SegmentationMeters(metrics.registry(), settings.model());
          LiveSegmentationApp app = LiveSegmentationApp.start(settings, client, meters)) {
        meters.attach(app);
        metrics.bind(app.streams());
        app.streams()
            .setStateListener(
                (now, before) -> {
                  System.err.println("segment live: " + before + " -> " + now);
                  if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stop.countDown();
                  }
                });
        System.out.printf(
            "segment live %s running against %s (model %s, window %d, lookahead %d = +%.0f ms"
                + " at 30 fps, feature policy %s), %s; Ctrl-C stops it%n",
            settings.applicationId(),
            client.bootstrap(),
            settings.model(),
            settings.windowFrames(),
            settings.lookaheadFrames(),
            settings.lookaheadLatencyMillis(30),
            settings.featurePolicy().name().toLowerCase(java.util.Locale.ROOT),
            metrics.describe());
        long every = Math.max(1, statusEverySeconds);
        while (!stop.await(every, TimeUnit.SECONDS)) {
          LiveCounters.Snapshot c = app.counters();
          System.out.printf(
              "segment live: %s, model v%d (%d refused), %d frames in, %d labelled, %d segments,"
                  + " skipped: %d encoder mismatch, %d no model, %d out of order%n",
              app.state(),
              app.holder().currentVersion(),
              app.holder().refusedCount(),
              c.framesIn(),
              c.labelled(),
              c.segments(),
              c.encoderMismatch(),
              c.noModel(),
              c.outOfOrder());
        }
        System.out.println("segment live: stopping");
        app.close(Duration.ofSeconds(30));
        return app.state() == KafkaStreams.State.ERROR ? 1 : 0;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is exiting; the hook is what woke us up
        }
      }
    }

    /** Trusted keys default to the data dir's dev public key, as the views job does. */
    static LiveSegmentationSettings resolve(LiveSegmentationSettings settings, Config config) {
      if (!settings.trustedKeyFiles().isEmpty()) {
        return settings;
      }
      Path key =
          config
              .get(StackSettings.DATA_DIR)
              .resolve(ViewsCommand.KEYS_DIR)
              .resolve(SigningKeys.PUBLIC_KEY_FILE);
      if (!Files.isRegularFile(key)) {
        throw new ConfigException(
            LiveSegmentationSettings.TRUSTED_KEYS.name(),
            "not set and "
                + key
                + " does not exist: name the public key file of the trainer that publishes "
                + settings.model());
      }
      return settings.withTrustedKeyFiles(List.of(key));
    }
  }
}
