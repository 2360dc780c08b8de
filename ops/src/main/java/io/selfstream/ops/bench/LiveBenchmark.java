package io.selfstream.ops.bench;

import ai.djl.Device;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.live.LiveCounters;
import io.selfstream.graphreasoning.live.LiveListener;
import io.selfstream.graphreasoning.live.LiveSegmentationApp;
import io.selfstream.graphreasoning.live.LiveSegmentationSettings;
import io.selfstream.graphreasoning.live.TemporalModel;
import io.selfstream.graphreasoning.live.TemporalModelHolder;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.graphreasoning.video.VideoCodec;
import io.selfstream.graphreasoning.video.VideoFileWriter;
import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.video.FrameShape;
import io.selfstream.ingest.video.VideoFeed;
import io.selfstream.ingest.video.VideoIngest;
import io.selfstream.ingest.video.VideoSettings;
import io.selfstream.ops.pipeline.ImageIngestRun;
import io.selfstream.ops.pipeline.LocalPipeline;
import io.selfstream.ops.pipeline.SeedSegmentationModel;
import io.selfstream.ops.views.LocalViewsJob;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.views.EncoderUpdates;
import io.selfstream.trainer.views.TeacherApplyLog;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue #7's live benchmark: {@code feeds} generated activity videos (real 64 x 64 FFV1 files)
 * ingested at once, paced at {@code fps} like cameras, through the normalizer, the views job's
 * fixed video-feature branch ({@code views.videoSources}) and the live segmentation app, all on the
 * embedded stack in this JVM; frame capture to its label visible on {@code frame-labels}, per
 * stage, with the lookahead wait taken out (see {@link LiveBenchmarkStats}); and publish to applied
 * latency of {@code dtgrm} versions in the segmentation app and of {@code encoder} versions in the
 * views job, published while the feeds run.
 *
 * <p>The temporal model is the cached seed model of the synthetic feeds ({@link
 * SeedSegmentationModel}); its accuracy is not measured here. Every consumer measured is the one
 * users run, with its exactly-once settings: labels count once committed.
 */
public final class LiveBenchmark {

  /** Source ids of the measured feeds: {@code video-1 .. video-N}. */
  static final String FEED_PREFIX = "video-";

  static final String WARMUP_PREFIX = "video-warmup-";

  /** What {@code views.videoSources} is set to: every feed of this benchmark. */
  static final String VIDEO_SOURCES = "video-.*";

  /**
   * @param feeds concurrent feeds
   * @param fps frames per second of every feed (file rate and pacing)
   * @param video length of every feed
   * @param warmup length of the two warm-up feeds run (and drained) before the measured run
   * @param lookahead {@code segmentation.lookaheadFrames} for this run, -1 = as configured
   * @param checkpointInterval the views job's checkpoint interval (its exactly-once output, the
   *     features, becomes visible at checkpoints)
   * @param updates {@code dtgrm} versions and {@code encoder} versions published during the run
   * @param drainTimeout after the feeds end, how long to wait for the last labels
   * @param recipe the seed temporal model
   * @param videoSeed seed of the generated videos
   */
  public record Options(
      int feeds,
      double fps,
      Duration video,
      Duration warmup,
      int lookahead,
      Duration checkpointInterval,
      int updates,
      Duration drainTimeout,
      SeedSegmentationModel.Recipe recipe,
      long videoSeed) {

    public Options {
      if (feeds < 1 || feeds > VideoIngest.MAX_FEEDS) {
        throw new IllegalArgumentException("feeds must be in [1, 256], got " + feeds);
      }
      if (!(fps > 0 && fps <= 240)) {
        throw new IllegalArgumentException("fps must be in (0, 240], got " + fps);
      }
      if (lookahead < -1) {
        throw new IllegalArgumentException("lookahead must be >= 0, got " + lookahead);
      }
    }

    /** 8 feeds at 30 fps; 20 s of video and 3 + 3 updates quick, 60 s and 10 + 10 otherwise. */
    public static Options of(boolean quick) {
      return new Options(
          8,
          30,
          Duration.ofSeconds(quick ? 20 : 60),
          Duration.ofSeconds(quick ? 4 : 8),
          -1,
          Duration.ofMillis(500),
          quick ? 3 : 10,
          Duration.ofSeconds(quick ? 60 : 120),
          quick ? SeedSegmentationModel.Recipe.quick() : SeedSegmentationModel.Recipe.full(),
          2026);
    }

    public Options with(
        Integer newFeeds,
        Double newFps,
        Duration newVideo,
        Integer newLookahead,
        Duration newCheckpointInterval) {
      return new Options(
          newFeeds == null ? feeds : newFeeds,
          newFps == null ? fps : newFps,
          newVideo == null ? video : newVideo,
          warmup,
          newLookahead == null ? lookahead : newLookahead,
          newCheckpointInterval == null ? checkpointInterval : newCheckpointInterval,
          updates,
          drainTimeout,
          recipe,
          videoSeed);
    }

    int framesPerFeed() {
      return (int) Math.round(video.toMillis() / 1000.0 * fps);
    }
  }

