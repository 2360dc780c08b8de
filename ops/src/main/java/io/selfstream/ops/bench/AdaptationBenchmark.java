package io.selfstream.ops.bench;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ops.pipeline.CorruptedFeedIngest;
import io.selfstream.ops.pipeline.ImageIngestRun;
import io.selfstream.ops.pipeline.LocalPipeline;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.pipeline.TopicCounter;
import io.selfstream.ops.views.LocalViewsJob;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OfflineAdaptation;
import io.selfstream.trainer.adapt.OnlineLearner;
import io.selfstream.trainer.adapt.OnlineLearners;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.eval.AdaptationEvaluator;
import io.selfstream.trainer.eval.PrequentialScorer;
import io.selfstream.trainer.views.EncoderUpdates;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Online adaptation on the embedded stack, end to end: the continual corruption feed goes through
 * ingest, the normalizer and the views job; one Kafka trainer per learning method (TENT, the
 * self-training ablation, the full MUST objective) adapts on {@code views} and publishes signed
 * versions; the prequential evaluator scores every frame with each method's newest version that has
 * not trained on it. The trainers run one after another so each gets the machine to itself: the
 * scores do not depend on that (the evaluator selects versions by what they trained on, not by when
 * they arrived), and the selfstream trainer's Kafka-fed samples/s is then measured alone, beside
 * the same learner stepping over the same views held in memory.
 */
public final class AdaptationBenchmark {

  /**
   * @param feed the corruption feed (severity, order, images per domain)
   * @param adapt learner hyperparameters
   * @param publishEverySteps trainer publish cadence in steps
   * @param fullEvery a FULL every K versions
   * @param timeout bound on each waiting phase
   */
  public record Options(
      CorruptedStream.Config feed,
      AdaptConfig adapt,
      int publishEverySteps,
      int fullEvery,
      Duration timeout) {

    public static Options of(boolean quick) {
      return new Options(
          CorruptedStream.Config.defaults().withSeverity(5).withLimitPerDomain(quick ? 300 : 2000),
          AdaptConfig.DEFAULT,
          5,
          10,
          Duration.ofMinutes(quick ? 20 : 120));
    }

    public Options withFeed(CorruptedStream.Config f) {
      return new Options(f, adapt, publishEverySteps, fullEvery, timeout);
    }

    public Options withAdapt(AdaptConfig a) {
      return new Options(feed, a, publishEverySteps, fullEvery, timeout);
    }
  }

  /** Learning methods in the order their trainers run; SOURCE is scored only. */
  static final List<AdaptationMethod> LEARNERS =
      List.of(AdaptationMethod.SELFSTREAM, AdaptationMethod.SELFTRAIN, AdaptationMethod.TENT);

  private final ClientSettings client;
  private final Path workDir;
  private final SourceEncoder source;
  private final Options options;
  private final MeterRegistry registry;
  private final Consumer<String> log;
  private final LocalPipeline local;

  public AdaptationBenchmark(
      ClientSettings client,
      Path workDir,
      SourceEncoder source,
      Options options,
      MeterRegistry registry,
      Consumer<String> log) {
    this.client = client;
    this.workDir = workDir;
    this.source = source;
    this.options = options;
    this.registry = registry;
    this.log = log;
    this.local = new LocalPipeline(client, workDir);
  }

  public Map<String, Object> run() throws Exception {
    KeyPair keys = SigningKeys.loadOrCreate(workDir.resolve("keys"));
    Path publicKey = workDir.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE);
    try (ModelUpdatePublisher publisher =
        ModelUpdatePublisher.create(client, new UpdateEncoder(keys), "bench-adaptation-source")) {
      publisher.publishFull(
          EncoderUpdates.MODEL,
          1,
          0,
          source.modelParameters(),
          EncoderUpdates.architectureMetrics(source.config()));
    }

