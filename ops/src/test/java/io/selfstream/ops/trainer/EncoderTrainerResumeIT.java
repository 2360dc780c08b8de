package io.selfstream.ops.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OnlineLearner;
import io.selfstream.trainer.adapt.OnlineLearners;
import io.selfstream.trainer.adapt.StepReport;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainer.Phase;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.consumer.TrainerCheckpoint;
import io.selfstream.trainer.consumer.TrainerMetrics;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import io.selfstream.trainer.views.ViewMaker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka encoder trainer killed at every point of its publish sequence, on the embedded stack
 * (real KRaft broker, real registry) with real views of Fashion-MNIST test images. Five
 * incarnations share one checkpoint directory: killed between checkpoint and commit, killed from
 * outside between publishes, killed after computing a payload, killed right after a commit, and a
 * last one that drains the topic and closes cleanly. Then: versions 1..N strictly consecutive with
 * no duplicate on the topic; a {@link ModelUpdateFollower} verifies and applies every one of them
 * (FULL every 4, DELTAs between) and ends bit-identical to the trainer's consumer copy; every
 * incarnation trained exactly the records after the previous one's committed offsets, in order, and
 * the committed offset ranges tile the topic with no gap and no overlap.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EncoderTrainerResumeIT {

  /** Tiny ViT: 28x28 gray, patch 7, dim 32, one block. */
  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(32, 1, 2, 2.0);

  static final int PARTITIONS = 4;
  static final int VIEWS = 320;
  static final int BATCH = 8;
  static final int FULL_EVERY = 4;
  static final AdaptationMethod METHOD = AdaptationMethod.SELFTRAIN;
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  /** The real learner, recording which views each step trained on (per incarnation). */
  static final class RecordingLearner implements OnlineLearner {
    final OnlineLearner delegate;
    final List<String[]> sources = new CopyOnWriteArrayList<>();
    final List<long[]> seqs = new CopyOnWriteArrayList<>();

    RecordingLearner(OnlineLearner delegate) {
      this.delegate = delegate;
    }

    @Override
    public AdaptationMethod method() {
      return delegate.method();
    }

    @Override
    public long step() {
      return delegate.step();
    }

    @Override
    public StepReport step(ViewBatch batch) {
      StepReport r = delegate.step(batch);
      sources.add(batch.sourceIds().clone());
      seqs.add(batch.seqs().clone());
      return r;
    }

    @Override
    public ParameterSnapshot servingParameters() {
      return delegate.servingParameters();
    }

    @Override
    public void markGood() {
      delegate.markGood();
    }

    @Override
    public void save(Path dir) throws IOException {
      delegate.save(dir);
    }

    @Override
    public void restore(Path dir) throws IOException {
      delegate.restore(dir);
    }

    @Override
    public void close() {
      delegate.close();
    }

    /** Seqs trained per partition (source fm-p lives on partition p), in training order. */
    Map<Integer, List<Long>> trainedByPartition() {
      Map<Integer, List<Long>> out = new TreeMap<>();
      for (int s = 0; s < sources.size(); s++) {
        for (int i = 0; i < sources.get(s).length; i++) {
          int p = Integer.parseInt(sources.get(s)[i].substring("fm-".length()));
          out.computeIfAbsent(p, k -> new ArrayList<>()).add(seqs.get(s)[i]);
        }
      }
      return out;
    }
  }

  /** What one incarnation did. */
  record Incarnation(
      String name, Map<Integer, Long> startOffsets, RecordingLearner learner, EncoderTrainer t) {}

  @Test
  void killedAnywhereItResumesWithoutSkippingOrRepeatingVersionsOrInput() throws Exception {
    KeyPair keys = SigningKeys.loadOrCreate(dataDir.resolve("keys"));
    ParameterSnapshot sourceParams;
    try (Encoder e = Encoder.create(TINY, Device.cpu(), 11)) {
      sourceParams = e.exportParameters();
    }
    EncoderFile.Contents source = new EncoderFile.Contents(TINY, sourceParams);
    Path checkpointDir = dataDir.resolve("trainer").resolve(METHOD.id());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(dataDir))) {
      ClientSettings client = stack.clientSettings();
      EncoderTrainerSettings settings = settings(client, checkpointDir);
      List<ModelVersion> followed = new CopyOnWriteArrayList<>();
      try (ModelUpdateFollower follower =
          ModelUpdateFollower.start(
              client, METHOD.modelName(), List.of(keys.getPublic()), followed::add)) {
        produceViews(client);

        List<Incarnation> runs = new ArrayList<>();
        // 1: killed between the checkpoint of v4 and its transaction
        Incarnation first =
            run(
                "checkpointed-v4",
                settings,
                source,
                keys,
                registry,
                (ph, v) -> {
                  if (ph == Phase.CHECKPOINTED && v == 4) {
                    throw new EncoderTrainer.SimulatedCrash("killed after checkpoint of v4");
                  }
                });
        runs.add(first);
        awaitDeath(first.t());
        assertThat(first.t().lastPublishedVersion()).isEqualTo(3);
        assertThat(new TrainerCheckpoint(checkpointDir).read().orElseThrow().state().version())
            .isEqualTo(4);

        // 2: republishes the stored v4, then is killed from outside between publishes
        CountDownLatch fiveSteps = new CountDownLatch(1);
        Incarnation second =
            run(
                "killed-from-outside",
                settings,
                source,
                keys,
                registry,
                (ph, n) -> {
                  if (ph == Phase.STEPPED && n == 5) {
                    fiveSteps.countDown();
                  }
                });
        runs.add(second);
        assertThat(second.t().lastPublishedVersion()).as("v4 republished at start").isEqualTo(4);
        assertThat(fiveSteps.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        second.t().kill();
        assertThat(second.t().isRunning()).isFalse();
        long afterSecond = second.t().lastPublishedVersion();
        assertThat(afterSecond).isGreaterThanOrEqualTo(5);

        // 3: killed after computing the next payload, before its checkpoint
        Incarnation third =
            run(
                "payload-ready",
                settings,
                source,
                keys,
                registry,
                (ph, v) -> {
                  if (ph == Phase.PAYLOAD_READY) {
                    throw new EncoderTrainer.SimulatedCrash("killed with the payload of v" + v);
                  }
                });
        runs.add(third);
        awaitDeath(third.t());
        assertThat(third.t().lastPublishedVersion()).isEqualTo(afterSecond);

        // 4: killed right after a commit
        Incarnation fourth =
            run(
                "committed",
                settings,
                source,
                keys,
                registry,
                (ph, v) -> {
                  if (ph == Phase.COMMITTED) {
                    throw new EncoderTrainer.SimulatedCrash("killed after the commit of v" + v);
                  }
                });
        runs.add(fourth);
        awaitDeath(fourth.t());
        assertThat(fourth.t().lastPublishedVersion()).isEqualTo(afterSecond + 1);

        // 5: drains the topic and closes cleanly (final publish + checkpoint)
        Incarnation last =
            run("clean", settings, source, keys, registry, EncoderTrainer.Hooks.NONE);
        runs.add(last);
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !last.t().isRunning() || last.t().status().samples() >= VIEWS);
        assertThat(last.t().failure()).isEmpty();
        assertThat(registry.find(TrainerMetrics.STEPS).tag("method", METHOD.id()).counter())
            .isNotNull()
            .satisfies(c -> assertThat(c.count()).isPositive());
        EncoderTrainer.Status drained = last.t().status();
        last.t().close();
        assertThat(last.t().isRunning()).isFalse();
        assertThat(last.t().failure()).isEmpty();
        assertThat(registry.find(TrainerMetrics.STEPS).counter()).as("meters removed").isNull();
        long newest = last.t().lastPublishedVersion();
        System.out.printf(
            "encoder trainer IT: %d versions; last run %d samples in %d steps, %.0f samples/s"
                + " from Kafka (%.1f s inside learner steps of %.1f s)%n",
            newest,
            drained.runSamples(),
            drained.runSteps(),
            drained.runSamplesPerSecond(),
            drained.learnerSeconds(),
            drained.runSamples() / Math.max(1e-9, drained.runSamplesPerSecond()));

        // the topic: versions 1..N, each exactly once, each complete
        List<ModelUpdate> updates = readUpdates(client, METHOD.modelName());
        Map<Long, Integer> chunksPerVersion = new LinkedHashMap<>();
        Map<Long, ModelUpdate> firstChunk = new LinkedHashMap<>();
        for (ModelUpdate u : updates) {
          chunksPerVersion.merge(u.getVersion(), 1, Integer::sum);
          firstChunk.putIfAbsent(u.getVersion(), u);
        }
        List<Long> order = new ArrayList<>(chunksPerVersion.keySet());
        assertThat(order).as("versions in topic order").hasSize((int) newest);
        for (int i = 0; i < order.size(); i++) {
          long v = order.get(i);
          assertThat(v).isEqualTo(i + 1);
          assertThat(chunksPerVersion.get(v))
              .as("chunks of v%d (no duplicate publish)", v)
              .isEqualTo(firstChunk.get(v).getChunkCount());
          assertThat(firstChunk.get(v).getKind())
              .as("kind of v%d", v)
              .isEqualTo((v - 1) % FULL_EVERY == 0 ? UpdateKind.FULL : UpdateKind.DELTA);
        }

        // the follower verified and applied all of them, and holds the trainer's consumer copy
        assertThat(follower.awaitVersion(newest, WAIT)).isTrue();
        assertThat(followed).extracting(ModelVersion::version).containsExactlyElementsOf(order);
        assertThat(follower.counters().rejectedTotal()).isZero();
        TrainerCheckpoint.State finalState =
            new TrainerCheckpoint(checkpointDir).read().orElseThrow().state();
        assertThat(finalState.version()).isEqualTo(newest);
        assertThat(follower.current().orElseThrow().parameters())
            .isEqualTo(finalState.consumerCopy());

        // committed offsets: monotone, samples == offsets at every version, the whole topic
        Map<Integer, Long> previous = zeros();
        for (long v : order) {
          Map<String, Double> m = firstChunk.get(v).getMetrics();
          long sum = 0;
          for (int p = 0; p < PARTITIONS; p++) {
            long off = m.get("offset." + p).longValue();
            assertThat(off)
                .as("offset of p%d at v%d", p, v)
                .isGreaterThanOrEqualTo(previous.get(p));
            previous.put(p, off);
            sum += off;
          }
          assertThat(m.get("samples").longValue()).as("samples trained by v%d", v).isEqualTo(sum);
        }
        assertThat(previous).containsExactlyInAnyOrderEntriesOf(full());
        assertThat(firstChunk.get(newest).getMetrics())
            .containsEntry("trained_through.fm-0", VIEWS / PARTITIONS - 1.0);

        // each incarnation trained exactly the records after its predecessor's commit, in order
        for (int k = 0; k < runs.size(); k++) {
          Incarnation run = runs.get(k);
          Map<Integer, Long> end = k + 1 < runs.size() ? runs.get(k + 1).startOffsets() : full();
          Map<Integer, List<Long>> trained = run.learner().trainedByPartition();
          for (int p = 0; p < PARTITIONS; p++) {
            List<Long> seqs = trained.getOrDefault(p, List.of());
            long start = run.startOffsets().get(p);
            for (int i = 0; i < seqs.size(); i++) {
              assertThat(seqs.get(i))
                  .as("%s: record %d of partition %d", run.name(), i, p)
                  .isEqualTo(start + i);
            }
            assertThat(start + seqs.size())
                .as("%s trained partition %d through its commit", run.name(), p)
                .isGreaterThanOrEqualTo(end.get(p));
          }
        }
      }
    }
  }

  Incarnation run(
      String name,
      EncoderTrainerSettings settings,
      EncoderFile.Contents source,
      KeyPair keys,
      SimpleMeterRegistry registry,
      EncoderTrainer.Hooks hooks)
      throws IOException {
    Map<Integer, Long> start = zeros();
    new TrainerCheckpoint(settings.requireCheckpointDir())
        .read()
        .ifPresent(l -> l.state().offsets().forEach((tp, off) -> start.put(tp.partition(), off)));
    RecordingLearner learner =
        new RecordingLearner(
            OnlineLearners.create(
                METHOD,
                source.config(),
                source.parameters(),
                AdaptConfig.withOverrides(
                    Map.of(
                        "adapt.confidenceThreshold", "0",
                        "adapt.guard.maxDominantShare", "1",
                        "adapt.guard.minPseudoLabelEntropy", "0",
                        "adapt.learningRate", "1e-3")),
                Device.cpu(),
                settings.seed()));
    EncoderTrainer t =
        EncoderTrainer.start(
            settings,
            source,
            learner,
            keys,
            registry,
            EncoderTrainer.Options.DEFAULTS.withHooks(hooks));
    return new Incarnation(name, start, learner, t);
  }

  static void awaitDeath(EncoderTrainer t) throws InterruptedException {
    assertThat(t.awaitTermination(WAIT)).as("trainer died").isTrue();
    assertThat(t.failure()).containsInstanceOf(EncoderTrainer.SimulatedCrash.class);
  }

  static Map<Integer, Long> zeros() {
    Map<Integer, Long> m = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      m.put(p, 0L);
    }
    return m;
  }

  static Map<Integer, Long> full() {
    Map<Integer, Long> m = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      m.put(p, (long) VIEWS / PARTITIONS);
    }
    return m;
  }

  static EncoderTrainerSettings settings(ClientSettings client, Path checkpointDir) {
    Map<String, String> o = new HashMap<>();
    o.put(ClientSettings.BOOTSTRAP.name(), client.bootstrap());
    o.put(ClientSettings.REGISTRY_URL.name(), client.registryUrl());
    o.put(ClientSettings.REGISTRY_API.name(), client.registryApi().name());
    o.put(EncoderTrainerSettings.METHOD.name(), METHOD.id());
    o.put(EncoderTrainerSettings.BATCH_SIZE.name(), Integer.toString(BATCH));
    o.put(EncoderTrainerSettings.BATCH_TIMEOUT.name(), "300ms");
    o.put(EncoderTrainerSettings.PUBLISH_EVERY_STEPS.name(), "3");
    o.put(EncoderTrainerSettings.PUBLISH_EVERY.name(), "0s");
    o.put(EncoderTrainerSettings.FULL_EVERY.name(), Integer.toString(FULL_EVERY));
    o.put(EncoderTrainerSettings.CHECKPOINT_DIR.name(), checkpointDir.toString());
    o.put(EncoderTrainerSettings.POLL_TIMEOUT.name(), "100ms");
    o.put(EncoderTrainerSettings.MAX_POLL_RECORDS.name(), "64");
    o.put(EncoderTrainerSettings.DEVICE.name(), "cpu");
    o.put(EncoderTrainerSettings.STARTUP_TIMEOUT.name(), "30s");
    o.put(EncoderTrainerSettings.CLOSE_TIMEOUT.name(), "30s");
    return EncoderTrainerSettings.from(
        Config.load(EncoderTrainerSettings.allKeys(), null, Map.of(), o));
  }

  /** {@value #VIEWS} views of Fashion-MNIST test images: image i is seq i/4 of fm-(i%4). */
  static void produceViews(ClientSettings client) throws IOException {
    IdxFile images = IdxFile.read(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"));
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < VIEWS; i++) {
      frames.add(
          Frame.newBuilder()
              .setSourceId("fm-" + (i % PARTITIONS))
              .setSeq(i / PARTITIONS)
              .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + i))
              .setWidth(FashionMnist.SIZE)
              .setHeight(FashionMnist.SIZE)
              .setChannels(1)
              .setPixels(ByteBuffer.wrap(images.item(i)))
              .build());
    }
    List<TrainingView> views = new ViewMaker(TINY, 0.0, 42).make(frames, null, 0).views();
    Map<String, Object> props = new HashMap<>(new SerdeFactory(client).producerConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, TrainingView> producer = new KafkaProducer<>(props)) {
      for (TrainingView v : views) {
        int p = Integer.parseInt(v.getSourceId().toString().substring(3));
        producer.send(new ProducerRecord<>(Topics.VIEWS.name(), p, v.getSourceId(), v));
      }
      producer.flush();
    }
  }

  static List<ModelUpdate> readUpdates(ClientSettings client, String model) {
    Map<String, Object> props =
        new HashMap<>(new SerdeFactory(client).consumerConfig(Topics.MODEL_UPDATES));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ModelUpdate> out = new ArrayList<>();
    try (KafkaConsumer<String, ModelUpdate> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.MODEL_UPDATES.name())
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (model.equals(r.value().getModel())) {
                    out.add(r.value());
                  }
                });
      }
    }
    return out;
  }
}
