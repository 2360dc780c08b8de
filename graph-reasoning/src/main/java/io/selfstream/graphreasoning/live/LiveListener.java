package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.model.ModelVersion;

/**
 * What the live segmentation app emitted and applied, for metrics. The graph-reasoning module has
 * no metrics library; the process that runs the app (the CLI) adapts these calls to its registry.
 * {@link LiveCounters} stays the source of the status line and of the tests' accounting; this hook
 * carries what counters cannot: per-record latency, segment labels, the age of an applied model.
 * Calls come from stream threads and the model follower thread: implementations must be thread-safe
 * and cheap.
 */
public interface LiveListener {

  /** Reports nothing. */
  LiveListener NONE = new LiveListener() {};

  /** A label was forwarded to {@code frame-labels} (its {@code emittedAtMs} is the wall clock). */
  default void labelled(FrameLabel label) {}

  /** A segment event (closed or provisional) was forwarded to {@code segments}. */
  default void segment(SegmentEvent event) {}

  /** {@code version} became the served model at {@code appliedAtMs} (wall clock). */
  default void applied(ModelVersion version, long appliedAtMs) {}
}