  private final Config config;
  private final Path workDir;
  private final Path modelCache;
  private final Options options;
  private final PrintStream log;
  private ClientSettings client;
  private Prepared prepared;

  /** What is made before the stack starts: it must not compete with the measurement. */
  private record Prepared(
      SeedSegmentationModel seed,
      TemporalTrainer.Source source,
      double[] forwardMs,
      double loadStart,
      List<VideoFeed> feeds,
      List<VideoFeed> warm) {}

  /**
   * @param config the user's configuration: the segmentation app and the ingest run as configured
   *     (only the app id, state dir, trusted key and, if set, the lookahead are the bench's)
   * @param workDir this run's scratch folder (videos, keys, checkpoints, state)
   * @param modelCache where the seed model is cached across runs
   * @param log progress lines (stderr)
   */
  public LiveBenchmark(
      Config config, Path workDir, Path modelCache, Options options, PrintStream log) {
    this.config = config;
    this.workDir = workDir;
    this.modelCache = modelCache;
    this.options = options;
    this.log = log;
  }

  /**
   * Loads (or trains and caches) the seed model, times one inference, writes the feed files. Runs
   * before the stack starts, on a quiet JVM.
   */
  public void prepare() throws IOException {
    double loadStart = loadAverage();
    SeedSegmentationModel seed =
        SeedSegmentationModel.loadOrTrain(modelCache, options.recipe(), log::println);
    TemporalTrainer.Source source = seed.source();
    int window = config.get(LiveSegmentationSettings.WINDOW_FRAMES);
    double[] forwardMs = forwardMillis(source.parameters(), window);
    log.printf(
        Locale.ROOT,
        "seed model %s (%s): one inference over a %d-frame window takes %.1f ms (p50)%n",
        seed.dir().getFileName(),
        seed.reused() ? "cached" : "trained now",
        window,
        forwardMs[0]);
    List<VideoFeed> feeds = writeFeeds("video", FEED_PREFIX, options.feeds(), options.video(), 0);
    List<VideoFeed> warm = writeFeeds("warmup", WARMUP_PREFIX, 2, options.warmup(), 99);
    prepared = new Prepared(seed, source, forwardMs, loadStart, feeds, warm);
  }

  private static Predicate<String> measured() {
    return s -> s.startsWith(FEED_PREFIX) && !s.startsWith(WARMUP_PREFIX);
  }

  private static Predicate<String> warmups() {
    return s -> s.startsWith(WARMUP_PREFIX);
  }

