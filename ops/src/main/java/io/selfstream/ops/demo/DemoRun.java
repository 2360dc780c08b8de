package io.selfstream.ops.demo;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
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
import io.selfstream.ops.pipeline.LocalPipeline;
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
   * @param duration the feed stops after this long even if not exhausted
   * @param feed the corruption feed
   * @param feedRate frames per second of the feed (what the trainers can follow on the machine)
   * @param learners trainers to run (SOURCE is always scored)
   * @param adapt learner hyperparameters
   * @param publishEverySteps trainer publish cadence in steps
   * @param fullEvery a FULL every K versions
   * @param maxScoreWait a frame is scored with what is there after waiting this long
   * @param statusEvery status block period
   * @param drainTimeout bound on draining the trainers and the evaluator at the end
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
      Duration drainTimeout) {

    /** Sized so the default run takes about 10 minutes on 2 cores, {@code --quick} about 3. */
    public static Options of(boolean quick) {
      return new Options(
          Duration.ofMinutes(quick ? 3 : 10),
          CorruptedStream.Config.defaults().withSeverity(5).withLimitPerDomain(quick ? 60 : 400),
          quick ? 20 : 12,
          List.of(AdaptationMethod.SELFSTREAM, AdaptationMethod.SELFTRAIN, AdaptationMethod.TENT),
          AdaptConfig.DEFAULT,
          5,
          10,
          Duration.ofSeconds(30),
          Duration.ofSeconds(quick ? 5 : 10),
          Duration.ofMinutes(quick ? 3 : 5));
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
          drainTimeout);
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
      Map<AdaptationMethod, AdaptationEvaluator.UpdateSizes> updateSizes) {}

  /** Receives the status at every tick (the dashboard). */
  @FunctionalInterface
  public interface Listener {
    void onStatus(Status status);
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
    Map<AdaptationMethod, EncoderTrainer> trainers = new LinkedHashMap<>();
    long startNanos = System.nanoTime();
    try (TopicCounter frames = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES.name());
        TopicCounter dlq = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES_DLQ.name());
        TopicCounter views = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name());
        NormalizerApp normalizer =
            ImageIngestRun.startNormalizer(client, local.normalizer(), Duration.ofMinutes(2));
        LocalViewsJob job =
            LocalViewsJob.start(
                local.views(source.config(), Map.of(ViewsJobSettings.PARALLELISM.name(), "1")));
        PrequentialScorer scorer =
            new PrequentialScorer(
                source.config(), Device.cpu(), scored.stream().map(AdaptationMethod::id).toList());
        AdaptationEvaluator evaluator =
            new AdaptationEvaluator(
                client, scorer, scored, List.of(keys.getPublic()), options.maxScoreWait(), 128)) {
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
                  registry));
        }
        out.printf(
            Locale.ROOT,
            "pipeline up: normalizer, views job, %d trainers, evaluator; feed %d frames/s%n",
            trainers.size(),
            Math.round(options.feedRate()));
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

        long deadline = startNanos + options.duration().toNanos();
        long nextStatus = System.nanoTime() + options.statusEvery().toNanos();
        while (feed.isAlive()) {
          if (System.nanoTime() > deadline) {
            out.println("duration reached: stopping the feed");
            feed.interrupt();
            feed.join(30_000);
            break;
          }
          pollAll(evaluator, frames, dlq, views);
          if (System.nanoTime() >= nextStatus) {
            printStatus(startNanos, feedProgress, frames, dlq, views, job, trainers, evaluator);
            nextStatus = System.nanoTime() + options.statusEvery().toNanos();
          }
        }
        if (feedError.get() != null) {
          throw new IllegalStateException("feed failed: " + feedError.get(), feedError.get());
        }
        long sent = brokenSent + (fed.get() == null ? feedProgress[0] : fed.get().frames().acked());

        // drain: every frame normalized or dead-lettered, every view trained, every frame scored
        out.println("feed done (" + sent + " frames): draining trainers and evaluator ...");
        long drainDeadline = System.nanoTime() + options.drainTimeout().toNanos();
        while (System.nanoTime() < drainDeadline) {
          pollAll(evaluator, frames, dlq, views);
          boolean pipelineDrained =
              frames.count() + dlq.count() >= sent && views.count() >= frames.count();
          if (pipelineDrained && trainersConsumed(trainers, views.count())) {
            break;
          }
          if (System.nanoTime() >= nextStatus) {
            printStatus(startNanos, feedProgress, frames, dlq, views, job, trainers, evaluator);
            nextStatus = System.nanoTime() + options.statusEvery().toNanos();
          }
        }
        Map<AdaptationMethod, EncoderTrainer.Status> finalStatus = new LinkedHashMap<>();
        for (Map.Entry<AdaptationMethod, EncoderTrainer> t : trainers.entrySet()) {
          t.getValue().close(); // publishes the last version
          finalStatus.put(t.getKey(), t.getValue().status());
        }
        long lastEncoder =
            finalStatus.containsKey(AdaptationMethod.SELFSTREAM)
                ? finalStatus.get(AdaptationMethod.SELFSTREAM).version()
                : 1;
        boolean viewsApplied = job.awaitTeacherEverywhere(lastEncoder, Duration.ofSeconds(60));
        long scoreDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (evaluator.scoredFrames() < frames.count() && System.nanoTime() < scoreDeadline) {
          pollAll(evaluator, frames, dlq, views);
          if (evaluatorHoldsAll(scorer, finalStatus)) {
            evaluator.flush();
          }
        }
        evaluator.flush();
        boolean evaluatorApplied = evaluatorHoldsAll(scorer, finalStatus);
        printStatus(startNanos, feedProgress, frames, dlq, views, job, trainers, evaluator);
        return summarize(
            sent,
            frames,
            dlq,
            views,
            finalStatus,
            scorer,
            evaluator,
            viewsApplied,
            evaluatorApplied,
            startNanos);
      } finally {
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
      AdaptationEvaluator evaluator, TopicCounter frames, TopicCounter dlq, TopicCounter views) {
    frames.poll(Duration.ZERO);
    dlq.poll(Duration.ZERO);
    views.poll(Duration.ZERO);
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
      AdaptationEvaluator evaluator) {
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
              evaluator.updateSizes()));
    } catch (RuntimeException e) {
      out.println("status listener failed: " + e);
    }
  }

  private Summary summarize(
      long sent,
      TopicCounter frames,
      TopicCounter dlq,
      TopicCounter views,
      Map<AdaptationMethod, EncoderTrainer.Status> finalStatus,
      PrequentialScorer scorer,
      AdaptationEvaluator evaluator,
      boolean viewsApplied,
      boolean evaluatorApplied,
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

    double sourceError = results.get(AdaptationMethod.SOURCE.id()).errors().meanError();
    PrequentialScorer.MethodResult full = results.get(AdaptationMethod.SELFSTREAM.id());
    boolean learned = full != null && full.errors().meanError() < sourceError;
    long refused =
        finalStatus.values().stream().mapToLong(EncoderTrainer.Status::refused).max().orElse(0);
    boolean nothingLost =
        frames.count() + dlq.count() == sent
            && evaluator.scoredFrames() + evaluator.pending() == frames.count()
            && evaluator.pending() == 0
            && finalStatus.values().stream()
                .allMatch(s -> s.samples() + s.refused() == views.count())
            && refused == 0;
    json.put("learned", learned);
    json.put("nothing_lost", nothingLost);
    json.put("applied_by_views_job", viewsApplied);
    json.put("applied_by_evaluator", evaluatorApplied);
    return new Summary(json, learned, nothingLost, viewsApplied && evaluatorApplied);
  }
}
