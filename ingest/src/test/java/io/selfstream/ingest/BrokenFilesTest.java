package io.selfstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ingest.normalize.NormalizerApp;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.normalize.NormalizerTopology;
import io.selfstream.ingest.source.ImageFolderSource;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broken files, read by the folder source and normalized: each lands in the DLQ as promised.
 */
class BrokenFilesTest {

  @Test
  void writesTheSameBytesEveryTime(@TempDir Path dir) throws IOException {
    List<BrokenFiles.BrokenFile> first = BrokenFiles.writeTo(dir.resolve("1"));
    List<BrokenFiles.BrokenFile> second = BrokenFiles.writeTo(dir.resolve("2"));
    assertThat(first).hasSize(7);
    for (int i = 0; i < first.size(); i++) {
      assertThat(Files.readAllBytes(first.get(i).path()))
          .isEqualTo(Files.readAllBytes(second.get(i).path()));
    }
    assertThat(first)
        .extracting(BrokenFiles.BrokenFile::expectedReason)
        .contains(
            DeadLetterReason.TRUNCATED_IMAGE,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.BAD_DIMENSIONS);
    assertThat(Files.size(dir.resolve("1/empty.png"))).isZero();
  }

  @Test
  void everyBrokenFileReachesTheDlqWithItsReasonAndGoodImagesPass(@TempDir Path dir)
      throws IOException {
    List<BrokenFiles.BrokenFile> broken = BrokenFiles.writeTo(dir.resolve("broken"));
    for (int i = 0; i < 10; i++) {
      Files.write(
          dir.resolve(String.format("good-%02d.png", i)),
          TestImages.png(TestImages.image(i), 28, 28));
    }
    AvroSerde<RawFrame> raw = new AvroSerde<>(RawFrame.class);
    AvroSerde<Frame> frame = new AvroSerde<>(Frame.class);
    AvroSerde<DeadFrame> dead = new AvroSerde<>(DeadFrame.class);
    NormalizerSettings settings = NormalizerSettings.defaults();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            NormalizerTopology.build(settings, raw, frame, dead),
            NormalizerApp.streamsProperties(settings, "unused:9092"))) {
      TestInputTopic<String, RawFrame> in =
          driver.createInputTopic(
              Topics.FRAMES_RAW.name(), new StringSerializer(), raw.serializer());
      ImageFolderSource source = new ImageFolderSource(dir, "demo");
      long produced = 0;
      while (source.hasNext()) {
        RawFrame f = source.next();
        in.pipeInput(f.getSourceId(), f);
        produced++;
      }
      List<Frame> frames =
          driver
              .createOutputTopic(
                  Topics.FRAMES.name(), new StringDeserializer(), frame.deserializer())
              .readValuesToList();
      List<DeadFrame> deadLetters =
          driver
              .createOutputTopic(
                  Topics.FRAMES_DLQ.name(), new StringDeserializer(), dead.deserializer())
              .readValuesToList();
      assertThat(frames).hasSize(10);
      assertThat(frames.size() + deadLetters.size()).isEqualTo(produced);
      Map<String, DeadLetterReason> reasons = new HashMap<>();
      for (DeadFrame d : deadLetters) {
        RawFrame original = raw.fromBytes(TestImages.bytes(d.getOriginalBytes()));
        reasons.put(Path.of(original.getOrigin()).getFileName().toString(), d.getReason());
      }
      for (BrokenFiles.BrokenFile file : broken) {
        assertThat(reasons.get(file.path().getFileName().toString()))
            .as(file.description())
            .isEqualTo(file.expectedReason());
      }
    }
  }
}
