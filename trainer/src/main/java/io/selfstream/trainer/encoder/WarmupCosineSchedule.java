package io.selfstream.trainer.encoder;

/**
 * Learning rate with linear warm-up from {@code base / warmupSteps} to {@code base} over {@code
 * warmupSteps} steps, then cosine decay to {@code min} at {@code totalSteps}.
 */
public record WarmupCosineSchedule(float base, float min, long warmupSteps, long totalSteps) {

  public WarmupCosineSchedule {
    if (!(base > 0) || !(min >= 0) || min > base) {
      throw new IllegalArgumentException(
          "learning rates must satisfy 0 <= min <= base, base > 0; got base "
              + base
              + ", min "
              + min);
    }
    if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "steps must satisfy 0 <= warmup <= total, total > 0; got warmup "
              + warmupSteps
              + ", total "
              + totalSteps);
    }
  }

  /** Rate for the 0-based {@code step}. */
  public float at(long step) {
    if (step < warmupSteps) {
      return base * (step + 1) / warmupSteps;
    }
    long decay = totalSteps - warmupSteps;
    double progress = decay <= 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decay);
    return (float) (min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * progress)));
  }
}
