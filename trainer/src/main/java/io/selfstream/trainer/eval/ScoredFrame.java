package io.selfstream.trainer.eval;

import io.selfstream.trainer.augment.U8Image;
import java.util.Objects;

/**
 * A frame with its ground truth, joined from {@code frames} and {@code labels.eval} for evaluation
 * only.
 */
public record ScoredFrame(String sourceId, long seq, U8Image image, int label, String domain) {
  public ScoredFrame {
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(image, "image");
    domain = domain == null ? "unknown" : domain;
  }
}
