package io.selfstream.ops.demo;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.graphreasoning.live.LiveCounters;
import io.selfstream.graphreasoning.live.LiveSegmentationApp;
import io.selfstream.graphreasoning.live.LiveSegmentationSettings;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.video.VideoIngest;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.pipeline.LiveVideoFeeds;
import io.selfstream.ops.pipeline.LocalPipeline;
import io.selfstream.ops.pipeline.SeedSegmentationModel;
import io.selfstream.ops.pipeline.TopicCounter;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.temporal.TemporalSelfTraining;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.temporal.TemporalTrainerSettings;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The live video side of the demo: the video feeds (generated with ground truth, streamed in real
 * time), the continual temporal trainer (publishes the seed model as dtgrm v1, then adapted
 * versions), the live segmentation app hot-swapping them, and the {@link SegmentationTracker}
 * scoring its labels against the truth. Started and stopped by {@link DemoRun} on its thread, in
 * order: trainer, app, tracker, feeds; at the end feeds, trainer (last version), app (once it
 * serves that version), tracker.
 */
final class LiveSegmentationRun implements AutoCloseable {

  private final ClientSettings client;
  private final LocalPipeline local;
  private final DemoRun.Video options;
  private final SeedSegmentationModel seed;
  private final PrintStream out;
  private final List<LiveVideoFeeds.Feed> feeds;

  private TemporalTrainer trainer;
  private boolean trainerClosed;
  private LiveSegmentationApp app;
  private SegmentationTracker tracker;
  private Thread feedThread;
  private final AtomicReference<List<VideoIngest.FeedResult>> results = new AtomicReference<>();
  private final AtomicReference<Throwable> feedError = new AtomicReference<>();
  private final Map<String, SegmentationScores> frozenOffline = new LinkedHashMap<>();
  private SegmentationScores frozenOfflinePooled;
  private long lastDtgrm = -1;
  private boolean appApplied;

  private LiveSegmentationRun(
      ClientSettings client,
      LocalPipeline local,
      DemoRun.Video options,
      SeedSegmentationModel seed,
      PrintStream out,
      List<LiveVideoFeeds.Feed> feeds) {
    this.client = client;
    this.local = local;
    this.options = options;
    this.seed = seed;
    this.out = out;
    this.feeds = feeds;
  }

  /** Generates the feeds' video files under {@code dir} (nothing runs yet). */
  static LiveSegmentationRun prepare(
      ClientSettings client,
      LocalPipeline local,
      DemoRun.Video options,
      SeedSegmentationModel seed,
      Path dir,
      PrintStream out)
      throws Exception {
    if (seed == null) {
      throw new IllegalStateException(
          "video feeds need a seed segmentation model (segmentation())");
    }
    long t0 = System.nanoTime();
    List<LiveVideoFeeds.Feed> feeds = LiveVideoFeeds.write(options.feeds(), dir);
    out.printf(
        Locale.ROOT,
        "%d live video feeds written (%s, %.0f frames/s, FFV1) in %.1f s: %s%n",
        feeds.size(),
        options.feeds().shift(),
        options.feeds().fps(),
        (System.nanoTime() - t0) / 1e9,
        String.join(
            ", ",
            feeds.stream()
                .map(f -> f.sourceId() + " " + f.frames() + " frames/" + f.videos() + " videos")
                .toList()));
    LiveSegmentationRun run = new LiveSegmentationRun(client, local, options, seed, out, feeds);
    run.scoreFrozenOffline();
    return run;
  }

  /**
   * The reference the live scores are read against: the seed model, frozen, labelling each whole
   * feed at once offline (full context both ways, no adaptation).
   */
  private void scoreFrozenOffline() throws java.io.IOException {
    TemporalTrainer.Source source = seed.source();
    List<String> names = LiveVideoFeeds.actionNames();
    SegmentationAccumulator pooled = new SegmentationAccumulator();
    try (TemporalSelfTraining frozen =
        new TemporalSelfTraining(
            source.descriptor(),
            source.parameters(),
            LocalPipeline.temporalLearning(options.overrides()),
            Device.cpu())) {
      for (LiveVideoFeeds.Feed f : feeds) {
        int[] predicted = frozen.predict(f.expected());
        frozenOffline.put(
            f.sourceId(), new SegmentationAccumulator().add(f.truth(), predicted, names).scores());
        pooled.add(f.truth(), predicted, names);
      }
    }
    frozenOfflinePooled = pooled.scores();
    out.printf(
        Locale.ROOT,
        "seed model on these feeds, frozen, offline over whole feeds: acc %.1f%% edit %.1f"
            + " F1@50 %.1f (the live labels below come with a %s-frame window and adapted"
            + " versions)%n",
        frozenOfflinePooled.acc(),
        frozenOfflinePooled.edit(),
        frozenOfflinePooled.f1At50(),
        LiveSegmentationSettings.WINDOW_FRAMES.defaultValue());
  }

