package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.video.FrameShape;
import io.selfstream.ingest.video.VideoFeed;
import io.selfstream.ingest.video.VideoIngest;
import io.selfstream.ingest.video.VideoSettings;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream ingest video}: video files and streams through FFmpeg into frames.raw. */
@Command(
    name = "video",
    description =
        "Video files or stream URLs (file, http(s), rtsp, ... anything FFmpeg opens) decoded into"
            + " frames.raw, one feed per source id, all feeds at once. A feed that breaks keeps"
            + " the frames sent so far, records the loss on frames.dlq and makes the command exit"
            + " 1; a feed that cannot be opened stops the run before anything is sent.")
final class IngestVideoCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "video file path or URL (repeatable: one feed each)")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "source id of the feed (repeatable, paired with --url in order; one id for many URLs"
              + " numbers them ID-1..ID-n; none derives ids from the file names)")
  List<String> sourceIds = new ArrayList<>();

  @Option(
      names = "--feed-list",
      paramLabel = "FILE",
      description = "feeds, one per line: `sourceId url` (# comments)")
  Path feedList;

  @Option(
      names = "--realtime",
      description = "pace frames by their timestamps, as a live camera would deliver them")
  Boolean realtime;

  @Option(
      names = "--fps",
      paramLabel = "N",
      description = "keep at most N frames per second of video (default: every frame)")
  Double fps;

  @Option(
      names = "--frames",
      paramLabel = "model|native",
      description =
          "send frames at the model size (normalizer.width/height, default) or as decoded")
  String frames;

  @Option(names = "--limit", paramLabel = "N", description = "at most N frames per feed (0 = all)")
  Long limit;

  @Override
  public Integer call() throws Exception {
    Config config = common.load();
    FfmpegNatives.cacheUnder(config.get(StackSettings.DATA_DIR));
    ClientSettings client = ClientSettings.from(config);
    IngestSettings ingest = IngestSettings.from(config);
    if (limit != null) {
      ingest = ingest.withLimit(limit);
    }
    VideoSettings video = VideoSettings.from(config);
    if (realtime != null) {
      video = video.withRealtime(realtime);
    }
    if (fps != null) {
      video = video.withFps(fps);
    }
    if (frames != null) {
      video = video.withFrames(VideoSettings.FRAMES.parser().apply(frames));
    }
    List<VideoFeed> feeds = feeds();
    FrameShape shape = video.shape(NormalizerSettings.from(config));
    SerdeFactory serdes = new SerdeFactory(client);
    VideoIngest.registerSchemas(serdes);
    Map<String, Object> dlqProps = new HashMap<>(serdes.producerConfig());
    dlqProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    dlqProps.put(ProducerConfig.ACKS_CONFIG, "all");
    dlqProps.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Long.toString(ingest.deliveryTimeout().toMillis()));
    IngestSettings base = ingest;
    List<VideoIngest.FeedResult> results;
    try (KafkaProducer<String, DeadFrame> dlq =
        new KafkaProducer<>(
            dlqProps, new StringSerializer(), serdes.valueSerializer(Topics.FRAMES_DLQ))) {
      VideoIngest run =
          new VideoIngest(
              base,
              video,
              shape,
              feedSettings ->
                  FrameProducer.create(
                      feedSettings,
                      client.bootstrap(),
                      serdes.valueSerializer(Topics.FRAMES_RAW),
                      null),
              dlq,
              Clock.systemUTC());
      results = run.run(feeds);
      dlq.close(Duration.ofSeconds(30));
    }
    int failed = 0;
    for (VideoIngest.FeedResult r : results) {
      IngestResult res = r.result();
      System.out.printf(
          "%s: %s -> %s: decoded %d%s, sent %d, acknowledged %d, failed %d in %.1f s (%.0f"
              + " frames/s)%n",
          r.feed().sourceId(),
          r.feed().url(),
          Topics.FRAMES_RAW.name(),
          r.decoded(),
          r.expected().isPresent() ? " of " + r.expected().getAsLong() : "",
          res.sent(),
          res.acked(),
          res.failed(),
          res.elapsed().toMillis() / 1000.0,
          res.framesPerSecond());
      if (!r.ok()) {
        failed++;
        r.failure()
            .ifPresent(
                f ->
                    System.err.printf(
                        "selfstream: %s stopped early (%s, recorded on %s: %s): %s%n",
                        r.feed().sourceId(),
                        f.kind(),
                        Topics.FRAMES_DLQ.name(),
                        r.deadLetter() ? "yes" : "NO",
                        f.message()));
        res.error()
            .ifPresent(e -> System.err.println("selfstream: " + r.feed().sourceId() + ": " + e));
        if (res.interrupted()) {
          System.err.println("selfstream: " + r.feed().sourceId() + ": interrupted");
        }
      }
    }
    if (failed > 0) {
      System.err.printf(
          "selfstream: %d of %d video feeds did not complete%n", failed, results.size());
      return 1;
    }
    return 0;
  }

  private List<VideoFeed> feeds() throws java.io.IOException {
    List<VideoFeed> feeds = new ArrayList<>();
    if (feedList != null) {
      feeds.addAll(VideoFeed.readList(feedList));
    }
    if (!urls.isEmpty()) {
      feeds.addAll(VideoFeed.of(urls, sourceIds));
    } else if (!sourceIds.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--source-id needs --url");
    }
    if (feeds.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "give --url URL (repeatable) or --feed-list FILE");
    }
    // one list may combine both: ids must still be unique
    return VideoFeed.of(
        feeds.stream().map(VideoFeed::url).toList(),
        feeds.stream().map(VideoFeed::sourceId).toList());
  }
}
