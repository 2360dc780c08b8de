package io.selfstream.ops.demo;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.ingest.BrokenFiles;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.produce.ProgressListener;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.ingest.source.FrameSources;
import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.ops.pipeline.CorruptedFeedIngest;
import io.selfstream.ops.pipeline.ImageIngestRun;
import io.selfstream.ops.pipeline.LiveVideoFeeds;
import io.selfstream.ops.pipeline.LocalPipeline;
import io.selfstream.ops.pipeline.SeedSegmentationModel;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.pipeline.TopicCounter;
import io.selfstream.ops.views.LocalViewsJob;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OnlineLearners;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.eval.AdaptationEvaluator;
import io.selfstream.trainer.eval.PrequentialScorer;
import io.selfstream.trainer.eval.PseudoLabelAccuracy;
import io.selfstream.trainer.eval.PseudoLabelMeters;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.views.EncoderUpdates;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The live system on one machine, as the demo runs it: the continual corruption feed paced into
 * {@code frames.raw}, the normalizer, the views job, one encoder trainer per learning method
 * adapting concurrently and publishing signed versions, and the prequential evaluator scoring every
 * frame with each method's newest version that has not trained on it (a frame waits at most {@link
 * Options#maxScoreWait} for a fresher version). Prints a status block periodically; when the feed
 * ends (or the duration is up) the trainers drain what is left, publish their last version, and the
 * run checks that every consumer applied it and that nothing was lost.
 */
public final class DemoRun {

  /**
   * The live video side of the demo: the feeds, and how often the temporal trainer publishes.
   *
   * @param feeds the live video feeds (none: the demo runs without video, segmentation and the
   *     temporal trainer)
   * @param publishEverySteps the temporal trainer publishes a dtgrm version every N steps
   * @param publishEvery ... and at least this often while it trains
   * @param overrides further {@code temporal.*}, {@code temporalTrainer.*} and {@code
   *     segmentation.*} keys
   */
  public record Video(
      LiveVideoFeeds.Spec feeds,
      int publishEverySteps,
      Duration publishEvery,
      Map<String, String> overrides) {

    public Video {
      overrides = Map.copyOf(overrides);
    }

    public static Video none() {
      return new Video(LiveVideoFeeds.Spec.none(), 10, Duration.ofSeconds(15), Map.of());
    }

    public boolean enabled() {
      return feeds.enabled();
    }

    public Video withOverrides(Map<String, String> o) {
      return new Video(feeds, publishEverySteps, publishEvery, o);
    }

    public Video withFeeds(LiveVideoFeeds.Spec f) {
      return new Video(f, publishEverySteps, publishEvery, overrides);
    }
  }

