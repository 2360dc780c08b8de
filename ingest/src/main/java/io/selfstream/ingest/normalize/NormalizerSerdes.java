package io.selfstream.ingest.normalize;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.RawFrame;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serdes of the normalizer's three topics, already configured (registry URL etc.). Keys
 * are UTF-8 source ids.
 *
 * @param rawFrame values of {@code frames.raw} (only its deserializer is used)
 * @param frame values of {@code frames} (only its serializer is used)
 * @param deadFrame values of {@code frames.dlq} (only its serializer is used)
 */
public record NormalizerSerdes(
    Serde<RawFrame> rawFrame, Serde<Frame> frame, Serde<DeadFrame> deadFrame) {

  public NormalizerSerdes {
    Objects.requireNonNull(rawFrame, "rawFrame");
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(deadFrame, "deadFrame");
  }
}
