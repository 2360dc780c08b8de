package io.selfstream.trainer.views;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code frames} records into {@link FrameEnvelope}s. A value that does not decode, is empty,
 * or has a shape the encoder cannot take ({@code imageSize x imageSize x channels}) becomes a
 * {@link DeadFrame} right here, where its original bytes and offset are known; the views operator
 * routes it to the dead-letter side output. The job never fails on a bad frame. Frames of video
 * sources are checked against what the video features take instead ({@link
 * VideoFrameFeatures#shapeProblem}): they never reach the encoder.
 */
public final class FrameDeserializationSchema
    implements KafkaRecordDeserializationSchema<FrameEnvelope> {

  private static final long serialVersionUID = 1L;

  private final String deserializerClass;
  private final HashMap<String, String> serdeConfig;
  private final int imageSize;
  private final int channels;
  private final int maxOriginalBytes;
  private final Pattern videoSources;
  private final int videoGrid;
  private transient RegistryFraming.Reader<Frame> deserializer;

  /**
   * @param deserializerClass value deserializer class name
   * @param serdeConfig its settings (all strings)
   * @param imageSize side the encoder takes
   * @param channels channels the encoder takes
   * @param maxOriginalBytes dead letters keep at most this many bytes of the original value
   * @param videoSources regex over the whole sourceId of video sources (empty = none)
   * @param videoGrid pooling grid of the video features
   */
  public FrameDeserializationSchema(
      String deserializerClass,
      Map<String, String> serdeConfig,
      int imageSize,
      int channels,
      int maxOriginalBytes,
      String videoSources,
      int videoGrid) {
    this.deserializerClass = deserializerClass;
    this.serdeConfig = new HashMap<>(serdeConfig);
    this.imageSize = imageSize;
    this.channels = channels;
    this.maxOriginalBytes = maxOriginalBytes;
    this.videoSources =
        videoSources == null || videoSources.isEmpty() ? null : Pattern.compile(videoSources);
    this.videoGrid = videoGrid;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) throws Exception {
    Deserializer<Frame> serde = KafkaSerdes.newInstance(deserializerClass, Deserializer.class);
    serde.configure(new HashMap<>(serdeConfig), false);
    deserializer = new RegistryFraming.Reader<>(serde, Frame.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FrameEnvelope> out) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null || record.value().length == 0) {
      out.collect(dead(record, key, null, DeadLetterReason.NULL_VALUE, "empty frames value"));
      return;
    }
    Frame frame;
    try {
      frame = deserializer.deserialize(record.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      out.collect(
          dead(record, key, null, DeadLetterReason.UNDESERIALIZABLE, "cannot deserialize: " + e));
      return;
    }
    String problem = problemOf(frame);
    if (problem != null) {
      out.collect(dead(record, key, frame, DeadLetterReason.MODEL_SHAPE_MISMATCH, problem));
      return;
    }
    out.collect(FrameEnvelope.of(frame));
  }

  /** Why the job cannot take {@code frame} (as a video or an image frame), or {@code null}. */
  String problemOf(Frame frame) {
    return videoSources != null && VideoFeaturesFunction.isVideo(videoSources, frame)
        ? VideoFrameFeatures.shapeProblem(frame, videoGrid)
        : shapeProblem(frame, imageSize, channels);
  }

  /** Why the encoder cannot take {@code frame}, or {@code null} when it can. */
  static String shapeProblem(Frame frame, int imageSize, int channels) {
    int bytes = frame.getPixels() == null ? -1 : frame.getPixels().remaining();
    if (frame.getWidth() != imageSize
        || frame.getHeight() != imageSize
        || frame.getChannels() != channels) {
      return "frame is "
          + frame.getWidth()
          + "x"
          + frame.getHeight()
          + "x"
          + frame.getChannels()
          + ", the encoder takes "
          + imageSize
          + "x"
          + imageSize
          + "x"
          + channels;
    }
    if (bytes != imageSize * imageSize * channels) {
      return "frame has "
          + bytes
          + " pixel bytes, "
          + imageSize
          + "x"
          + imageSize
          + "x"
          + channels
          + " expected";
    }
    return null;
  }

  private FrameEnvelope dead(
      ConsumerRecord<byte[], byte[]> record,
      String key,
      Frame frame,
      DeadLetterReason reason,
      String message) {
    byte[] original = record.value();
    String note = "";
    if (original != null && original.length > maxOriginalBytes) {
      note = " (original value cut to " + maxOriginalBytes + " of " + original.length + " bytes)";
      original = java.util.Arrays.copyOf(original, maxOriginalBytes);
    }
    return FrameEnvelope.dead(
        DeadFrame.newBuilder()
            .setSourceId(frame != null ? frame.getSourceId() : key)
            .setSeq(frame != null ? frame.getSeq() : null)
            .setReason(reason)
            .setMessage(message + note)
            .setOriginalBytes(original == null ? null : ByteBuffer.wrap(original))
            .setTopic(record.topic() != null ? record.topic() : Topics.FRAMES.name())
            .setPartition(record.partition())
            .setOffset(record.offset())
            .setFailedAtMs(Instant.now())
            .build());
  }

  @Override
  public TypeInformation<FrameEnvelope> getProducedType() {
    return new FrameEnvelope.TypeInfo();
  }
}
