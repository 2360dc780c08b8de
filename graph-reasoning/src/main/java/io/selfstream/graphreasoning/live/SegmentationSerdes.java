package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.serde.SerdeFactory;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serdes of the live segmentation app's topics, already configured (registry URL etc.).
 * Keys are UTF-8 source ids.
 *
 * @param features values of {@code features} (only its deserializer is used)
 * @param frameLabel values of {@code frame-labels} (only its serializer is used)
 * @param segment values of {@code segments} (only its serializer is used)
 */
public record SegmentationSerdes(
    Serde<FrameFeatures> features, Serde<FrameLabel> frameLabel, Serde<SegmentEvent> segment) {

  public SegmentationSerdes {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(frameLabel, "frameLabel");
    Objects.requireNonNull(segment, "segment");
  }

  /** The registry serdes of the three topics. */
  public static SegmentationSerdes of(SerdeFactory factory) {
    return new SegmentationSerdes(
        factory.valueSerde(Topics.FEATURES),
        factory.valueSerde(Topics.FRAME_LABELS),
        factory.valueSerde(Topics.SEGMENTS));
  }
}