  /**
   * @param duration the feeds stop after this long even if not exhausted
   * @param feed the corruption feed
   * @param feedRate frames per second of the feed (what the trainers can follow on the machine)
   * @param learners trainers to run (SOURCE is always scored)
   * @param adapt learner hyperparameters
   * @param publishEverySteps trainer publish cadence in steps
   * @param fullEvery a FULL every K versions
   * @param maxScoreWait a frame is scored with what is there after waiting this long
   * @param statusEvery status block period
   * @param drainTimeout bound on draining the trainers and the evaluator at the end
   * @param video the live video feeds, the temporal trainer and the segmentation app
   */
  public record Options(
      Duration duration,
      CorruptedStream.Config feed,
      double feedRate,
      List<AdaptationMethod> learners,
      AdaptConfig adapt,
      int publishEverySteps,
      int fullEvery,
      Duration maxScoreWait,
      Duration statusEvery,
      Duration drainTimeout,
      Video video) {

    /**
     * Sized so the default run takes about 10 minutes on 2 cores, {@code --quick} about 3: three
     * live video feeds at 10 frames/s (sizes are configuration) play as long as the corruption
     * feed.
     */
    public static Options of(boolean quick) {
      CorruptedStream.Config feed =
          CorruptedStream.Config.defaults().withSeverity(5).withLimitPerDomain(quick ? 60 : 400);
      double rate = quick ? 20 : 12;
      Duration feedLength =
          Duration.ofSeconds(
              Math.round(
                  feed.limitPerDomain() * (double) feed.order().size() / Math.max(1e-9, rate)));
      return new Options(
          Duration.ofMinutes(quick ? 3 : 10),
          feed,
          rate,
          List.of(AdaptationMethod.SELFSTREAM, AdaptationMethod.SELFTRAIN, AdaptationMethod.TENT),
          AdaptConfig.DEFAULT,
          5,
          10,
          Duration.ofSeconds(30),
          Duration.ofSeconds(quick ? 5 : 10),
          Duration.ofMinutes(quick ? 3 : 5),
          new Video(
              LiveVideoFeeds.Spec.none().withFeeds(3).withSeconds(feedLength),
              quick ? 5 : 10,
              Duration.ofSeconds(quick ? 10 : 30),
              Map.of()));
    }

    public Options withDuration(Duration d) {
      return new Options(
          d,
          feed,
          feedRate,
          learners,
          adapt,
          publishEverySteps,
          fullEvery,
          maxScoreWait,
          statusEvery,
          drainTimeout,
          video);
    }

    public Options withVideo(Video v) {
      return new Options(
          duration,
          feed,
          feedRate,
          learners,
          adapt,
          publishEverySteps,
          fullEvery,
          maxScoreWait,
          statusEvery,
          drainTimeout,
          v);
    }
  }

  /**
   * The outcome.
   *
   * @param json every figure of the run
   * @param learned the full objective's mean online error is below the frozen source's
   * @param nothingLost frames sent = frames normalized + dead letters, every view trained or
   *     refused with a reason, every labelled frame scored
   * @param applied every consumer (views job, evaluator) applied every trainer's last version
   */
  public record Summary(
      Map<String, Object> json, boolean learned, boolean nothingLost, boolean applied) {}

  private final ClientSettings client;
  private final Path workDir;
  private final SourceEncoder source;
  private final Options options;
  private final MeterRegistry registry;
  private final PrintStream out;
  private Listener listener = s -> {};
  private SeedSegmentationModel seedModel;

  // issue #8: the trainers' pseudo-labels, scored against labels.eval as the evaluator reads it
  private final PseudoLabelAccuracy pseudoLabels = new PseudoLabelAccuracy();

  /**
   * What the status block shows, handed to a {@link Listener} at every status tick on the run's
   * thread. {@code methods} holds the scorer's live tables: read them inside the call, keep no
   * reference.
   *
   * @param seconds since the run started
   * @param feedAcked corruption-feed frames acknowledged so far
   * @param feedTotal frames the feed will send
   * @param frames frames normalized
   * @param deadLetters frames dead-lettered
   * @param views training views made
   * @param teacherVersion encoder version the views job holds everywhere
   * @param scoredFrames frames the evaluator scored
   * @param pendingFrames frames waiting for a fresher version to be scored with
   * @param trainers each trainer's status
   * @param methods each scored method's result so far
   * @param updateSizes update messages and bytes the evaluator received per method
   * @param pseudoLabels accuracy and confident share of each trainer's pseudo-labels (issue #8)
   */
  public record Status(
      double seconds,
      long feedAcked,
      long feedTotal,
      long frames,
      long deadLetters,
      long views,
      long teacherVersion,
      long scoredFrames,
      int pendingFrames,
      Map<AdaptationMethod, EncoderTrainer.Status> trainers,
      Map<String, PrequentialScorer.MethodResult> methods,
      Map<AdaptationMethod, AdaptationEvaluator.UpdateSizes> updateSizes,
      Map<AdaptationMethod, PseudoLabelAccuracy.Snapshot> pseudoLabels) {}

  /**
   * The live segmentation side of a status tick (runs with video feeds only).
   *
   * @param dtgrmPublished newest dtgrm version the temporal trainer published
   * @param dtgrmServed the version the segmentation app serves
   * @param trainer the temporal trainer's status
   * @param feeds per feed id, in feed order
   */
  public record Segmentation(
      long dtgrmPublished,
      long dtgrmServed,
      TemporalTrainer.Status trainer,
      Map<String, FeedSegmentation> feeds) {}

