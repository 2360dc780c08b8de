package io.selfstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfluentSerdeTest {

  FakeConfluentRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = new FakeConfluentRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  static Frame frame(long seq) {
    return Frame.newBuilder()
        .setSourceId("cam-1")
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + seq))
        .setWidth(2)
        .setHeight(2)
        .setPixels(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) seq}))
        .setOriginalEncoding(FrameEncoding.PNG)
        .build();
  }

  ConfluentRegistryClient client() {
    return new ConfluentRegistryClient(registry.url());
  }

  @Test
  void confluentFramingAndRoundTrip() throws Exception {
    var serializer = new ConfluentAvroSerializer<Frame>(client(), true);
    var deserializer = new ConfluentAvroDeserializer<>(client(), Frame.class);
    Frame frame = frame(7);

    byte[] bytes = serializer.serialize("frames", frame);

    int id = registry.idsBySchema.get(Frame.getClassSchema().toString());
    assertThat(registry.subjects).containsOnlyKeys("frames-value");
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id); // big-endian
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(frame));
    assertThat(deserializer.deserialize("frames", bytes)).isEqualTo(frame);
  }

  @Test
  void idsAndSchemasAreCached() {
    var serializer = new ConfluentAvroSerializer<Frame>(client(), true);
    var deserializer = new ConfluentAvroDeserializer<>(client(), Frame.class);
    for (int i = 0; i < 50; i++) {
      Frame f = frame(i);
      assertThat(deserializer.deserialize("frames", serializer.serialize("frames", f)))
          .isEqualTo(f);
    }
    assertThat(registry.registrations.get()).isEqualTo(1);
    assertThat(registry.fetches.get()).isEqualTo(1);
  }

  @Test
  void olderWriterSchemaIsResolvedToTheGeneratedClass() {
    // RawFrame as an earlier producer wrote it: no channels/origin, plus a field since removed
    Schema encoding = RawFrame.getClassSchema().getField("encoding").schema();
    Schema old =
        SchemaBuilder.record("RawFrame")
            .namespace("io.selfstream.schemas.avro")
            .fields()
            .requiredString("sourceId")
            .requiredLong("seq")
            .name("captureTimeMs")
            .type(RawFrame.getClassSchema().getField("captureTimeMs").schema())
            .noDefault()
            .name("encoding")
            .type(encoding)
            .noDefault()
            .requiredInt("width")
            .requiredInt("height")
            .requiredBytes("bytes")
            .optionalString("legacyNote")
            .endRecord();
    GenericRecord written = new GenericData.Record(old);
    written.put("sourceId", "cam-9");
    written.put("seq", 3L);
    written.put("captureTimeMs", 1234L);
    written.put("encoding", new GenericData.EnumSymbol(encoding, "RAW_U8"));
    written.put("width", 1);
    written.put("height", 2);
    written.put("bytes", ByteBuffer.wrap(new byte[] {9, 8}));
    written.put("legacyNote", "dropped by new readers");

    byte[] bytes =
        new ConfluentAvroSerializer<GenericRecord>(client(), true).serialize("frames.raw", written);
    RawFrame read =
        new ConfluentAvroDeserializer<>(client(), RawFrame.class).deserialize("frames.raw", bytes);

    assertThat(read.getSourceId()).isEqualTo("cam-9");
    assertThat(read.getSeq()).isEqualTo(3L);
    assertThat(read.getCaptureTimeMs()).isEqualTo(Instant.ofEpochMilli(1234));
    assertThat(read.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
    assertThat(read.getHeight()).isEqualTo(2);
    assertThat(read.getChannels()).isEqualTo(1); // reader default
    assertThat(read.getOrigin()).isNull(); // reader default
    assertThat(read.getBytes()).isEqualTo(ByteBuffer.wrap(new byte[] {9, 8}));
  }

  @Test
  void withoutAReturnClassTheGeneratedClassIsFoundByName() {
    byte[] bytes = new ConfluentAvroSerializer<Frame>(client(), true).serialize("frames", frame(1));
    Object read = new ConfluentAvroDeserializer<>(client(), null).deserialize("frames", bytes);
    assertThat(read).isInstanceOf(Frame.class).isEqualTo(frame(1));
  }

  @Test
  void incompatibleWriterIsReportedWithTopicAndId() {
    Schema other =
        SchemaBuilder.record("Frame")
            .namespace("io.selfstream.schemas.avro")
            .fields()
            .requiredInt("somethingElse")
            .endRecord();
    GenericRecord r = new GenericData.Record(other);
    r.put("somethingElse", 1);
    byte[] bytes =
        new ConfluentAvroSerializer<GenericRecord>(client(), true).serialize("frames", r);

    assertThatThrownBy(
            () ->
                new ConfluentAvroDeserializer<>(client(), Frame.class).deserialize("frames", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic 'frames'")
        .hasMessageContaining("writer schema id");
  }

  @Test
  void httpErrorsNameTopicSubjectUrlAndStatus() {
    registry.failRegistrationsWith = 409;
    var serializer = new ConfluentAvroSerializer<Frame>(client(), true);
    assertThatThrownBy(() -> serializer.serialize("frames", frame(1)))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("topic 'frames'")
        .hasMessageContaining("subject 'frames-value'")
        .hasMessageContaining(registry.url() + "/subjects/frames-value/versions")
        .hasMessageContaining("HTTP 409")
        .hasMessageContaining("incompatible with an earlier schema")
        .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(409));

    byte[] unknownId = {0, 0, 0, 3, (byte) 231, 2};
    assertThatThrownBy(
            () ->
                new ConfluentAvroDeserializer<>(client(), Frame.class)
                    .deserialize("frames", unknownId))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("writer schema id 999")
        .hasMessageContaining("topic 'frames'")
        .hasMessageContaining(registry.url() + "/schemas/ids/999")
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("Schema 999 not found");
  }

  @Test
  void unreachableRegistryIsNamed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    var serializer = new ConfluentAvroSerializer<Frame>(new ConfluentRegistryClient(url), true);
    assertThatThrownBy(() -> serializer.serialize("frames", frame(1)))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(url)
        .hasMessageContaining("unreachable")
        .hasMessageContaining("frames-value");
  }

  @Test
  void withoutAutoRegisterTheSchemaIsLookedUp() {
    var serializer = new ConfluentAvroSerializer<Frame>(client(), false);
    assertThatThrownBy(() -> serializer.serialize("frames", frame(1)))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("auto-register is off")
        .hasMessageContaining("Subject 'frames-value' not found");

    int id = registry.register("frames-value", Frame.getClassSchema());
    byte[] bytes = serializer.serialize("frames", frame(1));
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(registry.registrations.get()).isZero();
    assertThat(registry.lookups.get()).isEqualTo(2);
  }

  @Test
  void badFramingIsRefused() {
    var deserializer = new ConfluentAvroDeserializer<>(client(), Frame.class);
    assertThatThrownBy(() -> deserializer.deserialize("frames", new byte[] {1, 0, 0, 0, 1, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("magic byte");
    assertThatThrownBy(() -> deserializer.deserialize("frames", new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("shorter than the header");
    assertThat(deserializer.deserialize("frames", null)).isNull();
    assertThat(new ConfluentAvroSerializer<Frame>(client(), true).serialize("frames", null))
        .isNull();
  }

  @Test
  void keySerializerUsesTheKeySubject() {
    var serializer = new ConfluentAvroSerializer<Frame>(client(), true);
    serializer.configure(Map.of(ConfluentSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()), true);
    serializer.serialize("frames", frame(1));
    assertThat(registry.subjects).containsOnlyKeys("frames-key");
  }

  private static byte[] avroBinary(Frame frame) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(Frame.class).write(frame, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
