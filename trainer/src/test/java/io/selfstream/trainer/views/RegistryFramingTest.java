package io.selfstream.trainer.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.avro.Frame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** The serde fast path: taken only where the serde's framing is the expected one. */
class RegistryFramingTest {

  final AvroSpecificSerializer<Frame> avro = new AvroSpecificSerializer<>(Frame.class);

  static Frame frame(long seq) {
    return Frame.newBuilder()
        .setSourceId("cam")
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(seq))
        .setWidth(1)
        .setHeight(1)
        .setChannels(1)
        .setPixels(ByteBuffer.wrap(new byte[] {(byte) seq}))
        .build();
  }

  /** Magic 0 + id 0x01020304 + Avro binary, counting its calls. */
  Serializer<Frame> framedSerde(AtomicInteger calls) {
    return (topic, value) -> {
      calls.incrementAndGet();
      try {
        return avro.toBytes(value, new byte[] {0, 1, 2, 3, 4});
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  void writerUsesTheSerdeOnceThenFramesItself() {
    AtomicInteger calls = new AtomicInteger();
    Serializer<Frame> serde = framedSerde(calls);
    RegistryFraming.Writer<Frame> writer = new RegistryFraming.Writer<>(serde, Frame.class);
    for (int i = 0; i < 5; i++) {
      assertThat(writer.serialize("frames", frame(i))).isEqualTo(serde.serialize("x", frame(i)));
    }
    assertThat(calls.get()).isEqualTo(1 + 5); // one by the writer, five by the comparison above
  }

  @Test
  void writerKeepsUsingAnUnrecognisedSerde() {
    AtomicInteger calls = new AtomicInteger();
    Serializer<Frame> odd =
        (topic, value) -> {
          calls.incrementAndGet();
          return new byte[] {9, 9, 9};
        };
    RegistryFraming.Writer<Frame> writer = new RegistryFraming.Writer<>(odd, Frame.class);
    for (int i = 0; i < 3; i++) {
      assertThat(writer.serialize("frames", frame(i))).containsExactly(9, 9, 9);
    }
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void readerLearnsAVerifiedIdAndRefusesOthers() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Deserializer<Frame> serde =
        (topic, data) -> {
          calls.incrementAndGet();
          try {
            return avro.fromBytes(data, 5, data.length - 5, true);
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
        };
    RegistryFraming.Reader<Frame> reader = new RegistryFraming.Reader<>(serde, Frame.class);
    for (int i = 0; i < 4; i++) {
      byte[] data = avro.toBytes(frame(i), new byte[] {0, 0, 0, 0, 7});
      assertThat(reader.deserialize("frames", null, data)).isEqualTo(frame(i));
    }
    assertThat(calls.get()).isEqualTo(1);

    // a serde that reads id 8 differently (another schema): always asked
    Deserializer<Frame> other = (topic, data) -> frame(99);
    RegistryFraming.Reader<Frame> cautious = new RegistryFraming.Reader<>(other, Frame.class);
    byte[] data = avro.toBytes(frame(1), new byte[] {0, 0, 0, 0, 8});
    assertThat(cautious.deserialize("frames", null, data)).isEqualTo(frame(99));
    assertThat(cautious.deserialize("frames", null, data)).isEqualTo(frame(99));
  }
}
