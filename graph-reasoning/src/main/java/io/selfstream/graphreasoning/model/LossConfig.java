package io.selfstream.graphreasoning.model;

/**
 * Per-stage loss: CE + {@code smoothingWeight} x mean(clamp((log p_t - log p_{t-1})^2, 0, {@code
 * clamp})), the truncated MSE of MS-TCN.
 */
public record LossConfig(double smoothingWeight, double clamp) {

  public static LossConfig paper() {
    return new LossConfig(0.15, 16);
  }
}