  /**
   * Starts the temporal trainer (it publishes the seed as dtgrm v1 on a fresh topic), the
   * segmentation app (waits until it serves a version), and the tracker.
   */
  void start(KeyPair keys, MeterRegistry registry, SegmentationTracker.FrameSink sink)
      throws Exception {
    TemporalTrainerSettings settings = local.temporalTrainer(trainerKeys());
    TemporalTrainer.Source source = seed.source();
    trainer =
        TemporalTrainer.start(
            settings,
            source,
            new TemporalSelfTraining(
                source.descriptor(),
                source.parameters(),
                LocalPipeline.temporalLearning(options.overrides()),
                Device.cpu()),
            keys,
            registry,
            EncoderTrainer.Options.DEFAULTS);
    Map<String, String> seg = new LinkedHashMap<>();
    seg.put(LiveSegmentationSettings.APPLICATION_ID.name(), "demo-segmentation");
    options
        .overrides()
        .forEach(
            (k, v) -> {
              if (k.startsWith("segmentation.")) {
                seg.put(k, v);
              }
            });
    LiveSegmentationSettings segSettings = local.segmentation(seg);
    app = LiveSegmentationApp.start(segSettings, client);
    if (!app.holder().awaitVersion(1, Duration.ofSeconds(90))) {
      throw new IllegalStateException(
          "segmentation app did not apply dtgrm v1: "
              + app.holder().lastRefusal().orElse("nothing received")
              + "; trainer "
              + trainer.statusLine());
    }
    tracker =
        new SegmentationTracker(
            client, feeds, LiveVideoFeeds.actionNames(), VideoFeatures.ENCODER_VERSION, sink);
    out.printf(
        Locale.ROOT,
        "temporal trainer up (dtgrm v%d = seed model, %s), segmentation app serving v%d"
            + " (window %d, lookahead %d, policy %s)%n",
        trainer.lastPublishedVersion(),
        seed.reused() ? "cached" : "trained now",
        app.holder().currentVersion(),
        segSettings.windowFrames(),
        segSettings.lookaheadFrames(),
        segSettings.featurePolicy().name().toLowerCase(Locale.ROOT));
  }