  /** Runs the benchmark against {@code stack}'s cluster; {@link #prepare()} first. */
  public Map<String, Object> run(ClientSettings stack) throws Exception {
    if (prepared == null) {
      throw new IllegalStateException("prepare() first");
    }
    this.client = stack;
    TemporalTrainer.Source source = prepared.source();
    ModelSpec spec = source.descriptor().spec();
    double[] forwardMs = prepared.forwardMs();
    double loadStart = prepared.loadStart();
    List<VideoFeed> feeds = prepared.feeds();
    List<VideoFeed> warm = prepared.warm();
    LocalPipeline local = new LocalPipeline(client, workDir);
    LiveSegmentationSettings segmentation = segmentationSettings(local);

    KeyPair keys = SigningKeys.loadOrCreate(workDir.resolve("keys"));
    ModelParameters teacher;
    try (Encoder e = Encoder.create(EncoderConfig.DEFAULT, Device.cpu(), 1)) {
      teacher = EncoderUpdates.export(e);
    }
    Map<String, Double> dtgrmMetrics = TemporalModels.metrics(source.descriptor());
    Map<Long, Long> dtgrmApplied = new ConcurrentHashMap<>();
    LiveListener listener =
        new LiveListener() {
          @Override
          public void applied(ModelVersion version, long appliedAtMs) {
            dtgrmApplied.put(version.version(), appliedAtMs);
          }
        };
    Map<String, Object> out = new LinkedHashMap<>();
    try (ModelUpdatePublisher encoderPublisher =
            ModelUpdatePublisher.create(client, new UpdateEncoder(keys), "bench-live-encoder");
        ModelUpdatePublisher dtgrmPublisher =
            ModelUpdatePublisher.create(client, new UpdateEncoder(keys), "bench-live-dtgrm")) {
      encoderPublisher.publishFull(
          EncoderUpdates.MODEL,
          1,
          0,
          teacher,
          EncoderUpdates.architectureMetrics(EncoderConfig.DEFAULT));
      dtgrmPublisher.publishFull(TemporalModels.MODEL, 1, 0, source.parameters(), dtgrmMetrics);
      VideoIngest.registerSchemas(new SerdeFactory(client));
      try (NormalizerApp normalizer =
              ImageIngestRun.startNormalizer(client, local.normalizer(), Duration.ofMinutes(2));
          LocalViewsJob job = LocalViewsJob.start(viewsSettings(local));
          LiveSegmentationApp app = LiveSegmentationApp.start(segmentation, client, listener)) {
        if (!job.awaitTeacherEverywhere(1, Duration.ofMinutes(3))) {
          throw new IllegalStateException("views job did not apply encoder v1: " + job.progress());
        }
        if (!app.holder().awaitVersion(1, Duration.ofMinutes(2))) {
          throw new IllegalStateException(
              "segmentation app did not apply dtgrm v1: " + app.holder().lastRefusal());
        }
        try (LiveBenchmarkProbe probe =
            LiveBenchmarkProbe.start(client, s -> s.startsWith(FEED_PREFIX))) {
          // warm-up through the whole path (JIT, transactions, registry lookups), drained
          log.println("warm-up: 2 feeds of " + options.warmup().toSeconds() + " s ...");
          long warmFrames = ingest(warm);
          if (!awaitLabels(probe, warmups(), warmFrames, Duration.ofMinutes(3))) {
            log.printf(
                "warm-up not drained: %d of %d labelled; measuring anyway%n",
                probe.labels(warmups()), warmFrames);
          }

          LiveCounters.Snapshot before = app.counters();
          Map<Long, Long> dtgrmPublished = new ConcurrentHashMap<>();
          Map<Long, Long> encoderPublished = new ConcurrentHashMap<>();
          AtomicReference<Throwable> updateError = new AtomicReference<>();
          Thread updates =
              new Thread(
                  () -> {
                    try {
                      publishUpdates(
                          encoderPublisher,
                          dtgrmPublisher,
                          teacher,
                          source.parameters(),
                          dtgrmMetrics,
                          encoderPublished,
                          dtgrmPublished);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } catch (Throwable t) {
                      updateError.set(t);
                    }
                  },
                  "bench-live-updates");
          updates.setDaemon(true);
          log.printf(
              Locale.ROOT,
              "measured run: %d feeds x %d s at %.0f fps, %d + %d model versions on the way%n",
              options.feeds(),
              options.video().toSeconds(),
              options.fps(),
              options.updates(),
              options.updates());
          long runStart = System.currentTimeMillis();
          updates.start();
          long ingested = ingest(feeds);
          long ingestEnd = System.currentTimeMillis();
          awaitLabels(probe, measured(), ingested, options.drainTimeout());
          long drainEnd = System.currentTimeMillis();
          updates.join(Duration.ofMinutes(2).toMillis());
          if (updateError.get() != null) {
            throw new IllegalStateException("publishing failed: " + updateError.get());
          }
          // the last versions: give them time to arrive before counting them missing
          long lastVersion = 1 + options.updates();
          app.holder().awaitVersion(lastVersion, Duration.ofSeconds(30));
          job.awaitTeacher(
              t -> t.appliedEverywhereAt(lastVersion, 1).isPresent(), Duration.ofSeconds(60));
          Thread.sleep(1_500); // accumulators travel with heartbeats
          TeacherApplyLog.Snapshot teacherLog = job.teacher();
          probe.close();
          // labels that came in while the updates were awaited count too: censor at the close
          long deadline = System.currentTimeMillis();
          LiveCounters.Snapshot after = app.counters();
          long featuresSeen = probe.features(measured());
          long deadLetters = probe.deadLetters(measured());
          long duplicates = probe.duplicateLabels();

          Map<Long, Long> encoderApplied = new HashMap<>();
          encoderPublished
              .keySet()
              .forEach(
                  v -> {
                    OptionalLong at = teacherLog.appliedEverywhereAt(v, 1);
                    if (at.isPresent()) {
                      encoderApplied.put(v, at.getAsLong());
                    }
                  });
          long[] dtgrmLatency = LiveBenchmarkStats.propagation(dtgrmPublished, dtgrmApplied);
          long[] encoderLatency = LiveBenchmarkStats.propagation(encoderPublished, encoderApplied);
          long[] propagation = LiveBenchmarkStats.merge(dtgrmLatency, encoderLatency);

          LiveBenchmarkStats.Latencies l =
              LiveBenchmarkStats.compute(
                  probe.times(measured()), segmentation.lookaheadFrames(), deadline);
          long skipped =
              (after.noModel() - before.noModel())
                  + (after.encoderMismatch() - before.encoderMismatch())
                  + (after.dimMismatch() - before.dimMismatch())
                  + (after.outOfOrder() - before.outOfOrder());
          // frames on features that the app had not labelled (or skipped) by the deadline
          long late = Math.max(0, featuresSeen - l.labelled() - skipped);
          long dropped = ingested - l.labelled() - deadLetters - skipped - late;
          long labelSpan = Math.max(1, deadline - runStart);

          out.put("bench", "live");
          out.put("feeds", options.feeds());
          out.put("fps", options.fps());
          out.put("frames", ingested);
          out.put("p50_ms", LiveBenchmarkStats.percentile(l.excluding(), 0.50));
          out.put("p99_ms", LiveBenchmarkStats.percentile(l.excluding(), 0.99));
          out.put("update_propagation_p99_ms", LiveBenchmarkStats.percentile(propagation, 0.99));
          out.put("dropped", dropped);
          out.put("lookahead_frames", segmentation.lookaheadFrames());
          out.put(
              "lookahead_ms",
              BenchOutput.round(segmentation.lookaheadLatencyMillis(options.fps()), 1));
          out.put("p50_ms_including_lookahead", LiveBenchmarkStats.percentile(l.including(), 0.50));
          out.put("p99_ms_including_lookahead", LiveBenchmarkStats.percentile(l.including(), 0.99));
          out.put("max_ms", LiveBenchmarkStats.max(l.excluding()));
          Map<String, Object> stages = new LinkedHashMap<>();
          stages.put("capture_to_normalized", p50p99(l.normalized()));
          stages.put("capture_to_features", p50p99(l.features()));
          stages.put("capture_to_label_emitted", p50p99(l.emitted()));
          stages.put("capture_to_label_committed", p50p99(l.including()));
          out.put("stages_ms", stages);
          out.put("labelled", l.labelled());
          out.put("idle_flushed", l.tailFlushed());
          out.put("idle_flushed_p99_ms", LiveBenchmarkStats.percentile(l.tail(), 0.99));
          out.put("idle_timeout_ms", segmentation.idleTimeout().toMillis());
          out.put("unlabelled_at_deadline", l.censored());
          out.put("drained", l.censored() == 0);
          out.put("drain_wait_ms", drainEnd - ingestEnd);
          out.put("late", late);
          out.put("dead_letters", deadLetters);
          out.put("skipped_by_app", skipped);
          out.put("duplicate_labels", duplicates);
          out.put("labels_per_s", BenchOutput.round(l.labelled() * 1000.0 / labelSpan, 1));
          out.put("offered_frames_per_s", BenchOutput.round(options.feeds() * options.fps(), 1));
          out.put("dtgrm_inference_ms", BenchOutput.round(forwardMs[0], 1));
          out.put("dtgrm_inference_min_ms", BenchOutput.round(forwardMs[1], 1));
          out.put("catch_up_frames", segmentation.catchUpFrames());
          out.put("catch_up_deferred", after.catchUpDeferred() - before.catchUpDeferred());
          Map<String, Object> updatesOut = new LinkedHashMap<>();
          updatesOut.put("dtgrm_published", dtgrmPublished.size());
          updatesOut.put("dtgrm_applied", dtgrmLatency.length);
          updatesOut.put("dtgrm_p50_ms", LiveBenchmarkStats.percentile(dtgrmLatency, 0.5));
          updatesOut.put("dtgrm_p99_ms", LiveBenchmarkStats.percentile(dtgrmLatency, 0.99));
          updatesOut.put("encoder_published", encoderPublished.size());
          updatesOut.put("encoder_applied", encoderLatency.length);
          updatesOut.put("encoder_p50_ms", LiveBenchmarkStats.percentile(encoderLatency, 0.5));
          updatesOut.put("encoder_p99_ms", LiveBenchmarkStats.percentile(encoderLatency, 0.99));
          out.put("updates", updatesOut);
          out.put("views_checkpoint_interval_ms", options.checkpointInterval().toMillis());
          out.put("segmentation_commit_interval_ms", segmentation.commitInterval().toMillis());
          out.put("segmentation_threads", segmentation.threads());
          out.put("window_frames", segmentation.windowFrames());
          out.put(
              "model",
              String.format(
                  Locale.ROOT,
                  "%s %d stages x %d layers x %d maps, %d-d features, %d params",
                  spec.type(),
                  spec.stages(),
                  spec.tcn().layers(),
                  spec.tcn().featureMaps(),
                  spec.inputDim(),
                  source.parameters().parameterCount()));
          out.put("video_s_per_feed", options.video().toSeconds());
          out.put("load_avg_start", BenchOutput.round(loadStart, 2));
          out.put("load_avg_end", BenchOutput.round(loadAverage(), 2));
          out.put("cpus", Runtime.getRuntime().availableProcessors());
          out.put(
              "definition",
              "latency = label committed on frame-labels (read_committed receive) - capture of"
                  + " the frame that completed its lookahead (frame t+L); *_including_lookahead"
                  + " from the capture of t itself; frames unlabelled at the deadline enter as"
                  + " lower bounds; labels the app's idle flush emitted with less lookahead"
                  + " (feed ends; sources starved for idleTimeout under overload) are counted"
                  + " apart (idle_flushed); propagation = publish start -> applied (dtgrm in the"
                  + " segmentation app, encoder in every views subtask); labels_per_s = labels"
                  + " over the run and drain (under overload: the app's capacity); features"
                  + " become visible at the views job's checkpoints; the seed model's accuracy"
                  + " is not measured here");
        }
      }
    }
    return out;
  }

