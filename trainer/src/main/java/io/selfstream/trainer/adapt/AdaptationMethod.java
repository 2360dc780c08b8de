package io.selfstream.trainer.adapt;

import java.util.Locale;

/**
 * The online-adaptation methods compared on one stream. Each learning method publishes its versions
 * under its own model name so consumers (and the evaluator) can follow any of them.
 */
public enum AdaptationMethod {
  /**
   * The frozen bootstrap model: version 1 of {@code encoder}, which the bootstrap publishes. It
   * never trains and publishes nothing of its own.
   */
  SOURCE("encoder"),
  /** Entropy minimisation on the normalisation layers' affine parameters (Wang et al., TENT). */
  TENT("encoder-tent"),
  /** EMA-teacher pseudo-label self-training without masking or alignment (the ablation). */
  SELFTRAIN("encoder-selftrain"),
  /** The full MUST objective: pseudo-label CE + fairness + masked reconstruction + alignment. */
  SELFSTREAM("encoder");

  private final String modelName;

  AdaptationMethod(String modelName) {
    this.modelName = modelName;
  }

  /** Model name of this method's versions on {@code model-updates}. */
  public String modelName() {
    return modelName;
  }

  /** Lower-case name used in config values, CLI options and JSON ({@code selfstream}, ...). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AdaptationMethod parse(String s) {
    for (AdaptationMethod m : values()) {
      if (m.id().equalsIgnoreCase(s.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown adaptation method '" + s + "' (source, tent, selftrain, selfstream)");
  }
}