  private Map<String, String> trainerKeys() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(
        TemporalTrainerSettings.PUBLISH_EVERY_STEPS.name(),
        Integer.toString(options.publishEverySteps()));
    o.put(TemporalTrainerSettings.PUBLISH_EVERY.name(), options.publishEvery().toMillis() + "ms");
    // a feed's last partial clip is trained soon after the feed ends, not 30 s later
    o.put(TemporalTrainerSettings.IDLE_TIMEOUT.name(), "5s");
    options
        .overrides()
        .forEach(
            (k, v) -> {
              if (k.startsWith("temporalTrainer.") || k.startsWith("temporal.")) {
                o.put(k, v);
              }
            });
    return o;
  }

  /** Streams every feed in real time on a thread of its own. */
  void startFeeds(NormalizerSettings normalizer) {
    feedThread =
        new Thread(
            () -> {
              try {
                results.set(LiveVideoFeeds.stream(client, normalizer, feeds));
              } catch (Throwable t) {
                feedError.set(t);
              }
            },
            "demo-video-feeds");
    feedThread.setDaemon(true);
    feedThread.start();
  }

  boolean feeding() {
    return feedThread != null && feedThread.isAlive();
  }

  /** Stops the feeds (the frames sent so far stay) and waits for their results. */
  void stopFeeds() throws InterruptedException {
    if (feedThread != null && feedThread.isAlive()) {
      feedThread.interrupt();
      feedThread.join(30_000);
    }
  }

  /** Why the feeds failed, if they did. */
  Throwable feedError() {
    return feedError.get();
  }

  /** Frames the feeds had acknowledged on {@code frames.raw} (known once they ended). */
  long sent() {
    List<VideoIngest.FeedResult> r = results.get();
    return r == null ? 0 : r.stream().mapToLong(f -> f.result().acked()).sum();
  }

  private long sent(String id) {
    List<VideoIngest.FeedResult> r = results.get();
    if (r == null) {
      return 0;
    }
    return r.stream()
        .filter(f -> f.feed().sourceId().equals(id))
        .mapToLong(f -> f.result().acked())
        .sum();
  }

  void poll() {
    if (tracker != null) {
      tracker.poll();
    }
  }

  /**
   * Whether every video frame sent is normalized or dead-lettered, and every frame normalized has
   * features and a label (or is of a version the strict policy skips).
   */
  boolean drained(TopicCounter frames, TopicCounter dlq) {
    if (feeding()) {
      return false;
    }
    for (SegmentationTracker.FeedStatus f : tracker.status()) {
      long normalized = frames.byKey().getOrDefault(f.feed(), 0L);
      long dead = dlq.byKey().getOrDefault(f.feed(), 0L);
      if (normalized + dead < sent(f.feed())
          || f.features() < normalized
          || f.labelled() + f.otherVersion() < f.features()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Closes the temporal trainer (it publishes what it trained since its last version) and waits
   * until the segmentation app serves that version; the tracker reads the last labels meanwhile.
   */
  void finish(TopicCounter frames, TopicCounter dlq) throws InterruptedException {
    closeTrainer();
    lastDtgrm = trainer.lastPublishedVersion();
    appApplied = app.holder().awaitVersion(lastDtgrm, Duration.ofSeconds(60));
    // labels of the tail frames (lookahead flushed at the idle timeout) may still be on their way
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    do {
      tracker.poll();
      frames.poll(Duration.ZERO);
      dlq.poll(Duration.ZERO);
      if (drained(frames, dlq)) {
        break;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
  }

  private void closeTrainer() {
    if (trainer != null && !trainerClosed) {
      trainerClosed = true;
      trainer.close();
    }
  }

  /** The status block's lines. */
  String statusLines(TopicCounter frames) {
    StringBuilder b = new StringBuilder();
    b.append("  ").append(trainer.statusLine());
    b.append(" | segmentation app serves v").append(app.holder().currentVersion()).append('\n');
    for (SegmentationTracker.FeedStatus f : tracker.status()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %s: frames %d/%d | features %d | labelled %d | segments %d | %s%n",
              f.feed(),
              frames.byKey().getOrDefault(f.feed(), 0L),
              f.frames(),
              f.features(),
              f.labelled(),
              f.segments(),
              scoreText(f.scores())));
    }
    return b.toString();
  }

  private static String scoreText(SegmentationScores s) {
    return s == null
        ? "no labels yet"
        : String.format(
            Locale.ROOT, "acc %.1f%% edit %.1f F1@50 %.1f", s.acc(), s.edit(), s.f1At50());
  }

  DemoRun.Segmentation status(TopicCounter frames) {
    Map<String, DemoRun.FeedSegmentation> m = new LinkedHashMap<>();
    for (SegmentationTracker.FeedStatus f : tracker.status()) {
      m.put(
          f.feed(),
          new DemoRun.FeedSegmentation(
              f.frames(),
              frames.byKey().getOrDefault(f.feed(), 0L),
              f.labelled(),
              f.segments(),
              f.scores()));
    }
    return new DemoRun.Segmentation(
        trainer.lastPublishedVersion(), app.holder().currentVersion(), trainer.status(), m);
  }

  /** Video frames normalized (all feeds). */
  long normalized(TopicCounter frames) {
    return feeds.stream().mapToLong(f -> frames.byKey().getOrDefault(f.sourceId(), 0L)).sum();
  }

  /** Video frames dead-lettered (all feeds). */
  long deadLetters(TopicCounter dlq) {
    return feeds.stream().mapToLong(f -> dlq.byKey().getOrDefault(f.sourceId(), 0L)).sum();
  }

  /** The summary's {@code video} object. */
  Map<String, Object> json(TopicCounter frames, TopicCounter dlq) {
    Map<String, Object> j = new LinkedHashMap<>();
    Map<String, Object> seedJson = new LinkedHashMap<>();
    seedJson.put("reused", seed.reused());
    seedJson.put("train_seconds", BenchOutput.round(seed.trainSeconds(), 1));
    seedJson.put("recipe", seed.recipe().toString());
    seedJson.put("held_out", scores(seed.heldOut()));
    seedJson.put("held_out_shifted", scores(seed.heldOutShifted()));
    j.put("seed_model", seedJson);
    j.put("fps", options.feeds().fps());
    Map<String, Object> perFeed = new LinkedHashMap<>();
    for (SegmentationTracker.FeedStatus f : tracker.status()) {
      Map<String, Object> m = new LinkedHashMap<>();
      long normalized = frames.byKey().getOrDefault(f.feed(), 0L);
      m.put("frames", f.frames());
      m.put("sent", sent(f.feed()));
      m.put("normalized", normalized);
      m.put("dead_letters", dlq.byKey().getOrDefault(f.feed(), 0L));
      m.put("features", f.features());
      m.put("features_other_encoder_version", f.otherVersion());
      m.put("labelled", f.labelled());
      m.put("duplicate_labels", f.duplicateLabels());
      long unlabelled = f.features() - f.labelled();
      m.put("unlabelled", unlabelled);
      Map<String, Long> reasons = new LinkedHashMap<>();
      if (f.otherVersion() > 0) {
        reasons.put("encoder_version_skipped_by_strict_policy", f.otherVersion());
      }
      if (unlabelled - f.otherVersion() > 0) {
        reasons.put("pending", unlabelled - f.otherVersion());
      }
      if (normalized - f.features() > 0) {
        reasons.put("features_missing", normalized - f.features());
      }
      m.put("unlabelled_reasons", reasons);
      m.put("segments", f.segments());
      Map<String, Long> byVersion = new LinkedHashMap<>();
      f.labelsByVersion().forEach((v, n) -> byVersion.put("v" + v, n));
      m.put("labels_by_dtgrm_version", byVersion);
      m.put("scores", f.scores() == null ? null : scores(f.scores()));
      m.put("frozen_offline_scores", scores(frozenOffline.get(f.feed())));
      m.put(
          "feature_max_abs_diff",
          Double.isFinite(f.featureMaxAbsDiff()) ? f.featureMaxAbsDiff() : "mismatch");
      perFeed.put(f.feed(), m);
    }
    j.put("feeds", perFeed);
    SegmentationScores pooled = tracker.pooled();
    j.put("scores", pooled == null ? null : scores(pooled));
    j.put("frozen_offline_scores", scores(frozenOfflinePooled));
    TemporalTrainer.Status t = trainer.status();
    Map<String, Object> tj = new LinkedHashMap<>();
    tj.put("versions_published", t.version());
    tj.put("steps", t.steps());
    tj.put("frames", t.frames());
    tj.put("clips", t.clips());
    tj.put("rollbacks", t.rollbacks());
    tj.put("refused", t.refused());
    tj.put("state", t.state());
    j.put("temporal_trainer", tj);
    Map<String, Object> aj = new LinkedHashMap<>();
    aj.put("version_served", app.holder().currentVersion());
    aj.put("versions_accepted", app.holder().acceptedCount());
    aj.put("versions_refused", app.holder().refusedCount());
    aj.put("applied_last_version", appApplied);
    aj.put("state", app.state().toString());
    LiveCounters.Snapshot c = app.counters();
    aj.put("counters", c.toMap());
    j.put("segmentation_app", aj);
    j.put("tracker_anomalies", tracker.anomalies());
    return j;
  }

  private static Map<String, Object> scores(SegmentationScores s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("acc", BenchOutput.round(s.acc(), 2));
    m.put("edit", BenchOutput.round(s.edit(), 2));
    m.put("f1@50", BenchOutput.round(s.f1At50(), 2));
    m.put("frames", s.frames());
    return m;
  }

  /**
   * Every video frame accounted for: sent = normalized + dead letters per feed, every frame
   * normalized has features, every servable feature a label exactly once, no label replayed.
   */
  boolean nothingLost(TopicCounter frames, TopicCounter dlq) {
    if (results.get() == null || tracker.anomalies() > 0) {
      return false;
    }
    for (SegmentationTracker.FeedStatus f : tracker.status()) {
      long normalized = frames.byKey().getOrDefault(f.feed(), 0L);
      long dead = dlq.byKey().getOrDefault(f.feed(), 0L);
      if (normalized + dead != sent(f.feed())
          || f.features() != normalized
          || f.labelled() + f.otherVersion() != f.features()
          || f.duplicateLabels() != 0) {
        return false;
      }
    }
    return true;
  }

  /** The trainer published beyond the seed and the app serves its last version. */
  boolean applied() {
    return lastDtgrm > 1 && appApplied && app.state() == KafkaStreams.State.RUNNING;
  }

  long lastDtgrm() {
    return lastDtgrm;
  }

  @Override
  public void close() {
    try {
      stopFeeds();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeTrainer();
    if (app != null) {
      app.close(Duration.ofSeconds(30));
    }
    if (tracker != null) {
      tracker.close();
    }
  }
}
