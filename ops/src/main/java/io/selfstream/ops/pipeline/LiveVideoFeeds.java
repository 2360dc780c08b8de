package io.selfstream.ops.pipeline;

import io.selfstream.config.ClientSettings;
import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.synth.Action;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.video.VideoCodec;
import io.selfstream.graphreasoning.video.VideoFileWriter;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.video.VideoFeed;
import io.selfstream.ingest.video.VideoIngest;
import io.selfstream.ingest.video.VideoSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Live video feeds with known ground truth: each feed is a real video file (lossless FFV1) of
 * generated activity videos played back to back, with the live shift ({@link DomainShift#live()}:
 * noise, blur, dimmer, unseen garments) the seed model never saw, streamed in real time through
 * {@link VideoIngest} (FFmpeg decode, the normalizer's resize) into {@code frames.raw}. Frame
 * {@code i} of a feed has {@code seq} {@code i} and action {@code truth[i]}; the truth never
 * reaches the pipeline.
 */
public final class LiveVideoFeeds {

  /** The prefix of every feed's source id ({@code video-1}, {@code video-2}, ...). */
  public static final String SOURCE_PREFIX = "video-";

  /** The regex over source ids that names the feeds ({@code views.videoSources}). */
  public static final String SOURCE_PATTERN = "video-.*";

  /**
   * One feed.
   *
   * @param sourceId its source id
   * @param file the video file
   * @param truth the action index of every frame
   * @param videos generated videos it plays
   * @param expected the features the live path must compute for its frames ({@link
   *     VideoFeatures#ofVideo} of the whole feed at the default model resolution)
   */
  public record Feed(String sourceId, Path file, int[] truth, int videos, Features expected) {
    public int frames() {
      return truth.length;
    }
  }

  /**
   * How the feeds are made.
   *
   * @param feeds number of feeds
   * @param fps frames per second, stored in the file and paced on ingest
   * @param seconds each feed plays at least this long (whole videos)
   * @param dataSeed seed of the generated videos
   * @param shift the appearance shift of the live feeds
   */
  public record Spec(int feeds, double fps, Duration seconds, long dataSeed, DomainShift shift) {
    public Spec {
      if (feeds < 0 || feeds > VideoIngest.MAX_FEEDS) {
        throw new IllegalArgumentException("feeds must be in [0, " + VideoIngest.MAX_FEEDS + "]");
      }
      if (!(fps > 0 && fps <= 120)) {
        throw new IllegalArgumentException("fps must be in (0, 120], got " + fps);
      }
    }

    /** No video feeds. */
    public static Spec none() {
      return new Spec(0, 10, Duration.ZERO, 2024, DomainShift.live());
    }

    public boolean enabled() {
      return feeds > 0;
    }

    public Spec withFeeds(int n) {
      return new Spec(n, fps, seconds, dataSeed, shift);
    }

    public Spec withFps(double f) {
      return new Spec(feeds, f, seconds, dataSeed, shift);
    }

    public Spec withSeconds(Duration d) {
      return new Spec(feeds, fps, d, dataSeed, shift);
    }
  }

  /** Action names by index (the seed model's labels). */
  public static List<String> actionNames() {
    return Action.labels();
  }

  private LiveVideoFeeds() {}

  /** Generates and writes the feeds of {@code spec} into {@code dir}. */
  public static List<Feed> write(Spec spec, Path dir) throws IOException {
    if (!spec.enabled()) {
      return List.of();
    }
    GeneratorConfig cfg = GeneratorConfig.defaults().withShift(spec.shift());
    ActivityVideoGenerator gen =
        new ActivityVideoGenerator(FashionMnist.load(FashionMnist.Split.TEST), cfg);
    VideoFileWriter writer = new VideoFileWriter(VideoCodec.FFV1, spec.fps());
    long minFrames = Math.max(1, Math.round(spec.seconds().toMillis() / 1000.0 * spec.fps()));
    // far from the seed model's training and held-out seeds
    long base = spec.dataSeed() * 1_000_003L + 900_000;
    List<Feed> feeds = new ArrayList<>();
    for (int f = 1; f <= spec.feeds(); f++) {
      String id = SOURCE_PREFIX + f;
      List<byte[]> frames = new ArrayList<>();
      List<Integer> truth = new ArrayList<>();
      int videos = 0;
      while (frames.size() < minFrames) {
        SyntheticVideo v =
            gen.generate(
                String.format(Locale.ROOT, "%s-%03d", id, videos), base + 1000L * f + videos);
        frames.addAll(v.frames());
        for (int a : v.labelIndices()) {
          truth.add(a);
        }
        videos++;
      }
      Path file = writer.write(frames, cfg.size(), cfg.size(), writer.fileFor(dir, id));
      feeds.add(
          new Feed(
              id,
              file,
              truth.stream().mapToInt(Integer::intValue).toArray(),
              videos,
              VideoFeatures.defaults().ofVideo(frames, cfg.size())));
    }
    return feeds;
  }

  /**
   * Streams every feed at once in real time into {@code frames.raw} (blocks until they end; an
   * interrupt stops them, the frames sent so far stay).
   *
   * @param normalizer the model resolution the frames are resized to at ingest
   */
  public static List<VideoIngest.FeedResult> stream(
      ClientSettings client, NormalizerSettings normalizer, List<Feed> feeds) throws Exception {
    SerdeFactory serdes = new SerdeFactory(client);
    VideoIngest.registerSchemas(serdes);
    IngestSettings ingest = IngestSettings.defaults();
    VideoSettings video = VideoSettings.defaults().withRealtime(true);
    Map<String, Object> dlqProps = new HashMap<>(serdes.producerConfig());
    dlqProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    dlqProps.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, DeadFrame> dlq =
        new KafkaProducer<>(
            dlqProps, new StringSerializer(), serdes.valueSerializer(Topics.FRAMES_DLQ))) {
      VideoIngest run =
          new VideoIngest(
              ingest,
              video,
              video.shape(normalizer),
              feedSettings ->
                  FrameProducer.create(
                      feedSettings,
                      client.bootstrap(),
                      serdes.valueSerializer(Topics.FRAMES_RAW),
                      null),
              dlq,
              Clock.systemUTC());
      List<VideoFeed> list = new ArrayList<>();
      for (Feed f : feeds) {
        list.add(new VideoFeed(f.sourceId(), f.file().toString()));
      }
      return run.run(list);
    }
  }
}