  /**
   * One live video feed so far.
   *
   * @param frames frames in the feed
   * @param normalized its frames on {@code frames}
   * @param labelled its frames labelled on {@code frame-labels}
   * @param segments closed segment events on {@code segments}
   * @param scores the labels against the ground truth (null before the first label)
   */
  public record FeedSegmentation(
      long frames, long normalized, long labelled, long segments, SegmentationScores scores) {}

  /** Receives the status at every tick (the dashboard). */
  @FunctionalInterface
  public interface Listener {
    void onStatus(Status status);

    /** The live segmentation side of a tick, right after {@link #onStatus} (video runs only). */
    default void onSegmentation(Segmentation segmentation) {}

    /**
     * One labelled frame of a live video feed, in arrival order: the label the segmentation app
     * gave it and its ground truth (action names).
     */
    default void onSegmentFrame(String feed, String predicted, String truth) {}
  }

  public DemoRun(
      ClientSettings client,
      Path workDir,
      SourceEncoder source,
      Options options,
      MeterRegistry registry,
      PrintStream out) {
    this.client = client;
    this.workDir = workDir;
    this.source = source;
    this.options = options;
    this.registry = registry;
    this.out = out;
  }

  /** Hands every status tick to {@code l} as well as printing it; returns this. */
  public DemoRun listener(Listener l) {
    this.listener = java.util.Objects.requireNonNull(l, "listener");
    return this;
  }

  /** The seed temporal model the run starts the temporal trainer from (needed with video). */
  public DemoRun segmentation(SeedSegmentationModel seed) {
    this.seedModel = java.util.Objects.requireNonNull(seed, "seed");
    return this;
  }

