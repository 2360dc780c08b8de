package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The live segmentation app's topology: {@code features} (values read as bytes, keyed by source) ->
 * label -> {@code frame-labels} and {@code segments}.
 *
 * <p>One processor with two state stores per source key: {@value #WINDOW_STORE} (in memory, no
 * changelog: the last {@code windowFrames} feature vectors, soft state that refills after a
 * restart) and {@value #PROGRESS_STORE} (persistent, logged: last seq, pending position, the open
 * segment). Partitioning by source keeps a source's frames in order on one task; no repartitioning.
 * The model comes from a {@link TemporalModelHolder} updated outside the topology (a {@code
 * ModelUpdateFollower}), so a new version applies to the next record without a restart. Undecodable
 * records are counted and skipped (the {@code features} topic has no dead-letter topic: its
 * producer, the views job, dead-letters bad frames upstream).
 */
public final class SegmentationTopology {

  /** Node and store names, for tests and topology descriptions. */
  public static final String SOURCE = "features-source";

  public static final String PROCESSOR = "label-frames";
  public static final String LABELS_SINK = "frame-labels-sink";
  public static final String SEGMENTS_SINK = "segments-sink";
  public static final String WINDOW_STORE = "segmentation-windows";
  public static final String PROGRESS_STORE = "segmentation-progress";

  private SegmentationTopology() {}

  /** Builds the topology; counters are kept but not exposed (see the four-argument form). */
  public static Topology build(
      LiveSegmentationSettings settings, TemporalModelHolder holder, SegmentationSerdes serdes) {
    return build(settings, holder, serdes, new LiveCounters());
  }

  /**
   * Builds the topology.
   *
   * @param holder serves the current temporal model (shared by all stream threads)
   * @param counters where the processors count what they did
   */
  public static Topology build(
      LiveSegmentationSettings settings,
      TemporalModelHolder holder,
      SegmentationSerdes serdes,
      LiveCounters counters) {
    return build(settings, holder, serdes, counters, LiveListener.NONE);
  }

  /**
   * Builds the topology, reporting every forwarded label and segment to {@code listener} (metrics).
   */
  public static Topology build(
      LiveSegmentationSettings settings,
      TemporalModelHolder holder,
      SegmentationSerdes serdes,
      LiveCounters counters,
      LiveListener listener) {
    Topology topology = new Topology();
    topology.addSource(
        SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), featuresTopic());
    topology.addProcessor(
        PROCESSOR,
        () ->
            new SegmentationProcessor(
                settings, holder, serdes.features().deserializer(), counters, listener),
        SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(WINDOW_STORE),
                Serdes.String(),
                new SourceWindow.StoreSerde())
            .withLoggingDisabled()
            .withCachingDisabled(),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PROGRESS_STORE),
                Serdes.String(),
                new SourceProgress.StoreSerde())
            .withLoggingEnabled(Map.of())
            .withCachingDisabled(),
        PROCESSOR);
    topology.addSink(
        LABELS_SINK,
        Topics.FRAME_LABELS.name(),
        Serdes.String().serializer(),
        serdes.frameLabel().serializer(),
        PROCESSOR);
    topology.addSink(
        SEGMENTS_SINK,
        Topics.SEGMENTS.name(),
        Serdes.String().serializer(),
        serdes.segment().serializer(),
        PROCESSOR);
    return topology;
  }

  static String featuresTopic() {
    return Topics.FEATURES.name();
  }
}
