package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.normalize.NormalizerSerdes;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ops.metrics.NormalizerMeters;
import io.selfstream.ops.metrics.ServiceMetrics;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.serde.SerdeFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code selfstream normalizer}: the frame normalizer Kafka Streams app, until Ctrl-C, with its
 * meters ({@link NormalizerMeters}) and the Kafka Streams client metrics on the metrics endpoint.
 */
@Command(
    name = "normalizer",
    description = "Run the frame normalizer (frames.raw -> frames + frames.dlq) until Ctrl-C.")
final class NormalizerCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    Config config = common.load();
    ClientSettings client = ClientSettings.from(config);
    NormalizerSettings settings = NormalizerSettings.from(config);
    SerdeFactory serdes = new SerdeFactory(client);
    CountDownLatch stopped = new CountDownLatch(1);
    try (ServiceMetrics metrics = ServiceMetrics.start(config);
        NormalizerApp app =
            new NormalizerApp(
                settings,
                client.bootstrap(),
                new NormalizerSerdes(
                    serdes.valueSerde(Topics.FRAMES_RAW),
                    serdes.valueSerde(Topics.FRAMES),
                    serdes.valueSerde(Topics.FRAMES_DLQ)),
                new NormalizerMeters(metrics.registry()))) {
      metrics.bind(app.streams());
      app.streams()
          .setStateListener(
              (now, before) -> {
                System.err.println("normalizer: " + before + " -> " + now);
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                  stopped.countDown();
                }
              });
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "normalizer-stop"));
      app.start();
      System.out.printf(
          "normalizer %s running against %s, %s; Ctrl-C stops it%n",
          settings.applicationId(), client.bootstrap(), metrics.describe());
      stopped.await();
      app.close(Duration.ofSeconds(30));
      return app.state() == KafkaStreams.State.ERROR ? 1 : 0;
    }
  }
}
