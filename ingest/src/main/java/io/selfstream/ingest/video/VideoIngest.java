package io.selfstream.ingest.video;

import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.RawFrame;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests many video feeds at once into {@code frames.raw}: every feed decodes on its own thread (a
 * live feed must not wait for another) with its own {@link FrameProducer}, so each feed's counts
 * and errors are its own.
 *
 * <p>All feeds are opened first, in parallel: if any cannot be opened (missing file, unreachable
 * URL within the timeout, no video stream) nothing is sent and {@link #run} throws with every
 * reason. A feed that breaks later keeps the frames it sent and gets a {@link DeadFrame} on {@code
 * frames.dlq} (see {@link VideoFailure#toDeadFrame}).
 */
public final class VideoIngest {

  private static final Logger log = LoggerFactory.getLogger(VideoIngest.class);

  /** Feeds one run takes at most: each has a thread, a decoder and a producer. */
  public static final int MAX_FEEDS = 256;

  /** Makes the frame producer of one feed (the CLI: a KafkaProducer; tests: a MockProducer). */
  @FunctionalInterface
  public interface ProducerFactory {
    FrameProducer create(IngestSettings feedSettings);
  }

  /**
   * How one feed ended.
   *
   * @param feed the feed
   * @param result what its producer did
   * @param decoded frames decoded (before {@code fps} thinning)
   * @param expected frames the container announced, if any
   * @param failure why the video stopped early, if it did
   * @param deadLetter whether the failure's dead letter was acknowledged on {@code frames.dlq}
   */
  public record FeedResult(
      VideoFeed feed,
      IngestResult result,
      long decoded,
      OptionalLong expected,
      Optional<VideoFailure> failure,
      boolean deadLetter) {

    /** Whether the whole video went out: decoded to its end and every frame acknowledged. */
    public boolean ok() {
      return failure.isEmpty() && result.complete();
    }
  }

  private final IngestSettings ingest;
  private final VideoSettings video;
  private final FrameShape shape;
  private final ProducerFactory producers;
  private final Producer<String, DeadFrame> deadLetters;
  private final Clock clock;

  /**
   * Registers the {@code frames.raw} and {@code frames.dlq} value schemas once, before many feeds
   * start: every feed has its own producer and serializer, and serializers that auto-register the
   * same new schema at the same moment make the registry refuse all but one (a rule violation on
   * the duplicate create), which would fail the other feeds' first send.
   */
  public static void registerSchemas(SerdeFactory serdes) {
    RawFrame probe =
        RawFrame.newBuilder()
            .setSourceId("schema-probe")
            .setSeq(0)
            .setCaptureTimeMs(Instant.EPOCH)
            .setBytes(ByteBuffer.allocate(0))
            .build();
    try (Serializer<RawFrame> frames = serdes.valueSerializer(Topics.FRAMES_RAW)) {
      frames.serialize(Topics.FRAMES_RAW.name(), probe);
    }
    DeadFrame dead = DeadFrame.newBuilder().setSourceId("schema-probe").build();
    try (Serializer<DeadFrame> dlq = serdes.valueSerializer(Topics.FRAMES_DLQ)) {
      dlq.serialize(Topics.FRAMES_DLQ.name(), dead);
    }
  }

  /**
   * @param ingest source-independent settings: start seq, limit, rate, producer tuning (the source
   *     id is each feed's)
   * @param deadLetters where failures go ({@code frames.dlq}); not closed here
   */
  public VideoIngest(
      IngestSettings ingest,
      VideoSettings video,
      FrameShape shape,
      ProducerFactory producers,
      Producer<String, DeadFrame> deadLetters,
      Clock clock) {
    this.ingest = ingest;
    this.video = video;
    this.shape = shape;
    this.producers = producers;
    this.deadLetters = deadLetters;
    this.clock = clock;
  }

  /**
   * Opens every feed, then sends them all concurrently until each ends.
   *
   * @throws VideoOpenException when any feed cannot be opened (its message lists every feed that
   *     failed, one per line); nothing was sent
   * @throws InterruptedException when interrupted: every feed stops, the frames sent so far stay
   */
  public List<FeedResult> run(List<VideoFeed> feeds)
      throws VideoOpenException, InterruptedException {
    if (feeds.isEmpty()) {
      throw new IllegalArgumentException("no video feeds");
    }
    if (feeds.size() > MAX_FEEDS) {
      throw new IllegalArgumentException(
          feeds.size() + " feeds in one run; at most " + MAX_FEEDS + " (split the list)");
    }
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            feeds.size(),
            r -> {
              Thread t = new Thread(r, "video-feed-" + threadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<VideoSource> sources = openAll(feeds, pool);
      List<Future<FeedResult>> running = new ArrayList<>();
      for (VideoSource source : sources) {
        running.add(pool.submit(() -> ingest(source)));
      }
      List<FeedResult> results = new ArrayList<>();
      for (Future<FeedResult> f : running) {
        results.add(get(f));
      }
      return results;
    } finally {
      pool.shutdownNow();
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("video feed threads still running 30 s after the run ended");
      }
    }
  }

  private List<VideoSource> openAll(List<VideoFeed> feeds, ExecutorService pool)
      throws VideoOpenException, InterruptedException {
    List<Future<VideoSource>> opening = new ArrayList<>();
    for (VideoFeed feed : feeds) {
      opening.add(
          pool.submit(
              () ->
                  VideoSource.open(
                      feed, ingest.startSeq(), video, shape, ingest.maxRequestBytes(), clock)));
    }
    List<VideoSource> opened = new ArrayList<>();
    List<VideoOpenException> failed = new ArrayList<>();
    try {
      for (Future<VideoSource> f : opening) {
        try {
          opened.add(get(f));
        } catch (VideoOpenException e) {
          failed.add(e);
        }
      }
    } catch (InterruptedException | RuntimeException e) {
      opened.forEach(VideoSource::close);
      throw e;
    }
    if (!failed.isEmpty()) {
      opened.forEach(VideoSource::close);
      throw failed.size() == 1 ? failed.get(0) : VideoOpenException.ofMany(feeds.size(), failed);
    }
    return opened;
  }

  private FeedResult ingest(VideoSource source) {
    IngestSettings settings = ingest.withSourceId(source.sourceId());
    IngestResult result;
    try (source;
        FrameProducer producer = producers.create(settings)) {
      result = producer.sendAll(settings.apply(source));
    }
    Optional<VideoFailure> failure = source.failure();
    boolean dead = failure.isPresent() && deadLetter(failure.get());
    log.info(
        "{}: {} frames decoded, {} acknowledged{}",
        source.sourceId(),
        source.decoded(),
        result.acked(),
        failure.map(f -> ", stopped early: " + f.message()).orElse(""));
    return new FeedResult(
        source.feed(), result, source.decoded(), source.expectedFrames(), failure, dead);
  }

  /** Records the failure on frames.dlq and waits (bounded) for the acknowledgement. */
  private boolean deadLetter(VideoFailure failure) {
    DeadFrame dead = failure.toDeadFrame(clock.instant());
    try {
      deadLetters
          .send(new ProducerRecord<>(Topics.FRAMES_DLQ.name(), failure.feed().sourceId(), dead))
          .get(
              ingest.deliveryTimeout().plus(Duration.ofSeconds(5)).toMillis(),
              TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      log.error(
          "{}: could not record the failure on {}: {}",
          failure.feed().sourceId(),
          Topics.FRAMES_DLQ.name(),
          e.toString());
      return false;
    }
  }

  private static <T> T get(Future<T> f) throws VideoOpenException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof VideoOpenException v) {
        throw v;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }
}
