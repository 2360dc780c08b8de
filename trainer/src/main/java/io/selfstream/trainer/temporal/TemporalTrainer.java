package io.selfstream.trainer.temporal;

import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.train.SegmentationCheckpoint;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.TernaryDelta;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.model.UpdatePlanner;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.StepReport;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainer.Options;
import io.selfstream.trainer.consumer.EncoderTrainer.Phase;
import io.selfstream.trainer.consumer.PublishCadence;
import io.selfstream.trainer.consumer.PublishedVersions;
import io.selfstream.trainer.consumer.ResumePlan;
import io.selfstream.trainer.consumer.TrainerCheckpoint;
import io.selfstream.trainer.consumer.TrainerMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
 * The continual temporal trainer: consumes {@code features} ({@code read_committed}, manual
 * commits), assembles per-source clips of consecutive frames ({@link ClipAssembler}), adapts a
 * DTGRM on them ({@link TemporalSelfTraining}) and publishes the EMA teacher as {@value
 * TemporalModels#MODEL} versions on {@code model-updates}: a FULL every K versions, signed ternary
 * DELTAs with error feedback between, the architecture in the signed descriptor and in the metrics
 * ({@link TemporalModels}).
 *
 * <p><b>Crash safety</b>, exactly as the encoder trainer and with its pieces ({@link
 * TrainerCheckpoint}, {@link ResumePlan}, {@link PublishedVersions}, {@link PublishCadence}, {@link
 * ModelUpdatePublisher}): at every publish (a) the signed chunks of {@code v} are computed, (b) a
 * checkpoint is written atomically (learner state, consumers' copy, the chunks, the offsets and the
 * per-source {@code trainedThrough} seqs), (c) one Kafka transaction publishes the chunks and
 * commits the offsets. The committed offset of a partition is that of its oldest frame not yet
 * trained ({@link ClipAssembler#safeOffset}), so the frames of half-assembled clips are read again
 * after a crash; frames of clips already trained are read again too when they interleave with
 * those, and the checkpoint's {@code trainedThrough} makes the assembler skip them. The source
 * model is version 1 (this trainer publishes it on first start).
 *
 * <p><b>Threads.</b> {@link #start} resumes on the caller's thread and trains on a thread of its
 * own until {@link #close()} (clean: publishes and checkpoints what was trained since the last
 * version), {@link #kill()} (abrupt, for tests) or {@code maxSteps}. Every wait is bounded. The
 * trainer owns and closes the learner. One trainer consumes every partition of {@code features}
 * (assigned, not subscribed): one model sees every feed, and the checkpoint's offsets stay
 * meaningful.
 */
public final class TemporalTrainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TemporalTrainer.class);

  static final int PUBLISH_ATTEMPTS = 5;

  /** What the trainer starts from: the seed-trained model and its description. */
  public record Source(TemporalModels.Descriptor descriptor, ModelParameters parameters) {

    public Source {
      Objects.requireNonNull(descriptor, "descriptor");
      Objects.requireNonNull(parameters, "parameters");
    }

    /**
     * Reads a {@code selfstream train segmentation} checkpoint (a folder with {@code
     * model.properties}, or a training folder with {@code latest/}).
     *
     * @param encoderVersion encoder version of the features the model was trained on
     */
    public static Source fromCheckpoint(Path dir, long encoderVersion) throws IOException {
      try (NDManager m = NDManager.newBaseManager()) {
        SegmentationCheckpoint.Loaded l = SegmentationCheckpoint.load(dir, m);
        TemporalModels.Descriptor d =
            new TemporalModels.Descriptor(l.spec(), encoderVersion, l.labels());
        return new Source(d, TemporalModels.export(l.block(), d));
      }
    }
  }

  /**
   * A snapshot for status lines and tests.
   *
   * @param version last published version
   * @param steps learner steps since the first start (all incarnations)
   * @param frames frames trained on since the first start
   * @param clips clips trained in this run
   * @param loss loss of the last step
   * @param pseudoLabelRate confident share of the last step's frames
   * @param rollbacks guard rollbacks in this run
   * @param refused frames refused in this run (undecodable, wrong dimension or encoder version)
   * @param duplicates frames skipped as already trained (replays after a restart)
   * @param published versions published in this run
   * @param state running, stopped or failed
   */
  public record Status(
      long version,
      long steps,
      long frames,
      long clips,
      double loss,
      double pseudoLabelRate,
      long rollbacks,
      long refused,
      long duplicates,
      long published,
      String state) {

    public String line() {
      return String.format(
          Locale.ROOT,
          "%s v%d | step %d | %d frames | %d clips | loss %s | pl %.0f%% | rollbacks %d"
              + " | refused %d | replayed %d | %s",
          TemporalModels.MODEL,
          version,
          steps,
          frames,
          clips,
          Double.isNaN(loss) ? "-" : String.format(Locale.ROOT, "%.3f", loss),
          100 * (Double.isNaN(pseudoLabelRate) ? 0 : pseudoLabelRate),
          rollbacks,
          refused,
          duplicates,
          state);
    }
  }

  private final TemporalTrainerSettings settings;
  private final Source source;
  private final TemporalSelfTraining learner;
  private final Options options;
  private final UpdatePlanner planner;
  private final PublishCadence cadence;
  private final TrainerCheckpoint checkpoint;
  private final TrainerMetrics metrics;
  private final KeyPair keys;
  private final UpdateEncoder encoder;
  private final ModelUpdatePublisher publisher;
  private final Consumer<String, FrameFeatures> consumer;
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final Map<TopicPartition, Long> startOffsets = new HashMap<>();

  // trainer-thread state
  private ClipAssembler assembler;
  private ModelParameters consumerCopy;
  private long stepsSincePublish;
  private long lastPublishAt;
  private long readySince;
  private double windowLoss;
  private long windowSteps;
  private long windowFrames;
  private long windowPseudo;
  private final Map<String, Double> windowTerms = new TreeMap<>();

  // shared with status readers
  private volatile long lastPublished;
  private volatile long totalSteps;
  private volatile long totalFrames;
  private volatile long runSteps;
  private volatile long runClips;
  private volatile double lastLoss = Double.NaN;
  private volatile double lastPseudoRate = Double.NaN;
  private volatile long rollbacks;
  private volatile long refused;
  private volatile long duplicates;
  private volatile long publishedThisRun;

  private volatile boolean stopRequested;
  private volatile boolean killed;
  private volatile Throwable failure;
  private final CountDownLatch terminated = new CountDownLatch(1);

  private TemporalTrainer(
      TemporalTrainerSettings settings,
      Source source,
      TemporalSelfTraining learner,
      KeyPair keys,
      MeterRegistry registry,
      Options options) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.source = Objects.requireNonNull(source, "source");
    this.learner = Objects.requireNonNull(learner, "learner");
    this.options = Objects.requireNonNull(options, "options");
    if (!learner.descriptor().spec().equals(source.descriptor().spec())) {
      throw new IllegalArgumentException("learner and source model differ in architecture");
    }
    this.planner = new UpdatePlanner(settings.fullEvery());
    this.cadence = new PublishCadence(settings.publishEverySteps(), settings.publishEvery());
    this.checkpoint = new TrainerCheckpoint(settings.requireCheckpointDir());
    this.keys = Objects.requireNonNull(keys, "keys");
    this.encoder = new UpdateEncoder(keys);
    this.metrics = new TrainerMetrics(registry, "temporal", TemporalModels.MODEL);
    ModelUpdatePublisher pub = null;
    KafkaConsumer<String, FrameFeatures> cons = null;
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

  /** The features consumer's configuration. */
  public static Map<String, Object> consumerConfig(TemporalTrainerSettings s) {
    Map<String, Object> props =
        new LinkedHashMap<>(new SerdeFactory(s.client()).consumerConfig(Topics.FEATURES));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(s.maxPollRecords()));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, s.groupId() + "-features");
    return props;
  }

  /**
   * Resumes (see the class comment) and starts training on a thread of its own. This is the
   * in-process entry point (the demo, tests); {@code selfstream train temporal} calls it too.
   *
   * @param settings resolved settings (checkpoint dir set)
   * @param source the seed-trained model: version 1
   * @param learner a learner built from {@code source} (owned: closed by the trainer)
   * @param keys the model-signing key pair
   * @param registry where the meters go (tags {@code method=temporal}, {@code model=dtgrm})
   * @param options max steps and fault-injection hooks (the encoder trainer's)
   * @throws IllegalStateException when the checkpoint and the topic disagree
   */
  public static TemporalTrainer start(
      TemporalTrainerSettings settings,
      Source source,
      TemporalSelfTraining learner,
      KeyPair keys,
      MeterRegistry registry,
      Options options) {
    TemporalTrainer t;
    try {
      t = new TemporalTrainer(settings, source, learner, keys, registry, options);
    } catch (RuntimeException e) {
      learner.close();
      throw e;
    }
    try {
      t.resume();
    } catch (IOException e) {
      t.closeResources();
      throw new UncheckedIOException("cannot resume dtgrm: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      t.closeResources();
      throw e;
    }
    Thread thread = new Thread(t::run, "trainer-temporal");
    thread.setDaemon(true);
    thread.start();
    return t;
  }

  // ---------------------------------------------------------------- resume

  private void resume() throws IOException {
    String model = TemporalModels.MODEL;
    Optional<TrainerCheckpoint.Loaded> loaded = checkpoint.read();
    if (loaded.isPresent() && !loaded.get().state().model().equals(model)) {
      throw new IllegalStateException(
          checkpoint.dir() + " is a checkpoint of " + loaded.get().state().model());
    }
    PublishedVersions.Scan scan =
        PublishedVersions.scan(
            settings.client(), model, List.of(keys.getPublic()), settings.startupTimeout());
    ResumePlan plan =
        ResumePlan.decide(
            loaded.map(l -> OptionalLong.of(l.state().version())).orElse(OptionalLong.empty()),
            scan.newestVersion(),
            true);
    LOG.info("{}: {}", model, plan.reason());

    for (PartitionInfo info :
        consumer.partitionsFor(Topics.FEATURES.name(), settings.startupTimeout())) {
      partitions.add(new TopicPartition(info.topic(), info.partition()));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + Topics.FEATURES.name() + " has no partitions");
    }
    consumer.assign(partitions);

    Map<String, Long> trainedThrough = Map.of();
    switch (plan.action()) {
      case CONFLICT, NEED_SOURCE_VERSION ->
          throw new IllegalStateException(model + ": " + plan.reason());
      case REPUBLISH_PENDING, UP_TO_DATE -> {
        TrainerCheckpoint.State s = loaded.orElseThrow().state();
        learner.restore(loaded.get().learnerDir());
        consumerCopy = s.consumerCopy();
        totalFrames = s.samples();
        totalSteps = s.steps();
        trainedThrough = s.trainedThrough();
        for (TopicPartition tp : partitions) {
          startOffsets.put(tp, s.offsets().getOrDefault(tp, committedOrBeginning(tp)));
        }
        if (plan.action() == ResumePlan.Action.REPUBLISH_PENDING) {
          publishWithRetry(s.pending(), startOffsets);
          publishedThisRun++;
          metrics.published(
              s.version(), s.pending().get(0).getKind(), s.pending().get(0).getPayloadSize());
        }
        lastPublished = s.version();
        learner.markGood();
      }
      case PUBLISH_SOURCE, CONTINUE_FROM_TOPIC -> {
        for (TopicPartition tp : partitions) {
          startOffsets.put(tp, committedOrBeginning(tp));
        }
        // PUBLISH_SOURCE: the source becomes v1 below, once the assembler exists
        lastPublished =
            plan.action() == ResumePlan.Action.PUBLISH_SOURCE ? 0 : plan.lastPublished();
        if (plan.action() == ResumePlan.Action.CONTINUE_FROM_TOPIC) {
          // a DELTA needs the exact copy consumers hold: only when it has the source's layout
          consumerCopy =
              scan.newestVerified()
                  .map(ModelVersion::parameters)
                  .filter(p -> p.sameLayout(source.parameters()))
                  .orElse(null);
        }
      }
    }
    assembler =
        new ClipAssembler(
            learner.config().clipFrames(),
            source.descriptor().featureDim(),
            settings.maxGapFrames(),
            settings.encoderVersion(),
            trainedThrough);
    if (plan.action() == ResumePlan.Action.PUBLISH_SOURCE) {
      publishNext(source.parameters());
    }
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, startOffsets.get(tp));
    }
    lastPublishAt = System.nanoTime();
  }

  private long committedOrBeginning(TopicPartition tp) {
    OffsetAndMetadata committed = consumer.committed(Set.of(tp), settings.startupTimeout()).get(tp);
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
        if (assembler.readyCount() < settings.clipsPerStep()) {
          poll();
        }
        if (killed) {
          break;
        }
        long now = System.nanoTime();
        assembler.flushIdle(now, settings.idleTimeout().toNanos());
        int ready = assembler.readyCount();
        if (ready == 0) {
          readySince = 0;
        } else if (readySince == 0) {
          readySince = now;
        }
        if (ready >= settings.clipsPerStep()
            || (ready > 0 && now - readySince >= settings.batchTimeout().toNanos())) {
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
      if (!(t instanceof EncoderTrainer.SimulatedCrash)) {
        LOG.error("dtgrm trainer failed", t);
      }
    } finally {
      closeResources();
      LOG.info("dtgrm trainer stopped ({}): {}", clean ? "clean" : "abrupt", status().line());
      terminated.countDown();
    }
  }

  /**
   * PyTorch's grad mode is thread-local: DJL switches it off on the thread that loads the engine,
   * and the EMA update writes parameters in place, which fails with grad mode on (the default of a
   * fresh thread). So this thread starts as the engine's does.
   */
  private static void matchEngineGradMode() {
    if ("PyTorch".equals(ai.djl.engine.Engine.getInstance().getEngineName())) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
  }

  private void poll() {
    try {
      for (ConsumerRecord<String, FrameFeatures> r : consumer.poll(settings.pollTimeout())) {
        offer(r.partition(), r.offset(), r.value());
      }
    } catch (WakeupException e) {
      // close() or kill(): the loop condition decides what happens next
    } catch (RecordDeserializationException e) {
      LOG.warn("dtgrm: refused {}@{}: undecodable", e.topicPartition(), e.offset());
      refused++;
      metrics.refused(1);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  private void offer(int partition, long offset, FrameFeatures f) {
    if (f == null) {
      refused++;
      metrics.refused(1);
      return;
    }
    List<Float> values = f.getFeatures();
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = values.get(i);
    }
    ClipAssembler.Outcome o =
        assembler.offer(
            new ClipAssembler.Frame(
                partition,
                offset,
                f.getSourceId().toString(),
                f.getSeq(),
                f.getEncoderVersion(),
                vector),
            System.nanoTime());
    switch (o) {
      case WRONG_DIMENSION, WRONG_ENCODER -> {
        refused++;
        metrics.refused(1);
        if (refused <= 5 || refused % 1000 == 0) {
          LOG.warn("dtgrm: refused {} seq {}: {}", f.getSourceId(), f.getSeq(), o);
        }
      }
      case DUPLICATE -> duplicates++;
      default -> {}
    }
  }

  private void trainOne() {
    List<ClipAssembler.Clip> clips = assembler.takeReady(settings.clipsPerStep());
    readySince = 0;
    List<Features> features = new ArrayList<>(clips.size());
    for (ClipAssembler.Clip c : clips) {
      features.add(c.features());
    }
    long t0 = System.nanoTime();
    StepReport r = learner.adapt(features);
    long nanos = System.nanoTime() - t0;
    for (ClipAssembler.Clip c : clips) {
      assembler.trained(c);
    }
    totalSteps++;
    runSteps++;
    runClips += clips.size();
    totalFrames += r.batchSize();
    stepsSincePublish++;
    lastLoss = r.loss();
    lastPseudoRate = r.batchSize() == 0 ? 0 : (double) r.pseudoLabeled() / r.batchSize();
    if (r.rolledBack()) {
      rollbacks++;
      LOG.warn("dtgrm: guard rolled back step {}: {}", r.step(), r.guardReason());
    }
    windowSteps++;
    windowFrames += r.batchSize();
    windowPseudo += r.pseudoLabeled();
    windowLoss += r.loss();
    r.terms().forEach((k, v) -> windowTerms.merge(k, v, Double::sum));
    metrics.stepped(r, 0, nanos);
    metrics.samplesRate(nanos > 0 ? r.batchSize() / (nanos / 1e9) : 0);
    options.hooks().at(Phase.STEPPED, runSteps);
  }

  // ---------------------------------------------------------------- publish

  /** The offsets version {@code v} commits: per partition, its oldest untrained frame. */
  private Map<TopicPartition, Long> safeOffsets() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, assembler.safeOffset(tp.partition(), startOffsets.get(tp)));
    }
    return out;
  }

  /**
   * Publishes version {@code lastPublished + 1}: payload, checkpoint, transaction (the class
   * comment's order). {@code override} publishes given parameters (the source as version 1).
   */
  private void publishNext(ModelParameters override) throws IOException {
    long v = lastPublished + 1;
    ModelParameters target = override != null ? override : learner.servingParameters();
    UpdateKind kind = planner.kindFor(v, consumerCopy != null);
    Map<String, Double> updateMetrics =
        TemporalModels.metrics(source.descriptor(), windowMetrics());
    List<ModelUpdate> chunks;
    ModelParameters nextCopy;
    if (kind == UpdateKind.FULL) {
      chunks = encoder.encodeFull(TemporalModels.MODEL, v, v - 1, target, updateMetrics);
      nextCopy = target;
    } else {
      TernaryDelta.Encoded delta = TernaryDelta.encode(consumerCopy, target);
      chunks = encoder.encodeDelta(TemporalModels.MODEL, v, v - 1, delta.payload(), updateMetrics);
      nextCopy = delta.consumerCopy();
    }
    options.hooks().at(Phase.PAYLOAD_READY, v);

    Map<TopicPartition, Long> offsets = safeOffsets();
    long c0 = System.nanoTime();
    checkpoint.write(
        new TrainerCheckpoint.State(
            TemporalModels.MODEL,
            v,
            chunks,
            nextCopy,
            offsets,
            assembler.trainedThrough(),
            totalFrames,
            totalSteps),
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
    windowSteps = 0;
    windowFrames = 0;
    windowPseudo = 0;
    windowLoss = 0;
    windowTerms.clear();
    options.hooks().at(Phase.COMMITTED, v);
  }

  /**
   * Step, frames, mean loss and terms and pseudo-label rate since the previous version, rollbacks,
   * and {@code trained_through.<sourceId>}: the highest seq of each feed the version has trained on
   * (an evaluator scores a frame only with versions that have not seen it).
   */
  private Map<String, Double> windowMetrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("step", (double) learner.step());
    m.put("samples", (double) totalFrames);
    if (windowSteps > 0) {
      m.put("loss", windowLoss / windowSteps);
      windowTerms.forEach((k, v) -> m.put("loss." + k, v / windowSteps));
      m.put("pseudo_label_rate", windowFrames == 0 ? 0 : (double) windowPseudo / windowFrames);
    }
    m.put("rollbacks", (double) rollbacks);
    if (assembler != null) {
      assembler
          .trainedThrough()
          .forEach((src, seq) -> m.put("trained_through." + src, (double) seq));
    }
    return m;
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
            "dtgrm v{}: publish attempt {} failed, retrying: {}",
            chunks.get(0).getVersion(),
            attempt,
            e.toString());
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new KafkaException("interrupted while retrying a publish", ie);
        }
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops cleanly: the loop ends after the current step, what was trained since the last version is
   * published (with its checkpoint) and everything is closed; waits at most the close timeout.
   */
  @Override
  public void close() {
    stopRequested = true;
    consumer.wakeup();
    await(settings.closeTimeout());
  }

  /** Stops abruptly, as a crash would: no publish, no checkpoint (tests, chaos runs). */
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
        LOG.warn("dtgrm trainer did not stop within {}", timeout);
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

  public long lastPublishedVersion() {
    return lastPublished;
  }

  public Status status() {
    String state = terminated.getCount() > 0 ? "running" : failure != null ? "failed" : "stopped";
    return new Status(
        lastPublished,
        totalSteps,
        totalFrames,
        runClips,
        lastLoss,
        lastPseudoRate,
        rollbacks,
        refused,
        duplicates,
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
      LOG.debug("closing the features consumer", e);
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
}
