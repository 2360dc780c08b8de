package io.selfstream.trainer.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.TernaryDelta;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.model.UpdatePlanner;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OnlineLearner;
import io.selfstream.trainer.adapt.PseudoLabelObserver;
import io.selfstream.trainer.adapt.StepReport;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import io.selfstream.trainer.views.EncoderUpdates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continual encoder trainer: consumes {@code views} ({@code read_committed}, manual commits),
 * feeds batches to an {@link OnlineLearner} and publishes the learner's serving parameters on
 * {@code model-updates} under the method's model name, a FULL every K versions and ternary DELTAs
 * with error feedback between.
 *
 * <p><b>Crash safety.</b> At every publish, in this order: (a) the signed chunks of version {@code
 * v} are computed; (b) a checkpoint is written atomically ({@link TrainerCheckpoint}: learner
 * state, the consumers' copy, {@code v}, its chunks, the input offsets trained through); (c) one
 * Kafka transaction publishes the chunks and commits those offsets. On start the trainer fences its
 * predecessor (same {@code transactional.id}), restores the checkpoint, reads the newest committed
 * version and republishes the stored chunks when the topic is one version behind ({@link
 * ResumePlan}); it then seeks to the checkpoint's offsets. Killed at any moment, it resumes without
 * skipping or repeating a version, and what it re-trains is exactly the input after the last
 * committed offsets, from the state that had trained up to them.
 *
 * <p><b>Threads.</b> {@link #start} does the resume work on the caller's thread (so a bad
 * configuration fails there) and then trains on a thread of its own until {@link #close()} (clean:
 * publishes and checkpoints what was trained since the last version), {@link #kill()} (abrupt, no
 * publish or checkpoint: for tests) or {@code maxSteps}. Every wait is bounded. The trainer owns
 * and closes the learner. Several trainers run side by side in one JVM when their methods differ
 * (their group ids, transactional ids, checkpoint directories and meter tags then differ too).
 *
 * <p>One trainer per method consumes every partition of {@code views} (assigned, not subscribed):
 * one model must see the whole stream, and a fixed assignment keeps the checkpoint's offsets
 * meaningful.
 */
public final class EncoderTrainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EncoderTrainer.class);

  /** Publish attempts of one version before the trainer gives up (and a restart republishes). */
  static final int PUBLISH_ATTEMPTS = 5;

  /** Samples/s is measured over windows of about this length. */
  static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Points of the publish sequence where a test can make the trainer die. */
  public enum Phase {
    /** After a learner step (argument: steps of this run). */
    STEPPED,
    /** After the update payload of version v was computed, before its checkpoint. */
    PAYLOAD_READY,
    /** After the checkpoint of v was written, before its transaction. */
    CHECKPOINTED,
    /** After the transaction of v committed. */
    COMMITTED
  }

  /**
   * Called at each {@link Phase}; a hook that throws kills the trainer on the spot: the loop ends
   * without a final publish or checkpoint and the resources are closed, as if the process died.
   */
  @FunctionalInterface
  public interface Hooks {
    void at(Phase phase, long value);

    Hooks NONE = (phase, value) -> {};
  }

  /**
   * Options of one run.
   *
   * @param maxSteps stop cleanly after this many steps of this run (0 = until closed)
   * @param hooks fault-injection hooks (tests)
   * @param pseudoLabels receives each step's per-sample pseudo-labels with their sourceId and seq
   *     (for scoring them against ground truth elsewhere); {@link PseudoLabelObserver#NONE}, the
   *     default, is never called
   */
  public record Options(long maxSteps, Hooks hooks, PseudoLabelObserver pseudoLabels) {
    public static final Options DEFAULTS = new Options(0, Hooks.NONE, PseudoLabelObserver.NONE);

    public Options {
      if (maxSteps < 0) {
        throw new IllegalArgumentException("maxSteps must be >= 0");
      }
      hooks = hooks == null ? Hooks.NONE : hooks;
      pseudoLabels = pseudoLabels == null ? PseudoLabelObserver.NONE : pseudoLabels;
    }

    public Options(long maxSteps, Hooks hooks) {
      this(maxSteps, hooks, PseudoLabelObserver.NONE);
    }

    public Options withMaxSteps(long n) {
      return new Options(n, hooks, pseudoLabels);
    }

    public Options withHooks(Hooks h) {
      return new Options(maxSteps, h, pseudoLabels);
    }

    public Options withPseudoLabels(PseudoLabelObserver o) {
      return new Options(maxSteps, hooks, o);
    }
  }

  /**
   * A snapshot for status lines and tests.
   *
   * @param model model name published
   * @param version last published version
   * @param steps learner steps since the first start (all incarnations)
   * @param runSteps steps of this run
   * @param samples views trained since the first start
   * @param runSamples views trained in this run
   * @param samplesPerSecond recent rate
   * @param runSamplesPerSecond views of this run over the time since its first step
   * @param learnerSeconds time spent inside learner steps in this run
   * @param loss loss of the last step
   * @param terms loss terms of the last step
   * @param pseudoLabelRate confident share of the last step
   * @param rollbacks guard rollbacks in this run
   * @param refused views refused in this run
   * @param published versions published in this run
   * @param state running, stopped or failed
   */
  public record Status(
      String model,
      long version,
      long steps,
      long runSteps,
      long samples,
      long runSamples,
      double samplesPerSecond,
      double runSamplesPerSecond,
      double learnerSeconds,
      double loss,
      Map<String, Double> terms,
      double pseudoLabelRate,
      long rollbacks,
      long refused,
      long published,
      String state) {

    /** One compact line for the CLI. */
    public String line() {
      StringBuilder t = new StringBuilder();
      terms.forEach(
          (k, v) -> t.append(t.length() == 0 ? "" : " ").append(k).append(' ').append(fmt(v)));
      return String.format(
          Locale.ROOT,
          "%s v%d | step %d | %d samples | %.0f/s | loss %s%s | pl %.0f%% | rollbacks %d%s | %s",
          model,
          version,
          steps,
          samples,
          samplesPerSecond,
          fmt(loss),
          t.length() == 0 ? "" : " (" + t + ")",
          100 * pseudoLabelRate,
          rollbacks,
          refused == 0 ? "" : " | refused " + refused,
          state);
    }

    private static String fmt(double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
  }

  private record Entry(TopicPartition tp, long offset, TrainingView view, String refusal) {}

  private final EncoderTrainerSettings settings;
  private final String model;
  private final EncoderFile.Contents source;
  private final OnlineLearner learner;
  private final Options options;
  private final UpdatePlanner planner;
  private final PublishCadence cadence;
  private final TrainerCheckpoint checkpoint;
  private final TrainerMetrics metrics;
  private final Map<String, Double> architecture;

  private final ModelUpdatePublisher publisher;
  private final UpdateEncoder encoder;
  private final KeyPair keys;
  private final Consumer<String, TrainingView> consumer;
  private final List<TopicPartition> partitions = new ArrayList<>();

  // trainer-thread state
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private long oldestBufferedAt;
  private final Map<TopicPartition, Long> trainedOffsets = new HashMap<>();
  private final Map<String, Long> trainedThrough = new TreeMap<>();
  private ModelParameters consumerCopy;
  private long stepsSincePublish;
  private long lastPublishAt;
  private final Map<String, Double> windowTerms = new TreeMap<>();
  private double windowLoss;
  private long windowSteps;
  private long windowSamples;
  private long windowPseudo;
  private long rateWindowStart;
  private long rateWindowSamples;
  private long firstStepAt;

  // shared with status readers
  private volatile long lastPublished;
  private volatile long totalSteps;
  private volatile long totalSamples;
  private volatile long runSteps;
  private volatile long runSamples;
  private volatile long learnerNanos;
  private volatile double lastLoss = Double.NaN;
  private volatile Map<String, Double> lastTerms = Map.of();
  private volatile double lastPseudoRate = Double.NaN;
  private volatile double rate;
  private volatile long rollbacks;
  private volatile long refused;
  private volatile long publishedThisRun;
  private volatile long runStoppedAt;

  private volatile boolean stopRequested;
  private volatile boolean ended;
  private volatile boolean killed;
  private volatile Throwable failure;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private Thread thread;

  private EncoderTrainer(
      EncoderTrainerSettings settings,
      EncoderFile.Contents source,
      OnlineLearner learner,
      KeyPair keys,
      MeterRegistry registry,
      Options options) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.source = Objects.requireNonNull(source, "source");
    this.learner = Objects.requireNonNull(learner, "learner");
    this.options = Objects.requireNonNull(options, "options");
    if (learner.method() != settings.method()) {
      throw new IllegalArgumentException(
          "learner is " + learner.method().id() + ", settings say " + settings.method().id());
    }
    this.model = settings.model();
    this.planner = new UpdatePlanner(settings.fullEvery());
    this.cadence = new PublishCadence(settings.publishEverySteps(), settings.publishEvery());
    this.checkpoint = new TrainerCheckpoint(settings.requireCheckpointDir());
    this.architecture = EncoderUpdates.architectureMetrics(source.config());
    this.keys = Objects.requireNonNull(keys, "keys");
    this.encoder = new UpdateEncoder(keys);
    this.metrics = new TrainerMetrics(registry, settings.method().id(), model);
    ModelUpdatePublisher pub = null;
    KafkaConsumer<String, TrainingView> cons = null;
    try {
      // first: fences a predecessor with this transactional id and aborts its open transaction
      pub = ModelUpdatePublisher.create(settings.client(), encoder, settings.transactionalId());
      cons = new KafkaConsumer<>(consumerConfig(settings));
    } catch (RuntimeException e) {
      if (pub != null) {
        pub.close();
      }
      metrics.close();
      throw e;
    }
    this.publisher = pub;
    this.consumer = cons;
  }

  /** The views consumer's configuration. */
  public static Map<String, Object> consumerConfig(EncoderTrainerSettings s) {
    Map<String, Object> props =
        new LinkedHashMap<>(new SerdeFactory(s.client()).consumerConfig(Topics.VIEWS));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(s.maxPollRecords()));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, s.groupId() + "-views");
    return props;
  }

  /**
   * Resumes (see the class comment) and starts training on a thread of its own.
   *
   * @param settings resolved settings (checkpoint dir set)
   * @param source the source model: version 1, and the architecture of the views
   * @param learner a learner of {@code settings.method()} built from {@code source}; the trainer
   *     owns and closes it
   * @param keys the model-signing key pair
   * @param registry where the meters go (tagged by method and model)
   * @param options run options
   * @throws IllegalStateException when the checkpoint and the topic disagree, or version 1 of
   *     {@code encoder} was never published
   */
  public static EncoderTrainer start(
      EncoderTrainerSettings settings,
      EncoderFile.Contents source,
      OnlineLearner learner,
      KeyPair keys,
      MeterRegistry registry,
      Options options) {
    EncoderTrainer t;
    try {
      t = new EncoderTrainer(settings, source, learner, keys, registry, options);
    } catch (RuntimeException e) {
      learner.close();
      throw e;
    }
    try {
      t.resume();
    } catch (IOException e) {
      t.closeResources();
      throw new UncheckedIOException(
          "cannot resume " + settings.model() + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      t.closeResources();
      throw e;
    }
    t.thread = new Thread(t::run, "trainer-" + settings.method().id());
    t.thread.setDaemon(true);
    t.thread.start();
    return t;
  }

  /**
   * As {@link #start(EncoderTrainerSettings, EncoderFile.Contents, OnlineLearner, KeyPair,
   * MeterRegistry, Options)} with default options.
   */
  public static EncoderTrainer start(
      EncoderTrainerSettings settings,
      EncoderFile.Contents source,
      OnlineLearner learner,
      KeyPair keys,
      MeterRegistry registry) {
    return start(settings, source, learner, keys, registry, Options.DEFAULTS);
  }

  // ---------------------------------------------------------------- resume

  private void resume() throws IOException {
    Optional<TrainerCheckpoint.Loaded> loaded = checkpoint.read();
    if (loaded.isPresent() && !loaded.get().state().model().equals(model)) {
      throw new IllegalStateException(
          checkpoint.dir()
              + " is a checkpoint of "
              + loaded.get().state().model()
              + ", not "
              + model);
    }
    PublishedVersions.Scan scan =
        PublishedVersions.scan(
            settings.client(), model, List.of(keys.getPublic()), settings.startupTimeout());
    boolean ownsSource = !model.equals(EncoderUpdates.MODEL);
    ResumePlan plan =
        ResumePlan.decide(
            loaded.map(l -> OptionalLong.of(l.state().version())).orElse(OptionalLong.empty()),
            scan.newestVersion(),
            ownsSource);
    LOG.info("{}: {}", model, plan.reason());

    for (PartitionInfo info :
        consumer.partitionsFor(Topics.VIEWS.name(), settings.startupTimeout())) {
      partitions.add(new TopicPartition(info.topic(), info.partition()));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + Topics.VIEWS.name() + " has no partitions");
    }
    consumer.assign(partitions);

    switch (plan.action()) {
      case CONFLICT, NEED_SOURCE_VERSION ->
          throw new IllegalStateException(model + ": " + plan.reason());
      case REPUBLISH_PENDING, UP_TO_DATE -> {
        TrainerCheckpoint.State s = loaded.orElseThrow().state();
        learner.restore(loaded.get().learnerDir());
        consumerCopy = s.consumerCopy();
        totalSamples = s.samples();
        totalSteps = s.steps();
        trainedThrough.putAll(s.trainedThrough());
        for (TopicPartition tp : partitions) {
          trainedOffsets.put(tp, s.offsets().getOrDefault(tp, startOffset(tp)));
        }
        if (plan.action() == ResumePlan.Action.REPUBLISH_PENDING) {
          publishWithRetry(s.pending(), Map.copyOf(trainedOffsets));
          publishedThisRun++;
          metrics.published(
              s.version(), s.pending().get(0).getKind(), s.pending().get(0).getPayloadSize());
        }
        lastPublished = s.version();
        learner.markGood();
      }
      case PUBLISH_SOURCE -> {
        for (TopicPartition tp : partitions) {
          trainedOffsets.put(tp, startOffset(tp));
        }
        lastPublished = 0;
        publishNext(source.parameters());
      }
      case CONTINUE_FROM_TOPIC -> {
        for (TopicPartition tp : partitions) {
          trainedOffsets.put(tp, startOffset(tp));
        }
        lastPublished = plan.lastPublished();
        // a DELTA needs the exact copy consumers hold; only the source's v1 is close enough to
        // the fresh learner for a ternary step to express the difference well: otherwise a FULL
        Optional<ModelParameters> held = scan.newestVerified().map(ModelVersion::parameters);
        ModelParameters src = EncoderUpdates.toModelParameters(source.parameters());
        consumerCopy =
            scan.newestVersion() == 1 && held.isPresent() && held.get().sameLayout(src)
                ? held.get()
                : null;
      }
    }
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, trainedOffsets.get(tp));
    }
    metrics.version.value = lastPublished;
    lastPublishAt = System.nanoTime();
  }

  private long startOffset(TopicPartition tp) {
    OffsetAndMetadata committed =
        consumer.committed(java.util.Set.of(tp), settings.startupTimeout()).get(tp);
    if (committed != null) {
      return committed.offset();
    }
    return consumer.beginningOffsets(List.of(tp), settings.startupTimeout()).get(tp);
  }

  // ---------------------------------------------------------------- loop

  private void run() {
    boolean clean = false;
    try {
      matchEngineGradMode();
      while (!stopRequested && !killed) {
        if (options.maxSteps() > 0 && runSteps >= options.maxSteps()) {
          break;
        }
        if (buffer.size() < settings.batchSize()) {
          poll();
        }
        if (killed) {
          break;
        }
        long now = System.nanoTime();
        if (buffer.size() >= settings.batchSize()
            || (!buffer.isEmpty() && now - oldestBufferedAt >= settings.batchTimeout().toNanos())) {
          trainOne();
        }
        if (!killed && cadence.due(stepsSincePublish, System.nanoTime() - lastPublishAt)) {
          publishNext(null);
        }
      }
      if (!killed && stepsSincePublish > 0) {
        publishNext(null); // clean stop: what was trained becomes a version, with its checkpoint
      }
      clean = !killed;
    } catch (Throwable t) {
      failure = t;
      if (!(t instanceof SimulatedCrash)) {
        LOG.error("{} trainer failed", model, t);
      }
    } finally {
      runStoppedAt = System.nanoTime();
      ended = true;
      closeResources();
      LOG.info("{} trainer stopped ({}): {}", model, clean ? "clean" : "abrupt", status().line());
      terminated.countDown();
    }
  }

  /**
   * PyTorch's grad mode is thread-local: DJL switches it off on the thread that loads the engine
   * and the learners rely on that state (their gradient collectors switch it on for the backward
   * pass only; the EMA update writes parameters in place outside one). A fresh thread starts with
   * grad mode on, where those in-place writes fail, so this thread starts as the engine's does.
   */
  private static void matchEngineGradMode() {
    if ("PyTorch".equals(ai.djl.engine.Engine.getInstance().getEngineName())) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
  }

  private void poll() {
    try {
      for (ConsumerRecord<String, TrainingView> r : consumer.poll(settings.pollTimeout())) {
        add(new Entry(new TopicPartition(r.topic(), r.partition()), r.offset(), r.value(), null));
      }
    } catch (WakeupException e) {
      // close() or kill(): the loop condition decides what happens next
    } catch (RecordDeserializationException e) {
      // a record the registry cannot decode is refused in its place in the stream
      add(new Entry(e.topicPartition(), e.offset(), null, "undecodable: " + e.getMessage()));
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  private void add(Entry e) {
    if (buffer.isEmpty()) {
      oldestBufferedAt = System.nanoTime();
    }
    buffer.add(e);
  }

  private void trainOne() {
    int n = Math.min(settings.batchSize(), buffer.size());
    List<Entry> taken = new ArrayList<>(n);
    List<TrainingView> views = new ArrayList<>(n);
    int refusedHere = 0;
    for (int i = 0; i < n; i++) {
      Entry e = buffer.poll();
      taken.add(e);
      if (e.view() == null) {
        refusedHere++;
        LOG.warn("{}: refused {}@{}: {}", model, e.tp(), e.offset(), e.refusal());
      } else {
        views.add(e.view());
      }
    }
    oldestBufferedAt = System.nanoTime();
    ViewBatches.Decoded decoded = ViewBatches.decode(views, source.config());
    for (String r : decoded.refused()) {
      LOG.warn("{}: refused view {}", model, r);
    }
    refusedHere += decoded.refused().size();
    ViewBatch batch = decoded.batch();
    if (batch.size() > 0) {
      long t0 = System.nanoTime();
      if (firstStepAt == 0) {
        firstStepAt = t0;
        rateWindowStart = t0;
      }
      StepReport report = learner.step(batch);
      long t1 = System.nanoTime();
      learnerNanos += t1 - t0;
      accountStep(report, batch, refusedHere, t1 - t0);
      observePseudoLabels(report, batch);
    } else {
      metrics.refused(refusedHere);
    }
    refused += refusedHere;
    for (Entry e : taken) {
      trainedOffsets.merge(e.tp(), e.offset() + 1, Math::max);
    }
    if (batch.size() > 0) {
      options.hooks().at(Phase.STEPPED, runSteps);
    }
  }

  private void observePseudoLabels(StepReport r, ViewBatch batch) {
    PseudoLabelObserver o = options.pseudoLabels();
    if (o == PseudoLabelObserver.NONE) {
      return;
    }
    try {
      o.onPseudoLabels(settings.method(), batch.sourceIds(), batch.seqs(), r.pseudoLabels());
    } catch (RuntimeException e) {
      // an observer is a bystander: its failure must not stop training
      LOG.warn("{}: pseudo-label observer failed", model, e);
    }
  }

  private void accountStep(StepReport r, ViewBatch batch, int refusedHere, long nanos) {
    for (int i = 0; i < batch.size(); i++) {
      trainedThrough.merge(batch.sourceIds()[i], batch.seqs()[i], Math::max);
    }
    totalSteps++;
    runSteps++;
    totalSamples += batch.size();
    runSamples += batch.size();
    stepsSincePublish++;
    lastLoss = r.loss();
    lastTerms = Map.copyOf(r.terms());
    lastPseudoRate = batch.size() == 0 ? 0 : (double) r.pseudoLabeled() / batch.size();
    if (r.rolledBack()) {
      rollbacks++;
      LOG.warn("{}: guard rolled back step {}: {}", model, r.step(), r.guardReason());
    }
    windowSteps++;
    windowSamples += batch.size();
    windowPseudo += r.pseudoLabeled();
    windowLoss += r.loss();
    r.terms().forEach((k, v) -> windowTerms.merge(k, v, Double::sum));
    metrics.stepped(r, refusedHere, nanos);
    rateWindowSamples += batch.size();
    long now = System.nanoTime();
    if (now - rateWindowStart >= RATE_WINDOW_NANOS || rate == 0) {
      double secs = (now - rateWindowStart) / 1e9;
      if (secs > 0) {
        rate = rateWindowSamples / secs;
        metrics.samplesRate(rate);
      }
      if (now - rateWindowStart >= RATE_WINDOW_NANOS) {
        rateWindowStart = now;
        rateWindowSamples = 0;
      }
    }
  }

  // ---------------------------------------------------------------- publish

  /**
   * Publishes version {@code lastPublished + 1}: payload, checkpoint, transaction (the order the
   * class comment explains). {@code override} publishes given parameters instead of the learner's
   * (the source as version 1).
   */
  private void publishNext(ParameterSnapshot override) throws IOException {
    long v = lastPublished + 1;
    ModelParameters target =
        EncoderUpdates.toModelParameters(override != null ? override : learner.servingParameters());
    UpdateKind kind = planner.kindFor(v, consumerCopy != null);
    Map<String, Double> updateMetrics = updateMetrics(kind);
    List<ModelUpdate> chunks;
    ModelParameters nextCopy;
    if (kind == UpdateKind.FULL) {
      chunks = encoder.encodeFull(model, v, v - 1, target, updateMetrics);
      nextCopy = target;
    } else {
      TernaryDelta.Encoded delta = TernaryDelta.encode(consumerCopy, target);
      chunks = encoder.encodeDelta(model, v, v - 1, delta.payload(), updateMetrics);
      nextCopy = delta.consumerCopy();
    }
    options.hooks().at(Phase.PAYLOAD_READY, v);

    Map<TopicPartition, Long> offsets = Map.copyOf(trainedOffsets);
    long c0 = System.nanoTime();
    checkpoint.write(
        new TrainerCheckpoint.State(
            model, v, chunks, nextCopy, offsets, trainedThrough, totalSamples, totalSteps),
        learner::save);
    metrics.checkpointed(System.nanoTime() - c0);
    options.hooks().at(Phase.CHECKPOINTED, v);

    publishWithRetry(chunks, offsets);
    consumerCopy = nextCopy;
    lastPublished = v;
    publishedThisRun++;
    learner.markGood();
    metrics.published(v, kind, chunks.get(0).getPayloadSize());
    stepsSincePublish = 0;
    lastPublishAt = System.nanoTime();
    resetWindow();
    options.hooks().at(Phase.COMMITTED, v);
  }

  private void publishWithRetry(List<ModelUpdate> chunks, Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets.forEach((tp, off) -> commit.put(tp, new OffsetAndMetadata(off)));
    long backoffMs = 200;
    for (int attempt = 1; ; attempt++) {
      try {
        publisher.publish(chunks, commit, consumer.groupMetadata());
        return;
      } catch (KafkaException e) {
        // aborted: neither the version nor the offsets are visible; the same chunks go again
        if (attempt >= PUBLISH_ATTEMPTS || killed) {
          throw e;
        }
        LOG.warn(
            "{} v{}: publish attempt {} failed, retrying: {}",
            model,
            chunks.get(0).getVersion(),
            attempt,
            e.toString());
        sleep(backoffMs);
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }
  }

  /**
   * The metrics a version carries: step, samples, mean loss and terms and the pseudo-label rate
   * since the previous version, the next input offset per partition, and {@code
   * trained_through.<sourceId>}: the highest seq of each source the version has trained on (the
   * evaluator scores a frame only with versions that have not seen it).
   */
  private Map<String, Double> updateMetrics(UpdateKind kind) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("step", (double) learner.step());
    m.put("samples", (double) totalSamples);
    if (windowSteps > 0) {
      m.put("loss", windowLoss / windowSteps);
      windowTerms.forEach((k, v) -> m.put("loss." + k, v / windowSteps));
      m.put("pseudo_label_rate", windowSamples == 0 ? 0 : (double) windowPseudo / windowSamples);
    }
    m.put("rollbacks", (double) rollbacks);
    trainedOffsets.entrySet().stream()
        .sorted(
            Map.Entry.comparingByKey(java.util.Comparator.comparingInt(TopicPartition::partition)))
        .forEach(e -> m.put("offset." + e.getKey().partition(), (double) e.getValue()));
    trainedThrough.forEach((src, seq) -> m.put("trained_through." + src, (double) seq));
    if (kind == UpdateKind.FULL) {
      m.putAll(architecture);
    }
    return m;
  }

  private void resetWindow() {
    windowSteps = 0;
    windowSamples = 0;
    windowPseudo = 0;
    windowLoss = 0;
    windowTerms.clear();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops cleanly: the loop ends after the current step, what was trained since the last version is
   * published (with its checkpoint), and everything is closed. Waits at most the configured close
   * timeout.
   */
  @Override
  public void close() {
    stopRequested = true;
    consumer.wakeup();
    await(settings.closeTimeout());
  }

  /**
   * Stops abruptly, as a crash would: no publish, no checkpoint; the next start resumes from the
   * last checkpoint and the committed offsets. For tests and chaos runs.
   */
  public void kill() {
    killed = true;
    consumer.wakeup();
    await(settings.closeTimeout());
  }

  /** Waits until the training thread ended (closed, killed, failed or maxSteps reached). */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void await(Duration timeout) {
    try {
      if (!terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} trainer did not stop within {}", model, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isRunning() {
    return terminated.getCount() > 0;
  }

  /** Why the trainer stopped on its own, if it failed (or a hook killed it). */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  public AdaptationMethod method() {
    return settings.method();
  }

  public String model() {
    return model;
  }

  public long lastPublishedVersion() {
    return lastPublished;
  }

  public Status status() {
    long end = runStoppedAt != 0 ? runStoppedAt : System.nanoTime();
    double runSecs = firstStepAt == 0 ? 0 : (end - firstStepAt) / 1e9;
    String state = !ended ? "running" : failure != null ? "failed" : "stopped";
    return new Status(
        model,
        lastPublished,
        totalSteps,
        runSteps,
        totalSamples,
        runSamples,
        rate,
        runSecs > 0 ? runSamples / runSecs : 0,
        learnerNanos / 1e9,
        lastLoss,
        lastTerms,
        lastPseudoRate,
        rollbacks,
        refused,
        publishedThisRun,
        state);
  }

  public String statusLine() {
    return status().line();
  }

  private void closeResources() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("closing the views consumer", e);
    }
    try {
      publisher.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the publisher", e);
    }
    try {
      learner.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the learner", e);
    }
    metrics.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while retrying a publish", e);
    }
  }

  /** What a {@link Hooks} implementation throws to simulate a crash (not logged as an error). */
  public static final class SimulatedCrash extends RuntimeException {
    public SimulatedCrash(String message) {
      super(message, null, false, false);
    }
  }
}
