package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.corrupt.Corruption;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.ingest.source.FrameSources;
import io.selfstream.ops.pipeline.CorruptedFeedIngest;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream ingest ...}: sources into {@code frames.raw}. */
@Command(
    name = "ingest",
    description = "Send frames from a source into frames.raw.",
    subcommands = {
      IngestCommand.Images.class,
      IngestCommand.Corrupted.class,
      IngestVideoCommand.class
    })
final class IngestCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "images",
      description = "Images from a folder (PNG/JPEG, recursive) or an IDX file (gz or not).")
  static final class Images implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "PATH",
        description = "folder or IDX file")
    Path from;

    @Option(names = "--source-id", paramLabel = "ID", description = "source id (record key)")
    String sourceId;

    @Option(names = "--rate", paramLabel = "N", description = "frames per second (0 = unpaced)")
    Double rate;

    @Option(names = "--limit", paramLabel = "N", description = "stop after N frames (0 = all)")
    Long limit;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      ClientSettings client = ClientSettings.from(config);
      IngestSettings settings = IngestSettings.from(config);
      if (sourceId != null) {
        settings = settings.withSourceId(sourceId);
      }
      if (rate != null) {
        settings = settings.withRate(rate);
      }
      if (limit != null) {
        settings = settings.withLimit(limit);
      }
      SerdeFactory serdes = new SerdeFactory(client);
      IngestResult result;
      try (FrameSource source =
              settings.apply(FrameSources.open(from, settings.sourceId(), settings.startSeq()));
          ProgressBar bar =
              new ProgressBar("ingest " + settings.sourceId(), source.size().orElse(-1));
          FrameProducer producer =
              FrameProducer.create(
                  settings,
                  client.bootstrap(),
                  serdes.valueSerializer(Topics.FRAMES_RAW),
                  p -> bar.update(p.acked(), p.failed() > 0 ? p.failed() + " failed" : ""))) {
        result = producer.sendAll(source);
      }
      System.out.printf(
          "ingested %s into %s at %s: read %d, sent %d, acknowledged %d, failed %d in %.1f s"
              + " (%.0f frames/s)%n",
          from,
          Topics.FRAMES_RAW.name(),
          client.bootstrap(),
          result.read(),
          result.sent(),
          result.acked(),
          result.failed(),
          result.elapsed().toMillis() / 1000.0,
          result.framesPerSecond());
      if (result.error().isPresent()) {
        System.err.println("selfstream: ingest failed: " + result.error().get());
        return 1;
      }
      return result.failed() == 0 ? 0 : 1;
    }
  }

  /** Options shared by {@code ingest corrupted} and {@code export corrupted}. */
  static final class CorruptionOptions {
    @Option(
        names = "--severity",
        paramLabel = "1-5",
        description = "corruption severity (default 5)")
    int severity = 5;

    @Option(
        names = "--order",
        paramLabel = "LIST",
        description = "comma-separated corruptions or `all` (default: the ImageNet-C order)")
    String order = "all";

    @Option(
        names = "--limit-per-domain",
        paramLabel = "N",
        description = "images per corruption (0 = the whole test split)")
    int limitPerDomain;

    @Option(names = "--seed", paramLabel = "S", description = "seed of shuffles and noise")
    long seed;

    @Option(names = "--source-id", paramLabel = "ID", description = "source id (default fmnist-c)")
    String sourceId = CorruptedStream.DEFAULT_SOURCE_ID;

    CorruptedStream.Config toConfig() {
      Corruption.checkSeverity(severity);
      return CorruptedStream.Config.defaults()
          .withSeverity(severity)
          .withOrder(Corruption.parseList(order))
          .withLimitPerDomain(limitPerDomain)
          .withSeed(seed)
          .withSourceId(sourceId);
    }
  }

  @Command(
      name = "corrupted",
      description =
          "The continual drifting feed: the Fashion-MNIST test split through each corruption in"
              + " turn into frames.raw; ground truth only into labels.eval.")
  static final class Corrupted implements Callable<Integer> {

    @Mixin CommonOptions common;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Feed%n")
    CorruptionOptions feed = new CorruptionOptions();

    @Option(names = "--rate", paramLabel = "N", description = "frames per second (0 = unpaced)")
    Double rate;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      ClientSettings client = ClientSettings.from(config);
      IngestSettings settings = IngestSettings.from(config).withSourceId(feed.sourceId);
      if (rate != null) {
        settings = settings.withRate(rate);
      }
      CorruptedFeedIngest.Result sent;
      try (ProgressBar bar = new ProgressBar("ingest " + feed.sourceId, -1)) {
        sent =
            CorruptedFeedIngest.run(
                client,
                settings,
                feed.toConfig(),
                (acked, total, labels) -> bar.update(acked, total, "labels " + labels));
      }
      IngestResult result = sent.frames();
      System.out.printf(
          "drifting feed %s: %d frames acknowledged on %s (%d failed), %d labels on %s (%d"
              + " failed) in %.1f s%n",
          feed.sourceId,
          result.acked(),
          Topics.FRAMES_RAW.name(),
          result.failed(),
          sent.labelsAcked(),
          Topics.LABELS_EVAL.name(),
          sent.labelsFailed(),
          result.elapsed().toMillis() / 1000.0);
      result.error().ifPresent(e -> System.err.println("selfstream: ingest failed: " + e));
      return result.error().isEmpty() && result.failed() == 0 && sent.labelsFailed() == 0 ? 0 : 1;
    }
  }
}
