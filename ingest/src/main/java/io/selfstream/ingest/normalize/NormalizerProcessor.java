package io.selfstream.ingest.normalize;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.RawFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record in, one record out: a {@link Frame} to {@code frames} or a {@link DeadFrame} to {@code
 * frames.dlq}. Never throws for a bad record; only a failure to write the output (e.g. the schema
 * registry is down) propagates, so Kafka Streams retries rather than losing the record.
 */
final class NormalizerProcessor implements Processor<String, byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(NormalizerProcessor.class);

  /** Header on dead letters carrying the reason code. */
  static final String REASON_HEADER = "selfstream.dlq.reason";

  private static final int MAX_MESSAGE_CHARS = 2000;

  private final FrameNormalizer normalizer;
  private final Deserializer<RawFrame> deserializer;
  private final NormalizerSettings settings;
  private final NormalizerListener listener;
  private ProcessorContext<String, Object> context;
  private long startedNanos;

  NormalizerProcessor(
      FrameNormalizer normalizer,
      Deserializer<RawFrame> deserializer,
      NormalizerSettings settings) {
    this(normalizer, deserializer, settings, NormalizerListener.NONE);
  }

  NormalizerProcessor(
      FrameNormalizer normalizer,
      Deserializer<RawFrame> deserializer,
      NormalizerSettings settings,
      NormalizerListener listener) {
    this.normalizer = normalizer;
    this.deserializer = deserializer;
    this.settings = settings;
    this.listener = listener;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    startedNanos = System.nanoTime();
    listener.received();
    RecordMetadata md = context.recordMetadata().orElse(null);
    String topic = md == null ? "" : md.topic();
    int partition = md == null ? -1 : md.partition();
    long offset = md == null ? -1 : md.offset();
    byte[] value = record.value();
    if (value == null) {
      dead(record, null, DeadLetterReason.NULL_VALUE, "record value is null", md);
      return;
    }
    if (value.length > settings.maxRecordBytes()) {
      dead(
          record,
          null,
          DeadLetterReason.OVERSIZED,
          "record value of "
              + value.length
              + " bytes exceeds normalizer.maxRecordBytes="
              + settings.maxRecordBytes(),
          md);
      return;
    }
    RawFrame raw;
    try {
      raw = deserializer.deserialize(topic, record.headers(), value);
    } catch (Exception e) {
      dead(record, null, DeadLetterReason.UNDESERIALIZABLE, "cannot deserialize: " + e, md);
      return;
    } catch (OutOfMemoryError e) {
      // Avro allocates a bytes/string field at the length the data claims before reading it, so
      // a few hostile bytes can ask for gigabytes. That single allocation failed and nothing was
      // allocated; the heap is intact, so the record is a dead letter, not a dead normalizer.
      dead(
          record,
          null,
          DeadLetterReason.UNDESERIALIZABLE,
          "cannot deserialize: a field claims more memory than the heap has (" + e + ")",
          md);
      return;
    }
    if (raw == null) {
      dead(record, null, DeadLetterReason.UNDESERIALIZABLE, "deserializer returned null", md);
      return;
    }
    Frame frame;
    try {
      frame = normalizer.normalize(raw, partition, offset, context.currentSystemTimeMs());
    } catch (RejectedFrameException e) {
      dead(record, raw, e.reason(), e.getMessage(), md);
      return;
    } catch (RuntimeException e) {
      log.warn("unexpected failure normalizing {}@{}: {}", topic, offset, e.toString(), e);
      dead(record, raw, DeadLetterReason.OTHER, "unexpected: " + e, md);
      return;
    }
    context.forward(
        record
            .withKey(frame.getSourceId())
            .withValue((Object) frame)
            .withHeaders(new RecordHeaders()),
        NormalizerTopology.FRAMES_SINK);
    listener.normalized(System.nanoTime() - startedNanos);
  }

  private void dead(
      Record<String, byte[]> record,
      RawFrame raw,
      DeadLetterReason reason,
      String message,
      RecordMetadata md) {
    String sourceId = record.key() != null ? record.key() : raw == null ? null : raw.getSourceId();
    byte[] original = record.value();
    String text = message == null ? "" : message;
    if (original != null && original.length > settings.dlqMaxOriginalBytes()) {
      text +=
          " [original bytes cut to "
              + settings.dlqMaxOriginalBytes()
              + " of "
              + original.length
              + " by normalizer.dlqMaxOriginalBytes]";
      original = Arrays.copyOf(original, settings.dlqMaxOriginalBytes());
    }
    if (text.length() > MAX_MESSAGE_CHARS) {
      text = text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
    DeadFrame dead =
        DeadFrame.newBuilder()
            .setSourceId(sourceId)
            .setSeq(raw == null ? null : raw.getSeq())
            .setReason(reason)
            .setMessage(text)
            .setOriginalBytes(original == null ? null : ByteBuffer.wrap(original))
            .setTopic(md == null ? "" : md.topic())
            .setPartition(md == null ? -1 : md.partition())
            .setOffset(md == null ? -1 : md.offset())
            .setFailedAtMs(Instant.ofEpochMilli(context.currentSystemTimeMs()))
            .build();
    log.debug("dead letter {} {}@{}: {}", reason, dead.getTopic(), dead.getOffset(), text);
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
    context.forward(
        record.withKey(sourceId).withValue((Object) dead).withHeaders(headers),
        NormalizerTopology.DLQ_SINK);
    listener.deadLetter(reason, System.nanoTime() - startedNanos);
  }
}
