package io.selfstream.graphreasoning.live;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the live segmentation app did with the frames it read, for status lines, benchmarks and
 * tests. Every frame read is either labelled (possibly later, after its lookahead) or counted under
 * exactly one reason why not. Thread-safe.
 */
public final class LiveCounters {

  final AtomicLong framesIn = new AtomicLong();
  final AtomicLong labelled = new AtomicLong();
  final AtomicLong mixedVersionLabels = new AtomicLong();
  final AtomicLong segments = new AtomicLong();
  final AtomicLong outOfOrder = new AtomicLong();
  final AtomicLong encoderMismatch = new AtomicLong();
  final AtomicLong dimMismatch = new AtomicLong();
  final AtomicLong noModel = new AtomicLong();
  final AtomicLong undecodable = new AtomicLong();
  final AtomicLong gapFrames = new AtomicLong();
  final AtomicLong windowResets = new AtomicLong();
  final AtomicLong catchUpDeferred = new AtomicLong();

  /**
   * A consistent-enough copy of the counters.
   *
   * @param framesIn feature records read
   * @param labelled frames labelled (a frame-labels record each)
   * @param mixedVersionLabels labels of frames whose encoder version differs from the model's (only
   *     under {@link FeaturePolicy#LATEST})
   * @param segments segment events emitted (closed and provisional)
   * @param outOfOrder frames dropped because their seq was not above the last one of their source
   * @param encoderMismatch frames skipped under {@link FeaturePolicy#STRICT}
   * @param dimMismatch frames skipped because their dimension is not the model's
   * @param noModel frames that came due while no model served
   * @param undecodable records that were not {@code FrameFeatures}
   * @param gapFrames frames missing between consecutive seqs (not read, so not in framesIn)
   * @param windowResets gaps beyond {@code maxGapFrames} (and dimension changes) that restarted a
   *     window
   * @param catchUpDeferred frames whose due labels waited for a catch-up batch (the app was behind)
   */
  public record Snapshot(
      long framesIn,
      long labelled,
      long mixedVersionLabels,
      long segments,
      long outOfOrder,
      long encoderMismatch,
      long dimMismatch,
      long noModel,
      long undecodable,
      long gapFrames,
      long windowResets,
      long catchUpDeferred) {

    /** Name -> value, in declaration order. */
    public Map<String, Long> toMap() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("framesIn", framesIn);
      m.put("labelled", labelled);
      m.put("mixedVersionLabels", mixedVersionLabels);
      m.put("segments", segments);
      m.put("outOfOrder", outOfOrder);
      m.put("encoderMismatch", encoderMismatch);
      m.put("dimMismatch", dimMismatch);
      m.put("noModel", noModel);
      m.put("undecodable", undecodable);
      m.put("gapFrames", gapFrames);
      m.put("windowResets", windowResets);
      m.put("catchUpDeferred", catchUpDeferred);
      return m;
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(
        framesIn.get(),
        labelled.get(),
        mixedVersionLabels.get(),
        segments.get(),
        outOfOrder.get(),
        encoderMismatch.get(),
        dimMismatch.get(),
        noModel.get(),
        undecodable.get(),
        gapFrames.get(),
        windowResets.get(),
        catchUpDeferred.get());
  }
}
