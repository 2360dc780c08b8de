package io.selfstream.ops.pipeline;

import io.selfstream.config.ClientSettings;
import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.normalize.NormalizerSerdes;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.produce.ProgressListener;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.serde.SerdeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image ingest path end to end: sources -> {@code frames.raw} -> normalizer -> {@code frames} +
 * {@code frames.dlq}, then the accounting that nothing was lost. Shared by the demo, the
 * integration test and the ingest benchmark.
 */
public final class ImageIngestRun {

  private static final Logger log = LoggerFactory.getLogger(ImageIngestRun.class);

  /**
   * What happened.
   *
   * @param produced records acknowledged on {@code frames.raw}
   * @param failed records the producer could not deliver
   * @param frames committed records that reached {@code frames}
   * @param deadLetters committed records that reached {@code frames.dlq}
   * @param deadLettersByReason dead letters by reason code
   * @param elapsed first send to last output record
   * @param produceElapsed first send to last acknowledgement
   * @param accounted whether frames + dead letters = produced before the timeout
   */
  public record Result(
      long produced,
      long failed,
      long frames,
      long deadLetters,
      Map<String, Long> deadLettersByReason,
      Duration elapsed,
      Duration produceElapsed,
      boolean accounted) {

    public double framesPerSecond() {
      return (frames + deadLetters) / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
  }

  private ImageIngestRun() {}

  /** Waits until the normalizer has its partitions, so start-up is not counted as ingest time. */
  static void awaitRunning(NormalizerApp app, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (app.state() != KafkaStreams.State.RUNNING) {
      if (app.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
        throw new IllegalStateException("normalizer did not start: state " + app.state());
      }
      Thread.sleep(50);
    }
  }

  /** A running normalizer on {@code client}'s cluster (waits until it owns its partitions). */
  public static NormalizerApp startNormalizer(
      ClientSettings client, NormalizerSettings normalizer, Duration timeout)
      throws InterruptedException {
    SerdeFactory serdes = new SerdeFactory(client);
    NormalizerApp app =
        new NormalizerApp(
            normalizer,
            client.bootstrap(),
            new NormalizerSerdes(
                serdes.valueSerde(Topics.FRAMES_RAW),
                serdes.valueSerde(Topics.FRAMES),
                serdes.valueSerde(Topics.FRAMES_DLQ)));
    try {
      app.start();
      awaitRunning(app, timeout);
      return app;
    } catch (RuntimeException | InterruptedException e) {
      app.close();
      throw e;
    }
  }

  /**
   * Starts a normalizer, sends every source, and waits until each produced record is accounted for
   * in {@code frames} or {@code frames.dlq} (or {@code timeout} passes).
   */
  public static Result run(
      ClientSettings client,
      IngestSettings ingest,
      NormalizerSettings normalizer,
      List<FrameSource> sources,
      ProgressListener progress,
      Duration timeout)
      throws Exception {
    SerdeFactory serdes = new SerdeFactory(client);
    try (TopicCounter frames = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES.name());
        TopicCounter dead = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES_DLQ.name());
        NormalizerApp app = startNormalizer(client, normalizer, timeout)) {
      long start = System.nanoTime();
      long produced = 0;
      long failed = 0;
      List<IngestResult> results = new ArrayList<>();
      // progress over all sources, not per source
      var producerRef = new java.util.concurrent.atomic.AtomicReference<FrameProducer>();
      try (FrameProducer producer =
          FrameProducer.create(
              ingest,
              client.bootstrap(),
              serdes.valueSerializer(Topics.FRAMES_RAW),
              p -> progress.onProgress(producerRef.get().progress()))) {
        producerRef.set(producer);
        for (FrameSource source : sources) {
          try (source) {
            IngestResult result = producer.sendAll(source);
            results.add(result);
            result
                .error()
                .ifPresent(
                    e -> log.warn("ingest of {} failed: {}", source.sourceId(), e.toString()));
          }
        }
      }
      for (IngestResult r : results) {
        produced += r.acked();
        failed += r.failed();
      }
      Duration produceElapsed = Duration.ofNanos(System.nanoTime() - start);
      final long expected = produced;
      boolean accounted =
          TopicCounter.pollUntil(
              List.of(frames, dead),
              () ->
                  frames.count() + dead.count() >= expected
                      || app.state() == KafkaStreams.State.ERROR,
              timeout);
      long last = Math.max(frames.lastArrivalNanos(), dead.lastArrivalNanos());
      Duration elapsed = Duration.ofNanos(Math.max(last, start) - start);
      accounted = accounted && frames.count() + dead.count() == expected;
      return new Result(
          produced,
          failed,
          frames.count(),
          dead.count(),
          Map.copyOf(dead.byReason()),
          elapsed,
          produceElapsed,
          accounted);
    }
  }
}
