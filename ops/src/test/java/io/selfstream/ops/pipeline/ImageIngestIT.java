package io.selfstream.ops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.BrokenFiles;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.source.FrameSources;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real broker, real registry, real data: the 10,000 Fashion-MNIST test images plus a folder of
 * broken files go through the ingest path; every record is accounted for, and the dead letters
 * still decode through the registry after a stack restart.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ImageIngestIT {

  @TempDir Path dataDir;
  @TempDir Path brokenDir;

  @Test
  void everyFrameReachesFramesOrTheDeadLetterTopicAndSurvivesRestart() throws Exception {
    List<BrokenFiles.BrokenFile> broken = BrokenFiles.writeTo(brokenDir);
    Map<String, Long> expectedReasons =
        broken.stream()
            .collect(
                Collectors.groupingBy(
                    b -> b.expectedReason().name(), TreeMap::new, Collectors.counting()));
    StackSettings settings = StackSettings.forTests(dataDir);
    Path testImages = FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz");

    try (EmbeddedStack stack = EmbeddedStack.start(settings)) {
      NormalizerSettings normalizer =
          NormalizerSettings.from(
              Config.load(
                  NormalizerSettings.KEYS,
                  null,
                  Map.of(),
                  Map.of(
                      NormalizerSettings.STATE_DIR.name(), dataDir.resolve("streams").toString())));
      ImageIngestRun.Result result =
          ImageIngestRun.run(
              stack.clientSettings(),
              IngestSettings.defaults(),
              normalizer,
              List.of(
                  FrameSources.open(testImages, "fmnist-test", 0),
                  FrameSources.open(brokenDir, "broken-files", 0)),
              progress -> {},
              Duration.ofMinutes(3));
      System.out.println("ingest result: " + result);
      assertThat(result.failed()).isZero();
      assertThat(result.produced()).isEqualTo(10_000 + broken.size());
      assertThat(result.accounted()).isTrue();
      assertThat(result.frames()).isEqualTo(10_000);
      assertThat(result.deadLetters()).isEqualTo(broken.size());
      assertThat(result.deadLettersByReason()).isEqualTo(expectedReasons);
    }

    try (EmbeddedStack restarted = EmbeddedStack.start(settings)) {
      List<DeadFrame> dead = readAll(restarted.clientSettings());
      assertThat(dead).hasSize(broken.size());
      assertThat(dead)
          .extracting(DeadFrame::getReason)
          .containsExactlyInAnyOrderElementsOf(
              broken.stream().map(BrokenFiles.BrokenFile::expectedReason).toList());
      assertThat(dead)
          .allSatisfy(d -> assertThat(d.getReason()).isNotEqualTo(DeadLetterReason.OTHER));
    }
  }

  private static List<DeadFrame> readAll(ClientSettings client) {
    SerdeFactory serdes = new SerdeFactory(client);
    Map<String, Object> props = new java.util.HashMap<>(serdes.consumerConfig(Topics.FRAMES_DLQ));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<DeadFrame> out = new ArrayList<>();
    try (KafkaConsumer<String, DeadFrame> consumer = new KafkaConsumer<>(props)) {
      TopicPartition tp = new TopicPartition(Topics.FRAMES_DLQ.name(), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
