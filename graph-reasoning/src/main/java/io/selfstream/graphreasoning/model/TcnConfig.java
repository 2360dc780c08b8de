package io.selfstream.graphreasoning.model;

/**
 * A single-stage TCN: 1x1 conv to {@code featureMaps}, {@code layers} dilated residual layers
 * (kernel 3, dilation 2^i), dropout, 1x1 conv to the classes.
 *
 * @param layers dilated residual layers (MS-TCN: 10)
 * @param featureMaps channels inside the stage (MS-TCN: 64)
 * @param dropout dropout rate inside each residual layer (MS-TCN: 0.5)
 * @param causal pad only on the left, so frame t never sees frames after t (online use); MS-TCN
 *     itself is acausal
 */
public record TcnConfig(int layers, int featureMaps, double dropout, boolean causal) {

  public static final int KERNEL = 3;

  public TcnConfig {
    if (layers < 1 || featureMaps < 1 || dropout < 0 || dropout >= 1) {
      throw new IllegalArgumentException(
          "bad TCN config: layers " + layers + ", maps " + featureMaps + ", dropout " + dropout);
    }
  }

  /** The MS-TCN paper's stage: 10 layers, 64 maps, dropout 0.5, acausal. */
  public static TcnConfig paper() {
    return new TcnConfig(10, 64, 0.5, false);
  }

  /**
   * Frames each side of t that can influence the output at t: {@code 2^layers - 1} (acausal), or
   * {@code 2 * (2^layers - 1)} to the left only (causal).
   */
  public int reach() {
    int r = (1 << layers) - 1;
    return causal ? 2 * r : r;
  }
}
