package io.selfstream.ops.views;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import io.selfstream.ops.pipeline.TopicCounter;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.model.UpdateRejected;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.temporal.VideoFeatures;
import io.selfstream.trainer.views.EncoderUpdates;
import io.selfstream.trainer.views.TeacherApplyLog;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
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
 * The views job on the embedded stack (real KRaft broker, real registry) in a Flink MiniCluster:
 * real Fashion-MNIST frames in; every frame exactly once in {@code views} and {@code features}
 * ({@code read_committed}) across a forced task failure and restore from a checkpoint; misfit
 * frames in the DLQ; pseudo-labels and features switch to version 2 once it is published; a
 * tampered and a foreign-signed update change nothing. A {@link ModelUpdateFollower} (the
 * plain-service path) follows the same topic. A video feed ({@code views.videoSources}) runs
 * alongside: its frames become no views, only fixed features (encoder version 0) bit-equal to the
 * offline {@link VideoFeatures#ofVideo}, every frame exactly once although the feed's motion state
 * crosses the failover (keyed state restored from the checkpoint).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ViewsJobIT {

  /** Tiny ViT: 28x28 gray, patch 7, dim 32, one block. */
  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(32, 1, 2, 2.0);

  static final int SOURCES = 4;
  static final String VIDEO_SOURCE = "video-0";
  static final int VIDEO_FRAMES = 60;
  static final Duration WAIT = Duration.ofSeconds(120);
  static final int RAW_VIDEO_SIZE = 64;

  @TempDir Path dataDir;

  @Test
  void everyFrameExactlyOnceAcrossFailoverAndTeacherSwitch() throws Exception {
    IdxFile images = IdxFile.read(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"));
    List<byte[]> rawVideo = rawVideo();
    VideoFeatures videoFeatures = VideoFeatures.defaults();
    List<byte[]> video = new ArrayList<>();
    for (byte[] raw : rawVideo) {
      video.add(videoFeatures.normalize(raw, RAW_VIDEO_SIZE));
    }
    KeyPair trainerKey = SigningKeys.loadOrCreate(dataDir.resolve("keys"));
    KeyPair strangerKey = SigningKeys.generate();
    Path trustedKey = dataDir.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE);

    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(dataDir))) {
      ClientSettings client = stack.clientSettings();
      UpdateEncoder encoder = new UpdateEncoder(trainerKey);
      try (ModelUpdatePublisher publisher =
              ModelUpdatePublisher.create(client, encoder, "views-it-trainer");
          ModelUpdateFollower follower =
              ModelUpdateFollower.start(
                  client, EncoderUpdates.MODEL, List.of(trainerKey.getPublic()), v -> {});
          KafkaProducer<String, Frame> frames = framesProducer(client)) {

        ModelParameters v1 = freshEncoder(1);
        publisher.publishFull(
            EncoderUpdates.MODEL, 1, 0, v1, EncoderUpdates.architectureMetrics(TINY));
        assertThat(follower.awaitVersion(1, WAIT)).isTrue();

        ViewsJobSettings settings = settings(client, trustedKey, 150);
        try (LocalViewsJob job = LocalViewsJob.start(settings);
            TopicCounter views = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name());
            TopicCounter features =
                TopicCounter.fromNow(client.bootstrap(), Topics.FEATURES.name())) {
          assertThat(job.awaitTeacherEverywhere(1, WAIT)).as("v1 held by both instances").isTrue();

          // phase 1: 200 frames and two the model cannot take; committed output proves a
          // checkpoint completed before the failure below. Video frames 0-29 and a video frame
          // the grid does not divide (30x30).
          send(frames, images, 0, 200);
          sendMisfit(frames, "misfit-0", 0);
          sendMisfit(frames, "misfit-1", 1);
          sendVideo(frames, video, 0, 30);
          sendVideoMisfit(frames, "video-misfit", 1);
          awaitCount(views, 200, "views");
          awaitCount(features, 200 + 30, "features");

          // phase 2: subtask 0 of the frames source fails once after 150 records (it read
          // 101-131 in phase 1); the job restores from the last checkpoint and replays
          sendVideo(frames, video, 30, 45);
          send(frames, images, 200, 400);
          awaitCount(views, 400, "views");
          awaitCount(features, 400 + 45, "features");
          assertThat(
                  job.awaitTeacher(
                      t ->
                          t.restored()
                              .getOrDefault(1L, Map.of())
                              .keySet()
                              .containsAll(List.of(0, 1)),
                      WAIT))
              .as("teacher restored from checkpoint state after the failover")
              .isTrue();
          TeacherApplyLog.Snapshot afterFailover = job.teacher();
          assertThat(afterFailover.restored().get(1L)).containsKeys(0, 1);

          // phase 3: version 2 replaces the teacher in every instance
          publisher.publishFull(EncoderUpdates.MODEL, 2, 1, freshEncoder(2), Map.of());
          assertThat(job.awaitTeacher(t -> t.appliedEverywhereAt(2, 2).isPresent(), WAIT)).isTrue();
          send(frames, images, 400, 500);
          // video frames after the failover: their motion features read the restored state
          sendVideo(frames, video, 45, VIDEO_FRAMES);
          awaitCount(views, 500, "views");
          awaitCount(features, 500 + VIDEO_FRAMES, "features");

          // phase 4: a tampered v3 and a v4 signed by an untrusted key change nothing
          publisher.publish(
              tamper(encoder.encodeFull(EncoderUpdates.MODEL, 3, 2, freshEncoder(3), Map.of())));
          publisher.publish(
              new UpdateEncoder(strangerKey)
                  .encodeFull(EncoderUpdates.MODEL, 4, 2, freshEncoder(4), Map.of()));
          assertThat(
                  job.awaitTeacher(
                      t ->
                          t.rejections(3).getOrDefault("TAMPERED", 0L) >= 2
                              && t.rejections(4).getOrDefault("WRONG_KEY", 0L) >= 2,
                      WAIT))
              .as("both instances refused v3 and v4")
              .isTrue();
          send(frames, images, 500, 600);
          awaitCount(views, 600, "views");
          awaitCount(features, 600 + VIDEO_FRAMES, "features");

          LocalViewsJob.Progress progress = job.progress();
          System.out.println("views job progress: " + progress);
          assertThat(progress.videoFeatures()).as("video features since the restart").isPositive();
        }

        assertThat(follower.currentVersion()).isEqualTo(2);
        assertThat(follower.counters().rejected(UpdateRejected.Reason.TAMPERED)).isEqualTo(1);
        assertThat(follower.counters().rejected(UpdateRejected.Reason.WRONG_KEY)).isPositive();
      }

      List<TrainingView> views = readAll(client, Topics.VIEWS);
      List<FrameFeatures> features = readAll(client, Topics.FEATURES);
      List<DeadFrame> dead = readAll(client, Topics.FRAMES_DLQ);

      Map<String, TrainingView> viewByFrame = new TreeMap<>();
      for (TrainingView v : views) {
        assertThat(viewByFrame.put(v.getSourceId() + "#" + v.getSeq(), v))
            .as("duplicate view of %s#%d", v.getSourceId(), v.getSeq())
            .isNull();
      }
      assertThat(viewByFrame).hasSize(600);
      assertThat(views).noneMatch(v -> v.getSourceId().startsWith("video-"));
      Map<String, FrameFeatures> featuresByFrame = new TreeMap<>();
      Map<Long, FrameFeatures> videoBySeq = new TreeMap<>();
      for (FrameFeatures f : features) {
        if (f.getSourceId().equals(VIDEO_SOURCE)) {
          assertThat(videoBySeq.put(f.getSeq(), f))
              .as("duplicate video features of frame %d", f.getSeq())
              .isNull();
          continue;
        }
        assertThat(featuresByFrame.put(f.getSourceId() + "#" + f.getSeq(), f))
            .as("duplicate features of %s#%d", f.getSourceId(), f.getSeq())
            .isNull();
      }
      assertThat(featuresByFrame.keySet()).isEqualTo(viewByFrame.keySet());

      // every video frame exactly once, bit-equal to the offline features of the whole video
      Features offline = videoFeatures.ofVideo(rawVideo, RAW_VIDEO_SIZE);
      assertThat(videoBySeq.keySet()).hasSize(VIDEO_FRAMES);
      for (int t = 0; t < VIDEO_FRAMES; t++) {
        FrameFeatures f = videoBySeq.get((long) t);
        assertThat(f).as("video frame %d", t).isNotNull();
        assertThat(f.getEncoderVersion()).isEqualTo(VideoFeatures.ENCODER_VERSION).isZero();
        assertThat(f.getCaptureTimeMs()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L + t));
        assertThat(f.getFeatures()).hasSize(offline.dim());
        for (int c = 0; c < offline.dim(); c++) {
          float expected = offline.data()[c * offline.length() + t];
          assertThat(Float.floatToRawIntBits(f.getFeatures().get(c)))
              .as("video frame %d feature %d: %s vs %s", t, c, f.getFeatures().get(c), expected)
              .isEqualTo(Float.floatToRawIntBits(expected));
        }
      }

      for (TrainingView v : views) {
        long expected = v.getSeq() < 400 ? 1 : 2;
        assertThat(v.getTeacherVersion()).as("teacher of frame %d", v.getSeq()).isEqualTo(expected);
        assertThat(v.getPseudoLabel()).isNotNull(); // threshold 0: every frame is labelled
        assertThat(v.getConfidence()).isPositive();
        assertThat(v.getWeakView().remaining()).isEqualTo(28 * 28);
        assertThat(v.getMaskBits().remaining()).isPositive();
        FrameFeatures f = featuresByFrame.get(v.getSourceId() + "#" + v.getSeq());
        assertThat(f.getEncoderVersion()).isEqualTo(expected);
        assertThat(f.getFeatures()).hasSize(TINY.dim());
      }
      assertThat(dead).hasSize(3);
      assertThat(dead)
          .filteredOn(d -> "video-misfit".equals(d.getSourceId()))
          .singleElement()
          .satisfies(d -> assertThat(d.getMessage()).contains("views.videoFeatureGrid 7"));
      assertThat(dead)
          .allSatisfy(
              d -> {
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.MODEL_SHAPE_MISMATCH);
                assertThat(d.getOriginalBytes()).isNotNull();
                assertThat(d.getTopic()).isEqualTo(Topics.FRAMES.name());
              });
    }
  }

  ViewsJobSettings settings(ClientSettings client, Path trustedKey, long failAfter) {
    Map<String, String> o = new HashMap<>();
    o.put(ClientSettings.BOOTSTRAP.name(), client.bootstrap());
    o.put(ClientSettings.REGISTRY_URL.name(), client.registryUrl());
    o.put(ClientSettings.REGISTRY_API.name(), client.registryApi().name());
    o.put(ViewsJobSettings.ENCODER.name(), ViewsJobSettings.encoderSpec(TINY));
    o.put(ViewsJobSettings.MASK_PATCH.name(), "14");
    o.put(ViewsJobSettings.CONFIDENCE_THRESHOLD.name(), "0");
    o.put(ViewsJobSettings.PARALLELISM.name(), "2");
    o.put(ViewsJobSettings.CHECKPOINT_INTERVAL.name(), "1s");
    o.put(ViewsJobSettings.CHECKPOINT_DIR.name(), dataDir.resolve("checkpoints").toString());
    o.put(ViewsJobSettings.TRUSTED_KEYS.name(), trustedKey.toString());
    o.put(ViewsJobSettings.BATCH_SIZE.name(), "16");
    o.put(ViewsJobSettings.DEVICE.name(), "cpu");
    o.put(ViewsJobSettings.RESTART_DELAY.name(), "1s");
    o.put(ViewsJobSettings.FAIL_ONCE_AFTER_FRAMES.name(), Long.toString(failAfter));
    o.put(ViewsJobSettings.VIDEO_SOURCES.name(), "video-.*");
    return ViewsJobSettings.from(Config.load(ViewsJobSettings.allKeys(), null, Map.of(), o));
  }

  static ModelParameters freshEncoder(long seed) {
    try (Encoder e = Encoder.create(TINY, Device.cpu(), seed)) {
      return EncoderUpdates.export(e);
    }
  }

  static List<ModelUpdate> tamper(List<ModelUpdate> chunks) {
    List<ModelUpdate> out = new ArrayList<>(chunks);
    ModelUpdate first = out.get(0);
    ByteBuffer b = first.getPayload().duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    bytes[bytes.length / 2] ^= 0x01;
    out.set(0, ModelUpdate.newBuilder(first).setPayload(ByteBuffer.wrap(bytes)).build());
    return out;
  }

  static KafkaProducer<String, Frame> framesProducer(ClientSettings client) {
    Map<String, Object> props = new HashMap<>(new SerdeFactory(client).producerConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(props);
  }

  /** Frames {@code from..to-1}: image i, source {@code fm-(i % 4)} on partition {@code i % 4}. */
  static void send(KafkaProducer<String, Frame> producer, IdxFile images, int from, int to) {
    for (int i = from; i < to; i++) {
      String source = "fm-" + (i % SOURCES);
      producer.send(
          new ProducerRecord<>(
              Topics.FRAMES.name(),
              i % SOURCES,
              source,
              frame(source, i, images.item(i), FashionMnist.SIZE, FashionMnist.SIZE)));
    }
    producer.flush();
  }

  static void sendMisfit(KafkaProducer<String, Frame> producer, String source, int partition) {
    producer.send(
        new ProducerRecord<>(
            Topics.FRAMES.name(), partition, source, frame(source, 0, new byte[14 * 14], 14, 14)));
    producer.flush();
  }

  /** The first {@link #VIDEO_FRAMES} raw frames of a generated 64x64 activity video. */
  static List<byte[]> rawVideo() throws Exception {
    ActivityVideoGenerator generator =
        new ActivityVideoGenerator(
            FashionMnist.load(FashionMnist.Split.TEST), GeneratorConfig.defaults());
    for (long seed = 1; seed < 50; seed++) {
      SyntheticVideo v = generator.generate(VIDEO_SOURCE, seed);
      if (v.length() >= VIDEO_FRAMES) {
        assertThat(v.size()).isEqualTo(RAW_VIDEO_SIZE);
        return new ArrayList<>(v.frames().subList(0, VIDEO_FRAMES));
      }
    }
    throw new AssertionError("no generated video of " + VIDEO_FRAMES + " frames");
  }

  /** Normalized video frames {@code from..to-1} of {@link #VIDEO_SOURCE} on partition 0. */
  static void sendVideo(
      KafkaProducer<String, Frame> producer, List<byte[]> video, int from, int to) {
    for (int t = from; t < to; t++) {
      producer.send(
          new ProducerRecord<>(
              Topics.FRAMES.name(), 0, VIDEO_SOURCE, frame(VIDEO_SOURCE, t, video.get(t), 28, 28)));
    }
    producer.flush();
  }

  static void sendVideoMisfit(KafkaProducer<String, Frame> producer, String source, int partition) {
    producer.send(
        new ProducerRecord<>(
            Topics.FRAMES.name(), partition, source, frame(source, 0, new byte[30 * 30], 30, 30)));
    producer.flush();
  }

  static Frame frame(String source, long seq, byte[] pixels, int width, int height) {
    return Frame.newBuilder()
        .setSourceId(source)
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + seq))
        .setWidth(width)
        .setHeight(height)
        .setChannels(1)
        .setPixels(ByteBuffer.wrap(pixels))
        .setNormalizedAtMs(Instant.now())
        .build();
  }

  static void awaitCount(TopicCounter counter, long n, String what) {
    boolean reached =
        TopicCounter.pollUntil(
            List.of(counter), () -> counter.count() >= n, Duration.ofSeconds(150));
    assertThat(reached).as("%d committed %s (have %d)", n, what, counter.count()).isTrue();
  }

  static <V extends SpecificRecord> List<V> readAll(ClientSettings client, TopicSpec<V> topic) {
    Map<String, Object> props = new HashMap<>(new SerdeFactory(client).consumerConfig(topic));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic.name())
          .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
