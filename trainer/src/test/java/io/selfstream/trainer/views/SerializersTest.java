package io.selfstream.trainer.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateAssembler;
import io.selfstream.schemas.model.UpdateEncoder;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Flink serializers of the job's record types, teacher state records, and the apply log. */
class SerializersTest {

  static Frame frame() {
    return Frame.newBuilder()
        .setSourceId("cam-1")
        .setSeq(9)
        .setCaptureTimeMs(Instant.ofEpochMilli(123))
        .setWidth(2)
        .setHeight(2)
        .setChannels(1)
        .setPixels(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
        .build();
  }

  static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(value, out);
    s.serialize(value, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    T first = s.deserialize(in);
    // copy(in, out) must consume exactly one record
    DataOutputSerializer copied = new DataOutputSerializer(64);
    s.copy(in, copied);
    assertThat(in.available()).isZero();
    T second = s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer()));
    assertThat(second).isEqualTo(first);
    return first;
  }

  @Test
  void avroRecordsRoundTripAndCopyDeeply() throws Exception {
    AvroSpecificSerializer<Frame> s = new AvroSpecificSerializer<>(Frame.class);
    Frame f = frame();
    assertThat(roundTrip(s, f)).isEqualTo(f);
    Frame copy = s.copy(f);
    assertThat(copy).isEqualTo(f).isNotSameAs(f);
    assertThat(s.duplicate()).isEqualTo(s).isNotSameAs(s);
    assertThat(s.createInstance()).isInstanceOf(Frame.class);

    TypeSerializerSnapshot<Frame> snap = s.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    snap.writeSnapshot(out);
    AvroSpecificSerializer.Snapshot<Frame> read = new AvroSpecificSerializer.Snapshot<>();
    read.readSnapshot(
        snap.getCurrentVersion(),
        new DataInputDeserializer(out.getCopyOfBuffer()),
        getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(s);
    assertThat(snap.resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
  }

  @Test
  void envelopesCarryAFrameOrADeadLetter() throws Exception {
    FrameEnvelope.Serializer s = new FrameEnvelope.Serializer();
    FrameEnvelope ok = FrameEnvelope.of(frame());
    FrameEnvelope dead =
        FrameEnvelope.dead(
            DeadFrame.newBuilder()
                .setSourceId("cam-1")
                .setReason(DeadLetterReason.MODEL_SHAPE_MISMATCH)
                .setMessage("too big")
                .build());
    assertThat(roundTrip(s, ok)).isEqualTo(ok);
    assertThat(roundTrip(s, dead)).isEqualTo(dead);
    assertThat(new FrameEnvelope.TypeInfo().createSerializer(null)).isEqualTo(s);
  }

  @Test
  void shapeCheckNamesTheMismatch() {
    assertThat(FrameDeserializationSchema.shapeProblem(frame(), 2, 1)).isNull();
    assertThat(FrameDeserializationSchema.shapeProblem(frame(), 28, 1))
        .contains("2x2x1", "28x28x1");
    Frame truncated = frame();
    truncated.setPixels(ByteBuffer.wrap(new byte[3]));
    assertThat(FrameDeserializationSchema.shapeProblem(truncated, 2, 1)).contains("3 pixel bytes");
  }

  @Test
  void videoSourcesAreCheckedAgainstTheVideoFeaturesNotTheEncoder() {
    // encoder 28x28x1; video sources: square grey frames the grid 7 divides
    FrameDeserializationSchema schema =
        new FrameDeserializationSchema("unused", Map.of(), 28, 1, 1024, "video-.*", 7);
    Frame video14 = frame();
    video14.setSourceId("video-1");
    video14.setWidth(14);
    video14.setHeight(14);
    video14.setPixels(ByteBuffer.wrap(new byte[14 * 14]));
    assertThat(schema.problemOf(video14)).isNull();
    Frame image14 = Frame.newBuilder(video14).setSourceId("cam-1").build();
    assertThat(schema.problemOf(image14)).contains("the encoder takes 28x28x1");
    Frame video30 =
        Frame.newBuilder(video14)
            .setWidth(30)
            .setHeight(30)
            .setPixels(ByteBuffer.wrap(new byte[30 * 30]))
            .build();
    assertThat(schema.problemOf(video30)).contains("views.videoFeatureGrid 7");
    Frame videoRgb =
        Frame.newBuilder(video14)
            .setWidth(28)
            .setHeight(28)
            .setChannels(3)
            .setPixels(ByteBuffer.wrap(new byte[28 * 28 * 3]))
            .build();
    assertThat(schema.problemOf(videoRgb)).contains("square grey");
    // no video sources: every frame is an image frame
    FrameDeserializationSchema imagesOnly =
        new FrameDeserializationSchema("unused", Map.of(), 28, 1, 1024, "", 7);
    assertThat(imagesOnly.problemOf(video14)).contains("the encoder takes 28x28x1");
  }

  @Test
  void heldTeacherSurvivesTheStateRecord() throws Exception {
    KeyPair key = SigningKeys.generate();
    ModelParameters params =
        ModelParameters.builder().put("w", new int[] {2, 2}, new float[] {1, 2, 3, 4}).build();
    List<ModelUpdate> chunks =
        new UpdateEncoder(key).encodeFull("encoder", 4, 0, params, Map.of("loss", 0.5));
    ModelVersion v =
        new UpdateAssembler("encoder", List.of(key.getPublic()))
            .accept(chunks.get(0))
            .orElseThrow();
    AvroSpecificSerializer<ModelUpdate> s = new AvroSpecificSerializer<>(ModelUpdate.class);
    ModelVersion back =
        ViewsOperator.fromStateBytes(s.fromBytes(s.toBytes(ViewsOperator.toStateRecord(v))));
    assertThat(back.version()).isEqualTo(4);
    assertThat(back.model()).isEqualTo("encoder");
    assertThat(back.payloadSha256()).isEqualTo(v.payloadSha256());
    assertThat(back.parameters().maxAbsDifference(params)).isZero();
    assertThat(back.metrics()).containsEntry("loss", 0.5);
  }

  @Test
  void applyLogMergesAcrossInstancesAndParses() {
    TeacherApplyLog a = new TeacherApplyLog();
    TeacherApplyLog b = new TeacherApplyLog();
    a.applied(0, 1, 100);
    b.applied(1, 1, 130);
    b.restored(1, 2, 200);
    a.rejected(0, 3, "TAMPERED");
    b.rejected(1, 3, "TAMPERED");
    a.merge(b);
    TreeMap<String, Long> value = a.clone().getLocalValue();
    TeacherApplyLog.Snapshot snap = TeacherApplyLog.from(Map.of(TeacherApplyLog.NAME, value));
    assertThat(snap.appliedEverywhereAt(1, 2)).hasValue(130);
    assertThat(snap.appliedEverywhereAt(1, 3)).isEmpty();
    assertThat(snap.heldEverywhere(1, 2)).isTrue();
    assertThat(snap.heldEverywhere(2, 2)).isFalse();
    assertThat(snap.rejections(3)).containsEntry("TAMPERED", 2L);
    assertThat(TeacherApplyLog.parse(null)).isEqualTo(TeacherApplyLog.Snapshot.EMPTY);
  }
}
