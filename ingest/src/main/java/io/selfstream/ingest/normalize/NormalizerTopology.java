package io.selfstream.ingest.normalize;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.RawFrame;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The frame normalizer's topology: {@code frames.raw} (values read as bytes) -> normalize -> {@code
 * frames} or {@code frames.dlq}.
 *
 * <p>Values are deserialized inside the processor, so a record that cannot be deserialized is a
 * dead letter (UNDESERIALIZABLE, with its raw bytes) rather than a deserialization-handler
 * decision. Every input record produces exactly one output record, on {@code frames} or on {@code
 * frames.dlq}: frames in = frames out + dead letters. No state stores, no repartitioning.
 */
public final class NormalizerTopology {

  /** Node names, for tests and topology descriptions. */
  public static final String SOURCE = "frames-raw-source";

  public static final String PROCESSOR = "normalize";
  public static final String FRAMES_SINK = "frames-sink";
  public static final String DLQ_SINK = "frames-dlq-sink";

  private NormalizerTopology() {}

  /** Builds the topology from settings and configured value serdes. */
  public static Topology build(NormalizerSettings settings, NormalizerSerdes serdes) {
    return build(settings, serdes, NormalizerListener.NONE);
  }

  /**
   * Builds the topology from settings and configured value serdes, reporting every record to {@code
   * listener} (metrics).
   */
  public static Topology build(
      NormalizerSettings settings, NormalizerSerdes serdes, NormalizerListener listener) {
    Topology topology = new Topology();
    topology.addSource(
        SOURCE,
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        Topics.FRAMES_RAW.name());
    topology.addProcessor(
        PROCESSOR,
        () ->
            new NormalizerProcessor(
                new FrameNormalizer(settings),
                serdes.rawFrame().deserializer(),
                settings,
                listener),
        SOURCE);
    topology.addSink(
        FRAMES_SINK,
        Topics.FRAMES.name(),
        Serdes.String().serializer(),
        serdes.frame().serializer(),
        PROCESSOR);
    topology.addSink(
        DLQ_SINK,
        Topics.FRAMES_DLQ.name(),
        Serdes.String().serializer(),
        serdes.deadFrame().serializer(),
        PROCESSOR);
    return topology;
  }

  /** Builds the topology from settings and configured value serdes. */
  public static Topology build(
      NormalizerSettings settings,
      Serde<RawFrame> rawFrame,
      Serde<Frame> frame,
      Serde<DeadFrame> deadFrame) {
    return build(settings, new NormalizerSerdes(rawFrame, frame, deadFrame));
  }
}