    // 1. the feed through ingest, the normalizer and the views job
    long frames;
    long views;
    long deadLetters;
    try (TopicCounter frameCount = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES.name());
        TopicCounter dlqCount = TopicCounter.fromNow(client.bootstrap(), Topics.FRAMES_DLQ.name());
        TopicCounter viewCount = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name());
        NormalizerApp normalizer =
            ImageIngestRun.startNormalizer(client, local.normalizer(), options.timeout());
        LocalViewsJob job =
            LocalViewsJob.start(
                local.views(
                    source.config(),
                    Map.of(
                        ViewsJobSettings.GROUP_ID.name(), "bench-adaptation-views",
                        ViewsJobSettings.TRANSACTIONAL_ID_PREFIX.name(),
                            "bench-adaptation-views")))) {
      if (!job.awaitTeacherEverywhere(1, options.timeout())) {
        throw new IllegalStateException("views job did not apply encoder v1: " + job.progress());
      }
      CorruptedFeedIngest.Result sent =
          CorruptedFeedIngest.run(
              client,
              IngestSettings.from(Config.defaults(IngestSettings.KEYS)),
              options.feed(),
              (acked, total, labels) -> {});
      if (!sent.complete()) {
        throw new IllegalStateException("feed not fully sent: " + sent);
      }
      long produced = sent.frames().acked();
      log.accept("feed: " + produced + " frames, " + sent.labelsAcked() + " labels");
      boolean done =
          TopicCounter.pollUntil(
              List.of(frameCount, dlqCount, viewCount),
              () ->
                  frameCount.count() + dlqCount.count() >= produced
                      && viewCount.count() >= frameCount.count(),
              options.timeout());
      frames = frameCount.count();
      deadLetters = dlqCount.count();
      views = viewCount.count();
      if (!done) {
        throw new IllegalStateException(
            "pipeline did not drain: frames " + frames + " dlq " + deadLetters + " views " + views);
      }
      log.accept(
          "pipeline: " + frames + " frames, " + deadLetters + " dead letters, " + views + " views");
    }

    // 2. one trainer per learning method, each alone on the machine
    EncoderFile.Contents sourceContents =
        new EncoderFile.Contents(source.config(), source.parameters());
    Map<AdaptationMethod, EncoderTrainer.Status> statuses = new LinkedHashMap<>();
    for (AdaptationMethod m : LEARNERS) {
      statuses.put(m, train(m, sourceContents, keys, views));
      log.accept(m.id() + ": " + statuses.get(m).line());
    }

    // 3. the same selfstream learner over the same views in memory
    double memoryRate = memoryRate(views);
    double kafkaRate = statuses.get(AdaptationMethod.SELFSTREAM).runSamplesPerSecond();

    // 4. prequential scores
    List<AdaptationMethod> scored = new ArrayList<>();
    scored.add(AdaptationMethod.SOURCE);
    scored.addAll(LEARNERS);
    List<String> ids = scored.stream().map(AdaptationMethod::id).toList();
    Map<String, Object> methods = new LinkedHashMap<>();
    Map<AdaptationMethod, AdaptationEvaluator.UpdateSizes> sizes;
    try (PrequentialScorer scorer = new PrequentialScorer(source.config(), Device.cpu(), ids);
        AdaptationEvaluator evaluator =
            new AdaptationEvaluator(
                client,
                scorer,
                scored,
                List.of(SigningKeys.readPublicKey(publicKey)),
                options.timeout(),
                256)) {
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (evaluator.scoredFrames() < frames && System.nanoTime() < deadline) {
        evaluator.pollOnce(Duration.ofMillis(200));
      }
      evaluator.flush();
      if (evaluator.scoredFrames() < frames) {
        throw new IllegalStateException(
            "evaluator scored " + evaluator.scoredFrames() + " of " + frames + " frames");
      }
      scorer
          .results()
          .forEach(
              (id, r) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mean_error", BenchOutput.round(r.errors().meanError(), 4));
                m.put("pooled_error", BenchOutput.round(r.errors().pooledError(), 4));
                Map<String, Object> perDomain = new LinkedHashMap<>();
                r.errors().perDomain().forEach((d, e) -> perDomain.put(d, BenchOutput.round(e, 4)));
                m.put("per_domain", perDomain);
                m.put("frames", r.errors().frames());
                m.put("unscored", r.unscored());
                m.put("versions", List.of(r.firstVersionUsed(), r.lastVersionUsed()));
                methods.put(id, m);
              });
      sizes = evaluator.updateSizes();
    }

    AdaptationEvaluator.UpdateSizes s = sizes.get(AdaptationMethod.SELFSTREAM);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "adaptation");
    out.put("severity", options.feed().severity());
    out.put("frames", frames);
    out.put("dead_letters", deadLetters);
    out.put("methods", methods);
    out.put("trainer_kafka_samples_per_s", BenchOutput.round(kafkaRate, 1));
    out.put("trainer_memory_samples_per_s", BenchOutput.round(memoryRate, 1));
    out.put("trainer_ratio", BenchOutput.round(kafkaRate / memoryRate, 3));
    out.put("delta_bytes", Math.round(s.meanDeltaBytes()));
    out.put("full_bytes", Math.round(s.meanFullBytes()));
    out.put("delta_to_full", BenchOutput.round(s.meanDeltaBytes() / s.meanFullBytes(), 4));
    Map<String, Object> versions = new LinkedHashMap<>();
    statuses.forEach((m, st) -> versions.put(m.id(), st.version()));
    out.put("versions", versions);
    Map<String, Object> rollbacks = new LinkedHashMap<>();
    statuses.forEach((m, st) -> rollbacks.put(m.id(), st.rollbacks()));
    out.put("guard_rollbacks", rollbacks);
    return out;
  }

  private EncoderTrainer.Status train(
      AdaptationMethod method, EncoderFile.Contents sourceContents, KeyPair keys, long views)
      throws InterruptedException {
    EncoderTrainerSettings settings =
        local.trainer(
            method,
            options.adapt().batchSize(),
            options.publishEverySteps(),
            options.fullEvery(),
            Map.of(EncoderTrainerSettings.PUBLISH_EVERY.name(), "0s"));
    OnlineLearner learner =
        OnlineLearners.create(
            method,
            source.config(),
            source.parameters(),
            options.adapt(),
            Device.cpu(),
            settings.seed());
    EncoderTrainer trainer =
        EncoderTrainer.start(settings, sourceContents, learner, keys, registry);
    try {
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (trainer.status().runSamples() + trainer.status().refused() < views) {
        if (!trainer.isRunning()) {
          throw new IllegalStateException(
              method.id() + " trainer stopped: " + trainer.failure().map(Throwable::toString));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              method.id() + " trainer timed out: " + trainer.statusLine());
        }
        Thread.sleep(200);
      }
      EncoderTrainer.Status trained = trainer.status();
      trainer.close(); // publishes the final version
      EncoderTrainer.Status closed = trainer.status();
      return new EncoderTrainer.Status(
          closed.model(),
          closed.version(),
          closed.steps(),
          closed.runSteps(),
          closed.samples(),
          closed.runSamples(),
          closed.samplesPerSecond(),
          trained.runSamplesPerSecond(),
          closed.learnerSeconds(),
          closed.loss(),
          closed.terms(),
          closed.pseudoLabelRate(),
          closed.rollbacks(),
          closed.refused(),
          closed.published(),
          closed.state());
    } finally {
      trainer.close();
    }
  }

  /** The selfstream learner stepping over the views of the run held in memory. */
  private double memoryRate(long views) {
    List<TrainingView> all = readViews(views);
    int batch = options.adapt().batchSize();
    List<ViewBatch> batches = new ArrayList<>();
    for (int i = 0; i + batch <= all.size(); i += batch) {
      batches.add(OfflineAdaptation.fromTrainingViews(all.subList(i, i + batch)));
    }
    try (OnlineLearner learner =
        OnlineLearners.create(
            AdaptationMethod.SELFSTREAM,
            source.config(),
            source.parameters(),
            options.adapt(),
            Device.cpu(),
            1L)) {
      return OfflineAdaptation.timeSteps(learner, batches, batches.size());
    }
  }

  private List<TrainingView> readViews(long expected) {
    SerdeFactory serdes = new SerdeFactory(client);
    Map<String, Object> props = new HashMap<>(serdes.consumerConfig(Topics.VIEWS));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<TrainingView> out = new ArrayList<>();
    try (KafkaConsumer<String, TrainingView> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(Topics.VIEWS.name(), Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, TrainingView> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }
}