  private static Map<String, Long> p50p99(long[] sorted) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("p50", LiveBenchmarkStats.percentile(sorted, 0.5));
    m.put("p99", LiveBenchmarkStats.percentile(sorted, 0.99));
    return m;
  }

  /** Versions 2.. of both models, spread evenly over the measured run (same weights: latency). */
  private void publishUpdates(
      ModelUpdatePublisher encoderPublisher,
      ModelUpdatePublisher dtgrmPublisher,
      ModelParameters teacher,
      ModelParameters dtgrm,
      Map<String, Double> dtgrmMetrics,
      Map<Long, Long> encoderPublished,
      Map<Long, Long> dtgrmPublished)
      throws InterruptedException {
    long spacing = options.video().toMillis() / (options.updates() + 1);
    long start = System.currentTimeMillis();
    for (int i = 0; i < options.updates(); i++) {
      long due = start + spacing * (i + 1);
      Thread.sleep(Math.max(0, due - System.currentTimeMillis()));
      long version = 2 + i;
      ModelUpdatePublisher.Published d =
          dtgrmPublisher.publishFull(
              TemporalModels.MODEL, version, version - 1, dtgrm, dtgrmMetrics);
      dtgrmPublished.put(version, d.startedAt().toEpochMilli());
      Thread.sleep(Math.min(1_000, spacing / 2));
      ModelUpdatePublisher.Published e =
          encoderPublisher.publishFull(
              EncoderUpdates.MODEL, version, version - 1, teacher, Map.of());
      encoderPublished.put(version, e.startedAt().toEpochMilli());
    }
  }

  /** Waits until {@code expected} labels of {@code sources} arrived or the timeout passed. */
  private static boolean awaitLabels(
      LiveBenchmarkProbe probe, Predicate<String> sources, long expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextLog = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (probe.labels(sources) + probe.deadLetters(sources) < expected) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      if (System.nanoTime() > nextLog) {
        System.err.printf("  %d of %d frames labelled%n", probe.labels(sources), expected);
        nextLog = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** Ingests the feeds paced like live cameras; returns the frames acknowledged. */
  private long ingest(List<VideoFeed> feeds) throws Exception {
    SerdeFactory serdes = new SerdeFactory(client);
    IngestSettings ingest = IngestSettings.from(config);
    VideoSettings video = VideoSettings.defaults().withRealtime(true);
    NormalizerSettings normalizer = new LocalPipeline(client, workDir).normalizer();
    FrameShape shape = video.shape(normalizer);
    Map<String, Object> dlqProps = new HashMap<>(serdes.producerConfig());
    dlqProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    dlqProps.put(ProducerConfig.ACKS_CONFIG, "all");
    List<VideoIngest.FeedResult> results;
    try (KafkaProducer<String, DeadFrame> dlq =
        new KafkaProducer<>(
            dlqProps, new StringSerializer(), serdes.valueSerializer(Topics.FRAMES_DLQ))) {
      results =
          new VideoIngest(
                  ingest,
                  video,
                  shape,
                  s ->
                      FrameProducer.create(
                          s, client.bootstrap(), serdes.valueSerializer(Topics.FRAMES_RAW), null),
                  dlq,
                  Clock.systemUTC())
              .run(feeds);
    }
    long acked = 0;
    for (VideoIngest.FeedResult r : results) {
      acked += r.result().acked();
      if (!r.ok()) {
        log.printf(
            "%s did not complete: %s%n",
            r.feed().sourceId(), r.failure().map(Object::toString).orElse(r.result().toString()));
      }
    }
    return acked;
  }

  /**
   * {@code count} feeds of {@code length}, each a concatenation of generated activity videos,
   * written as 64 x 64 FFV1 files at {@code fps}.
   */
  private List<VideoFeed> writeFeeds(
      String dir, String prefix, int count, Duration length, long seedOffset) throws IOException {
    FashionMnist images = FashionMnist.load(FashionMnist.Split.TEST);
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, GeneratorConfig.defaults());
    VideoFileWriter writer = new VideoFileWriter(VideoCodec.FFV1, options.fps());
    int frames = Math.max(1, (int) Math.round(length.toMillis() / 1000.0 * options.fps()));
    List<String> urls = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      List<byte[]> feed = new ArrayList<>(frames);
      int size = gen.config().size();
      for (int k = 0; feed.size() < frames; k++) {
        SyntheticVideo v =
            gen.generate(
                prefix + i + "-" + k, options.videoSeed() + seedOffset * 10_000 + i * 100L + k);
        size = v.size();
        feed.addAll(v.frames());
      }
      Path file =
          writer.write(
              feed.subList(0, frames),
              size,
              size,
              workDir.resolve(dir).resolve(prefix + i + ".mkv"));
      urls.add(file.toString());
      ids.add(prefix + i);
    }
    return VideoFeed.of(urls, ids);
  }

  /** The views job as users run it, with the bench's checkpoint interval and video sources. */
  private ViewsJobSettings viewsSettings(LocalPipeline local) {
    Map<String, String> o = new HashMap<>();
    o.put(ViewsJobSettings.PARALLELISM.name(), "1");
    o.put(
        ViewsJobSettings.CHECKPOINT_INTERVAL.name(),
        options.checkpointInterval().toMillis() + "ms");
    o.put(ViewsJobSettings.VIDEO_SOURCES.name(), VIDEO_SOURCES);
    o.put(ViewsJobSettings.GROUP_ID.name(), "bench-live");
    o.put(ViewsJobSettings.TRANSACTIONAL_ID_PREFIX.name(), "bench-live");
    return local.views(EncoderConfig.DEFAULT, o);
  }

  /**
   * The segmentation app as configured ({@code segmentation.*}), with the bench's application id,
   * state dir, key and, if given, lookahead.
   */
  private LiveSegmentationSettings segmentationSettings(LocalPipeline local) {
    LiveSegmentationSettings c = LiveSegmentationSettings.from(config);
    return new LiveSegmentationSettings(
        "bench-live-segmentation",
        c.model(),
        c.windowFrames(),
        options.lookahead() >= 0 ? options.lookahead() : c.lookaheadFrames(),
        c.featurePolicy(),
        c.minSegmentFrames(),
        c.maxGapFrames(),
        c.catchUpLag(),
        c.catchUpFrames(), // capped to the window by the settings
        c.idleTimeout(),
        c.provisionalEvents(),
        List.of(local.publicKeyFile()),
        c.threads(),
        c.commitInterval(),
        java.util.Optional.of(workDir.resolve("segmentation")));
  }

  /**
   * Median and fastest time of one inference of the model over a full window, on this machine now:
   * the segmentation app runs one per frame while it keeps up (and one per {@code
   * segmentation.catchUpFrames} frames while behind), so {@code 1000 / this} bounds the frames per
   * second one stream thread labels one at a time.
   */
  static double[] forwardMillis(ModelParameters parameters, int window) {
    int dim = TemporalModels.descriptor(parameters).featureDim();
    float[][] frames = new float[window][dim];
    Random rng = new Random(1);
    for (float[] f : frames) {
      for (int c = 0; c < dim; c++) {
        f[c] = rng.nextFloat();
      }
    }
    int[] targets = {window - 1};
    int[] labels = new int[1];
    float[] confidence = new float[1];
    try (TemporalModelHolder holder = new TemporalModelHolder(TemporalModels.MODEL)) {
      holder.install(TemporalModel.load(1, parameters));
      long[] nanos = new long[30];
      for (int i = -10; i < nanos.length; i++) {
        long t0 = System.nanoTime();
        holder.withModel(
            m -> {
              m.label(frames, targets, labels, confidence);
              return null;
            });
        if (i >= 0) {
          nanos[i] = System.nanoTime() - t0;
        }
      }
      Arrays.sort(nanos);
      return new double[] {nanos[nanos.length / 2] / 1e6, nanos[0] / 1e6};
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
