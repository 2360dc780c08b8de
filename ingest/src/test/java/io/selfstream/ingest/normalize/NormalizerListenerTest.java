package io.selfstream.ingest.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ingest.AvroSerde;
import io.selfstream.ingest.TestImages;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The topology reports every record to its listener: the hook the CLI's meters hang on. */
class NormalizerListenerTest {

  @Test
  void everyRecordIsReportedOnceAsAFrameOrADeadLetterWithItsReason() {
    AtomicInteger received = new AtomicInteger();
    List<Long> normalized = new ArrayList<>();
    List<DeadLetterReason> dead = new ArrayList<>();
    NormalizerListener listener =
        new NormalizerListener() {
          @Override
          public void received() {
            received.incrementAndGet();
          }

          @Override
          public void normalized(long nanos) {
            normalized.add(nanos);
          }

          @Override
          public void deadLetter(DeadLetterReason reason, long nanos) {
            dead.add(reason);
          }
        };
    NormalizerSettings settings = NormalizerSettings.defaults();
    AvroSerde<RawFrame> raw = new AvroSerde<>(RawFrame.class);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            NormalizerTopology.build(
                settings,
                new NormalizerSerdes(
                    raw, new AvroSerde<>(Frame.class), new AvroSerde<>(DeadFrame.class)),
                listener),
            NormalizerApp.streamsProperties(settings, "unused:9092"),
            Instant.parse("2025-01-01T00:00:00Z"))) {
      byte[] pixels = new byte[28 * 28];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) i;
      }
      driver
          .createInputTopic(Topics.FRAMES_RAW.name(), new StringSerializer(), raw.serializer())
          .pipeInput("cam", TestImages.frame("cam", 0, FrameEncoding.RAW_U8, 28, 28, 1, pixels));
      driver
          .createInputTopic(
              Topics.FRAMES_RAW.name(), new StringSerializer(), new ByteArraySerializer())
          .pipeInput("cam", "not avro".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(received).hasValue(2);
    assertThat(normalized).hasSize(1).allMatch(n -> n > 0);
    assertThat(dead).containsExactly(DeadLetterReason.UNDESERIALIZABLE);
  }
}
