package io.selfstream.ops.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.EncoderTrainer.Phase;
import io.selfstream.trainer.consumer.TrainerCheckpoint;
import io.selfstream.trainer.temporal.TemporalConfig;
import io.selfstream.trainer.temporal.TemporalSelfTraining;
import io.selfstream.trainer.temporal.TemporalTrainer;
import io.selfstream.trainer.temporal.TemporalTrainerSettings;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka temporal trainer on the embedded stack (real broker and registry): FrameFeatures of two
 * feeds in, consecutive signed {@code dtgrm} versions out (v1 = the source, FULL every 3, ternary
 * DELTAs between), verified and applied by a {@link ModelUpdateFollower} that ends bit-identical to
 * the trainer's consumer copy; then killed between a checkpoint and its transaction and restarted:
 * the pending version is republished, not skipped or repeated, and training continues.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TemporalTrainerIT {

  static final int DIM = 6;
  static final int CLIP = 16;
  static final int FRAMES_PER_FEED = 8 * CLIP;
  static final Duration WAIT = Duration.ofSeconds(90);
  static final ModelSpec SPEC = ModelSpec.paper(ModelType.DTGRM, DIM, 3).resized(2, 3, 8, 0.0);

  @TempDir Path dataDir;

  @Test
  void publishesConsecutiveSignedVersionsAndResumesAfterAKill() throws Exception {
    KeyPair keys = SigningKeys.loadOrCreate(dataDir.resolve("keys"));
    TemporalModels.Descriptor d = new TemporalModels.Descriptor(SPEC, 0, List.of("a", "b", "c"));
    TemporalTrainer.Source source;
    try (NDManager m = NDManager.newBaseManager()) {
      source =
          new TemporalTrainer.Source(
              d, TemporalModels.export(SegmentationModels.create(SPEC, m), d));
    }
    TemporalConfig learning =
        TemporalConfig.withOverrides(
            Map.of(
                "temporal.clipFrames", Integer.toString(CLIP),
                "temporal.confidenceThreshold", "0",
                "temporal.guard.maxDominantShare", "1",
                "temporal.guard.minPseudoLabelEntropy", "0"));
    Path checkpointDir = dataDir.resolve("trainer").resolve("dtgrm");
    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(dataDir))) {
      ClientSettings client = stack.clientSettings();
      TemporalTrainerSettings settings = settings(client, checkpointDir);
      List<ModelVersion> followed = new CopyOnWriteArrayList<>();
      try (ModelUpdateFollower follower =
          ModelUpdateFollower.start(
              client, TemporalModels.MODEL, List.of(keys.getPublic()), followed::add)) {
        produce(client, 0, FRAMES_PER_FEED / 2);

        // run 1: killed between the checkpoint of v4 and its transaction
        TemporalTrainer first =
            TemporalTrainer.start(
                settings,
                source,
                new TemporalSelfTraining(d, source.parameters(), learning, Device.cpu()),
                keys,
                new SimpleMeterRegistry(),
                EncoderTrainer.Options.DEFAULTS.withHooks(
                    (ph, v) -> {
                      if (ph == Phase.CHECKPOINTED && v == 4) {
                        throw new EncoderTrainer.SimulatedCrash("killed after checkpoint of v4");
                      }
                    }));
        assertThat(first.awaitTermination(WAIT)).isTrue();
        assertThat(first.failure()).containsInstanceOf(EncoderTrainer.SimulatedCrash.class);
        assertThat(first.lastPublishedVersion()).isEqualTo(3);
        assertThat(new TrainerCheckpoint(checkpointDir).read().orElseThrow().state().version())
            .isEqualTo(4);

        // run 2: republishes v4, trains on the rest, closes cleanly
        produce(client, FRAMES_PER_FEED / 2, FRAMES_PER_FEED);
        TemporalTrainer second =
            TemporalTrainer.start(
                settings,
                source,
                new TemporalSelfTraining(d, source.parameters(), learning, Device.cpu()),
                keys,
                new SimpleMeterRegistry(),
                EncoderTrainer.Options.DEFAULTS);
        assertThat(second.lastPublishedVersion()).as("v4 republished at start").isEqualTo(4);
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    !second.isRunning()
                        || second.status().frames() >= 2L * FRAMES_PER_FEED - 2 * CLIP);
        second.close();
        assertThat(second.failure()).isEmpty();
        long newest = second.lastPublishedVersion();
        assertThat(newest).isGreaterThanOrEqualTo(6);

        List<ModelUpdate> updates =
            EncoderTrainerResumeIT.readUpdates(client, TemporalModels.MODEL);
        Map<Long, Integer> chunks = new LinkedHashMap<>();
        Map<Long, ModelUpdate> firstChunk = new LinkedHashMap<>();
        for (ModelUpdate u : updates) {
          chunks.merge(u.getVersion(), 1, Integer::sum);
          firstChunk.putIfAbsent(u.getVersion(), u);
        }
        List<Long> order = new ArrayList<>(chunks.keySet());
        assertThat(order).hasSize((int) newest);
        for (int i = 0; i < order.size(); i++) {
          long v = order.get(i);
          assertThat(v).isEqualTo(i + 1);
          assertThat(chunks.get(v))
              .as("no duplicate publish of v%d", v)
              .isEqualTo(firstChunk.get(v).getChunkCount());
          assertThat(firstChunk.get(v).getKind())
              .isEqualTo((v - 1) % 3 == 0 ? UpdateKind.FULL : UpdateKind.DELTA);
          assertThat(firstChunk.get(v).getMetrics())
              .containsEntry(TemporalModels.FEATURES_DIM, (double) DIM);
        }
        assertThat(follower.awaitVersion(newest, WAIT)).isTrue();
        assertThat(followed).extracting(ModelVersion::version).containsExactlyElementsOf(order);
        assertThat(follower.counters().rejectedTotal()).isZero();
        assertThat(follower.current().orElseThrow().parameters())
            .isEqualTo(
                new TrainerCheckpoint(checkpointDir).read().orElseThrow().state().consumerCopy());
        assertThat(TemporalModels.descriptor(follower.current().orElseThrow().parameters()))
            .isEqualTo(d);
        System.out.printf("temporal trainer IT: %d versions; %s%n", newest, second.statusLine());
      }
    }
  }

  static TemporalTrainerSettings settings(ClientSettings client, Path checkpointDir) {
    Map<String, String> o = new HashMap<>();
    o.put(ClientSettings.BOOTSTRAP.name(), client.bootstrap());
    o.put(ClientSettings.REGISTRY_URL.name(), client.registryUrl());
    o.put(ClientSettings.REGISTRY_API.name(), client.registryApi().name());
    o.put(TemporalTrainerSettings.CLIPS_PER_STEP.name(), "1");
    o.put(TemporalTrainerSettings.PUBLISH_EVERY_STEPS.name(), "2");
    o.put(TemporalTrainerSettings.PUBLISH_EVERY.name(), "0s");
    o.put(TemporalTrainerSettings.FULL_EVERY.name(), "3");
    o.put(TemporalTrainerSettings.CHECKPOINT_DIR.name(), checkpointDir.toString());
    o.put(TemporalTrainerSettings.POLL_TIMEOUT.name(), "100ms");
    o.put(TemporalTrainerSettings.DEVICE.name(), "cpu");
    o.put(TemporalTrainerSettings.STARTUP_TIMEOUT.name(), "30s");
    o.put(TemporalTrainerSettings.CLOSE_TIMEOUT.name(), "30s");
    return TemporalTrainerSettings.from(
        Config.load(TemporalTrainerSettings.allKeys(), null, Map.of(), o));
  }

  /** Frames {@code [from, to)} of feeds cam-0 and cam-1, interleaved, random features. */
  static void produce(ClientSettings client, int from, int to) {
    Map<String, Object> props = new HashMap<>(new SerdeFactory(client).producerConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    Random r = new Random(from);
    try (KafkaProducer<String, FrameFeatures> producer = new KafkaProducer<>(props)) {
      for (int seq = from; seq < to; seq++) {
        for (int feed = 0; feed < 2; feed++) {
          List<Float> f = new ArrayList<>();
          for (int c = 0; c < DIM; c++) {
            f.add((float) r.nextGaussian());
          }
          String id = "cam-" + feed;
          FrameFeatures ff =
              FrameFeatures.newBuilder()
                  .setSourceId(id)
                  .setSeq(seq)
                  .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + seq))
                  .setEncoderVersion(0)
                  .setFeatures(f)
                  .build();
          producer.send(new ProducerRecord<>(Topics.FEATURES.name(), id, ff));
        }
      }
      producer.flush();
    }
  }
}
