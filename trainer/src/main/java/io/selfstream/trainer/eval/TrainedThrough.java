package io.selfstream.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a published version has trained on each source: the update metric {@code
 * trained_through.<sourceId>} holds the highest {@code seq} of that source the trainer had trained
 * on when it published. A version that has not trained on a frame is one whose entry for the
 * frame's source is below the frame's seq (or absent): the prequential evaluator scores every frame
 * only with such versions.
 */
public final class TrainedThrough {

  /** Prefix of the per-source metric entries on {@code ModelUpdate.metrics}. */
  public static final String METRIC_PREFIX = "trained_through.";

  private TrainedThrough() {}

  /** The per-source entries of {@code metrics} (others ignored). */
  public static Map<String, Long> fromMetrics(Map<String, Double> metrics) {
    Map<String, Long> out = new LinkedHashMap<>();
    metrics.forEach(
        (k, v) -> {
          if (k.startsWith(METRIC_PREFIX) && v != null) {
            out.put(k.substring(METRIC_PREFIX.length()), v.longValue());
          }
        });
    return out;
  }

  /** {@code through} as metric entries, to put on an update. */
  public static Map<String, Double> toMetrics(Map<String, Long> through) {
    Map<String, Double> out = new LinkedHashMap<>();
    through.forEach((k, v) -> out.put(METRIC_PREFIX + k, v.doubleValue()));
    return out;
  }

  /**
   * True when a version with {@code through} has not trained on frame {@code seq} of {@code src}.
   */
  public static boolean hasNotSeen(Map<String, Long> through, String sourceId, long seq) {
    Long t = through.get(sourceId);
    return t == null || t < seq;
  }
}
