package io.selfstream.graphreasoning.live;

/**
 * What the live segmentation app does with features whose encoder version differs from the one the
 * serving temporal model was trained on ({@code features.encoder_version} of the model).
 *
 * <p>A temporal model reads coordinates of one encoder's feature space; another encoder version
 * (even of the same architecture) places the same frame elsewhere, so the model's input is silently
 * out of distribution. How much that costs is measured, not assumed (see the package
 * documentation), and the default is {@link #STRICT}.
 */
public enum FeaturePolicy {
  /**
   * Label only frames whose encoder version equals the model's; other frames are counted ({@code
   * encoderMismatch}) and skipped, and are left out of the model's window too. Labels stop while
   * the encoder runs ahead of the temporal model, and resume once a temporal model for the new
   * encoder version is published.
   */
  STRICT,
  /**
   * Label every frame with the newest model whatever its encoder version; each label carries both
   * versions ({@code encoderVersion} of the frame, {@code modelEncoderVersion} of the model) so a
   * consumer can tell mixed labels apart. Never stalls; may be wrong.
   */
  LATEST;

  /** Parses {@code strict} / {@code latest}, case-insensitively. */
  public static FeaturePolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
  }
}