  public Summary run() throws Exception {
    LocalPipeline local = new LocalPipeline(client, workDir);
    KeyPair keys = SigningKeys.loadOrCreate(workDir.resolve("keys"));
    try (ModelUpdatePublisher publisher =
        ModelUpdatePublisher.create(client, new UpdateEncoder(keys), "demo-source")) {
      publisher.publishFull(
          EncoderUpdates.MODEL,
          1,
          0,
          source.modelParameters(),
          EncoderUpdates.architectureMetrics(source.config()));
    }
    List<AdaptationMethod> scored = new ArrayList<>();
    scored.add(AdaptationMethod.SOURCE);
    scored.addAll(options.learners());
    EncoderFile.Contents sourceContents =
        new EncoderFile.Contents(source.config(), source.parameters());
    Map<String, String> viewsKeys = new LinkedHashMap<>();
    viewsKeys.put(ViewsJobSettings.PARALLELISM.name(), "1");
    LiveSegmentationRun video = null;
    if (options.video().enabled()) {
      // frames of the video feeds become fixed-extractor features, not training views
      viewsKeys.put(ViewsJobSettings.VIDEO_SOURCES.name(), LiveVideoFeeds.SOURCE_PATTERN);
      video =
          LiveSegmentationRun.prepare(
              client, local, options.video(), seedModel, workDir.resolve("videos"), out);
    }
    Pattern videoKeys = Pattern.compile(LiveVideoFeeds.SOURCE_PATTERN);
    Map<AdaptationMethod, EncoderTrainer> trainers = new LinkedHashMap<>();
    long startNanos = System.nanoTime();
    try (LiveSegmentationRun videoRun = video;
        TopicCounter frames = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES.name());
        TopicCounter dlq = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES_DLQ.name());
        TopicCounter views = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name());
        NormalizerApp normalizer =
            ImageIngestRun.startNormalizer(client, local.normalizer(), Duration.ofMinutes(2));
        LocalViewsJob job = LocalViewsJob.start(local.views(source.config(), viewsKeys));
        PrequentialScorer scorer =
            new PrequentialScorer(
                source.config(), Device.cpu(), scored.stream().map(AdaptationMethod::id).toList());
        AdaptationEvaluator evaluator =
            new AdaptationEvaluator(
                    client, scorer, scored, List.of(keys.getPublic()), options.maxScoreWait(), 128)
                .trackPseudoLabels(pseudoLabels);
        PseudoLabelMeters pseudoMeters =
            new PseudoLabelMeters(registry, pseudoLabels, options.learners())) {
      if (!job.awaitTeacherEverywhere(1, Duration.ofMinutes(3))) {
        throw new IllegalStateException("views job did not apply encoder v1: " + job.progress());
      }
      try {
        for (AdaptationMethod m : options.learners()) {
          EncoderTrainerSettings s =
              local.trainer(
                  m,
                  options.adapt().batchSize(),
                  options.publishEverySteps(),
                  options.fullEvery(),
                  Map.of());
          trainers.put(
              m,
              EncoderTrainer.start(
                  s,
                  sourceContents,
                  OnlineLearners.create(
                      m,
                      source.config(),
                      source.parameters(),
                      options.adapt(),
                      Device.cpu(),
                      s.seed()),
                  keys,
                  registry,
                  EncoderTrainer.Options.DEFAULTS.withPseudoLabels(pseudoLabels)));
        }
        if (videoRun != null) {
          videoRun.start(keys, registry, listener::onSegmentFrame);
        }
        out.printf(
            Locale.ROOT,
            "pipeline up: normalizer, views job, %d trainers, evaluator%s; feed %d frames/s%s%n",
            trainers.size(),
            videoRun == null ? "" : ", temporal trainer, segmentation app",
            Math.round(options.feedRate()),
            videoRun == null
                ? ""
                : String.format(
                    Locale.ROOT,
                    ", %d video feeds at %.0f frames/s",
                    options.video().feeds().feeds(),
                    options.video().feeds().fps()));
        long brokenSent = sendBrokenFiles();
        out.println(brokenSent + " broken files sent: they must end on frames.dlq with a reason");

        // the feed, paced, on its own thread; stopped by interrupt when the duration is up
        AtomicReference<CorruptedFeedIngest.Result> fed = new AtomicReference<>();
        AtomicReference<Throwable> feedError = new AtomicReference<>();
        long[] feedProgress = new long[2];
        Thread feed =
            new Thread(
                () -> {
                  try {
                    fed.set(
                        CorruptedFeedIngest.run(
                            client,
                            IngestSettings.from(Config.defaults(IngestSettings.KEYS))
                                .withRate(options.feedRate()),
                            options.feed(),
                            (acked, total, labels) -> {
                              feedProgress[0] = acked;
                              feedProgress[1] = total;
                            }));
                  } catch (Throwable t) {
                    feedError.set(t);
                  }
                },
                "demo-feed");
        feed.setDaemon(true);
        feed.start();
        if (videoRun != null) {
          videoRun.startFeeds(local.normalizer());
        }
        Status[] last = new Status[1];
        Runnable status =
            () ->
                printStatus(
                    startNanos,
                    feedProgress,
                    frames,
                    dlq,
                    views,
                    job,
                    trainers,
                    evaluator,
                    videoRun);

        long deadline = startNanos + options.duration().toNanos();
        long nextStatus = System.nanoTime() + options.statusEvery().toNanos();
        while (feed.isAlive() || (videoRun != null && videoRun.feeding())) {
          if (System.nanoTime() > deadline) {
            out.println("duration reached: stopping the feeds");
            feed.interrupt();
            feed.join(30_000);
            if (videoRun != null) {
              videoRun.stopFeeds();
            }
            break;
          }
          pollAll(evaluator, frames, dlq, views, videoRun);
          if (System.nanoTime() >= nextStatus) {
            status.run();
            nextStatus = System.nanoTime() + options.statusEvery().toNanos();
          }
        }
        if (feedError.get() != null) {
          throw new IllegalStateException("feed failed: " + feedError.get(), feedError.get());
        }
        if (videoRun != null && videoRun.feedError() != null) {
          throw new IllegalStateException(
              "video feeds failed: " + videoRun.feedError(), videoRun.feedError());
        }
        long imageSent =
            brokenSent + (fed.get() == null ? feedProgress[0] : fed.get().frames().acked());
        long videoSent = videoRun == null ? 0 : videoRun.sent();
        long sent = imageSent + videoSent;

        // drain: every frame normalized or dead-lettered, every view trained, every frame scored,
        // every video frame labelled
        out.printf(
            Locale.ROOT,
            "feeds done (%d frames: %d images, %d video): draining trainers and evaluator ...%n",
            sent,
            imageSent,
            videoSent);
        long drainDeadline = System.nanoTime() + options.drainTimeout().toNanos();
        while (System.nanoTime() < drainDeadline) {
          pollAll(evaluator, frames, dlq, views, videoRun);
          long imageFrames = frames.count() - frames.countKeys(videoKeys);
          boolean pipelineDrained =
              frames.count() + dlq.count() >= sent && views.count() >= imageFrames;
          if (pipelineDrained
              && trainersConsumed(trainers, views.count())
              && (videoRun == null || videoRun.drained(frames, dlq))) {
            break;
          }
          if (System.nanoTime() >= nextStatus) {
            status.run();
            nextStatus = System.nanoTime() + options.statusEvery().toNanos();
          }
        }
        Map<AdaptationMethod, EncoderTrainer.Status> finalStatus = new LinkedHashMap<>();
        for (Map.Entry<AdaptationMethod, EncoderTrainer> t : trainers.entrySet()) {
          t.getValue().close(); // publishes the last version
          finalStatus.put(t.getKey(), t.getValue().status());
        }
        if (videoRun != null) {
          videoRun.finish(frames, dlq); // the last dtgrm version, served by the app
        }
        long lastEncoder =
            finalStatus.containsKey(AdaptationMethod.SELFSTREAM)
                ? finalStatus.get(AdaptationMethod.SELFSTREAM).version()
                : 1;
        boolean viewsApplied = job.awaitTeacherEverywhere(lastEncoder, Duration.ofSeconds(60));
        long imageFrames = frames.count() - frames.countKeys(videoKeys);
        long scoreDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (evaluator.scoredFrames() < imageFrames && System.nanoTime() < scoreDeadline) {
          pollAll(evaluator, frames, dlq, views, videoRun);
          imageFrames = frames.count() - frames.countKeys(videoKeys);
          if (evaluatorHoldsAll(scorer, finalStatus)) {
            evaluator.flush();
          }
        }
        evaluator.flush();
        boolean evaluatorApplied = evaluatorHoldsAll(scorer, finalStatus);
        status.run();
        return summarize(
            sent,
            imageFrames,
            frames,
            dlq,
            views,
            finalStatus,
            scorer,
            evaluator,
            viewsApplied,
            evaluatorApplied,
            videoRun,
            startNanos);
      } finally {
        // in order: the video side (feeds, temporal trainer, app, tracker), then the trainers
        if (videoRun != null) {
          videoRun.close();
        }
        for (EncoderTrainer t : trainers.values()) {
          t.close();
        }
      }
    }
  }

  /** Broken and oversized image files through the same path: bad input must reach the DLQ. */
  private long sendBrokenFiles() throws java.io.IOException {
    Path dir = workDir.resolve("broken-files");
    BrokenFiles.writeTo(dir);
    try (FrameProducer producer =
            FrameProducer.create(
                IngestSettings.from(Config.defaults(IngestSettings.KEYS)),
                client.bootstrap(),
                new SerdeFactory(client).valueSerializer(Topics.FRAMES_RAW),
                ProgressListener.NONE);
        FrameSource broken = FrameSources.open(dir, "broken", 0)) {
      IngestResult r = producer.sendAll(broken);
      if (!r.complete()) {
        throw new IllegalStateException("broken files not all sent: " + r);
      }
      return r.acked();
    }
  }

  private static void pollAll(
      AdaptationEvaluator evaluator,
      TopicCounter frames,
      TopicCounter dlq,
      TopicCounter views,
      LiveSegmentationRun video) {
    frames.poll(Duration.ZERO);
    dlq.poll(Duration.ZERO);
    views.poll(Duration.ZERO);
    if (video != null) {
      video.poll();
    }
    evaluator.pollOnce(Duration.ofMillis(200));
  }

  private static boolean trainersConsumed(
      Map<AdaptationMethod, EncoderTrainer> trainers, long views) {
    for (EncoderTrainer t : trainers.values()) {
      EncoderTrainer.Status s = t.status();
      if (s.runSamples() + s.refused() < views && t.isRunning()) {
        return false;
      }
    }
    return true;
  }

  private static boolean evaluatorHoldsAll(
      PrequentialScorer scorer, Map<AdaptationMethod, EncoderTrainer.Status> finalStatus) {
    for (Map.Entry<AdaptationMethod, EncoderTrainer.Status> e : finalStatus.entrySet()) {
      if (scorer.newestVersion(e.getKey().id()) < e.getValue().version()) {
        return false;
      }
    }
    return true;
  }

  private void printStatus(
      long startNanos,
      long[] feedProgress,
      TopicCounter frames,
      TopicCounter dlq,
      TopicCounter views,
      LocalViewsJob job,
      Map<AdaptationMethod, EncoderTrainer> trainers,
      AdaptationEvaluator evaluator,
      LiveSegmentationRun video) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "--- %5.0f s | feed %d/%d | frames %d (%.0f/s) | dead letters %d | views %d | teacher v%d%n",
            seconds,
            feedProgress[0],
            feedProgress[1],
            frames.count(),
            frames.count() / Math.max(1e-9, seconds),
            dlq.count(),
            views.count(),
            job.teacher().newestHeldEverywhere(job.settings().parallelism())));
    trainers.forEach(
        (m, t) -> b.append("  ").append(m.id()).append(": ").append(t.statusLine()).append('\n'));
    b.append("  online error (scored ").append(evaluator.scoredFrames()).append("):");
    evaluator
        .scorer()
        .results()
        .forEach(
            (id, r) ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        " %s %.1f%% (v%d)",
                        id,
                        100 * r.errors().meanError(),
                        Math.max(0, r.lastVersionUsed()))));
    if (video != null) {
      b.append('\n').append(video.statusLines(frames));
    }
    out.println(b);
    Map<AdaptationMethod, EncoderTrainer.Status> trainerStatus = new LinkedHashMap<>();
    trainers.forEach((m, t) -> trainerStatus.put(m, t.status()));
    try {
      listener.onStatus(
          new Status(
              seconds,
              feedProgress[0],
              feedProgress[1],
              frames.count(),
              dlq.count(),
              views.count(),
              job.teacher().newestHeldEverywhere(job.settings().parallelism()),
              evaluator.scoredFrames(),
              evaluator.pending(),
              trainerStatus,
              evaluator.scorer().results(),
              evaluator.updateSizes(),
              pseudoLabels.snapshot()));
      if (video != null) {
        listener.onSegmentation(video.status(frames));
      }
    } catch (RuntimeException e) {
      out.println("status listener failed: " + e);
    }
  }

  private Summary summarize(
      long sent,
      long imageFrames,
      TopicCounter frames,
      TopicCounter dlq,
      TopicCounter views,
      Map<AdaptationMethod, EncoderTrainer.Status> finalStatus,
      PrequentialScorer scorer,
      AdaptationEvaluator evaluator,
      boolean viewsApplied,
      boolean evaluatorApplied,
      LiveSegmentationRun video,
      long startNanos) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("demo", "adaptation");
    json.put("seconds", BenchOutput.round((System.nanoTime() - startNanos) / 1e9, 1));
    json.put("severity", options.feed().severity());
    json.put("frames_sent", sent);
    json.put("frames", frames.count());
    json.put("dead_letters", dlq.count());
    json.put("dead_letters_by_reason", Map.copyOf(dlq.byReason()));
    json.put("views", views.count());
    Map<String, Object> methods = new LinkedHashMap<>();
    Map<String, PrequentialScorer.MethodResult> results = scorer.results();
    results.forEach(
        (id, r) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("mean_error", BenchOutput.round(r.errors().meanError(), 4));
          m.put("frames_scored", r.errors().frames());
          m.put("unscored", r.unscored());
          m.put("last_version_used", r.lastVersionUsed());
          Map<String, Object> perDomain = new LinkedHashMap<>();
          r.errors().perDomain().forEach((d, e) -> perDomain.put(d, BenchOutput.round(e, 4)));
          m.put("per_domain", perDomain);
          methods.put(id, m);
        });
    json.put("methods", methods);
    Map<String, Object> trainerJson = new LinkedHashMap<>();
    finalStatus.forEach(
        (m, s) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("model", s.model());
          t.put("version", s.version());
          t.put("samples", s.samples());
          t.put("samples_per_s", BenchOutput.round(s.runSamplesPerSecond(), 1));
          t.put("rollbacks", s.rollbacks());
          t.put("refused", s.refused());
          trainerJson.put(m.id(), t);
        });
    json.put("trainers", trainerJson);
    Map<String, Object> sizes = new LinkedHashMap<>();
    evaluator
        .updateSizes()
        .forEach(
            (m, s) ->
                sizes.put(
                    m.id(),
                    Map.of(
                        "full_bytes", Math.round(s.meanFullBytes()),
                        "delta_bytes", Math.round(s.meanDeltaBytes()))));
    json.put("update_bytes", sizes);
    // issue #8: pseudo-label accuracy per trainer (null where a method has none, e.g. tent)
    Map<String, Object> pseudo = new LinkedHashMap<>();
    pseudoLabels
        .snapshot()
        .forEach(
            (m, p) -> {
              Map<String, Object> e = new LinkedHashMap<>();
              e.put("accuracy", finiteOrNull(p.accuracy()));
              e.put("recent_accuracy", finiteOrNull(p.recentAccuracy()));
              e.put("confident_share", finiteOrNull(p.confidentShare()));
              e.put("matched", p.matched());
              e.put("unmatched", p.unmatched() + p.pending());
              pseudo.put(m.id(), e);
            });
    json.put("pseudo_label_accuracy", pseudo);

    double sourceError = results.get(AdaptationMethod.SOURCE.id()).errors().meanError();
    PrequentialScorer.MethodResult full = results.get(AdaptationMethod.SELFSTREAM.id());
    boolean learned = full != null && full.errors().meanError() < sourceError;
    long refused =
        finalStatus.values().stream().mapToLong(EncoderTrainer.Status::refused).max().orElse(0);
    // video frames make features, not views, and have no labels.eval: the evaluator and the
    // encoder trainers account for the image frames, the video side for its own
    boolean nothingLost =
        frames.count() + dlq.count() == sent
            && evaluator.scoredFrames() + evaluator.pending() == imageFrames
            && evaluator.pending() == 0
            && finalStatus.values().stream()
                .allMatch(s -> s.samples() + s.refused() == views.count())
            && refused == 0;
    boolean applied = viewsApplied && evaluatorApplied;
    json.put("image_frames", imageFrames);
    if (video != null) {
      json.put("video_frames_sent", video.sent());
      json.put("video_frames", video.normalized(frames));
      json.put("video_dead_letters", video.deadLetters(dlq));
      json.put("video", video.json(frames, dlq));
      boolean videoLost = !video.nothingLost(frames, dlq);
      boolean videoApplied = video.applied();
      json.put("video_nothing_lost", !videoLost);
      json.put("dtgrm_applied_by_segmentation_app", videoApplied);
      nothingLost = nothingLost && !videoLost;
      applied = applied && videoApplied;
    }
    json.put("learned", learned);
    json.put("nothing_lost", nothingLost);
    json.put("applied_by_views_job", viewsApplied);
    json.put("applied_by_evaluator", evaluatorApplied);
    return new Summary(json, learned, nothingLost, applied);
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? BenchOutput.round(v, 4) : null;
  }
}
