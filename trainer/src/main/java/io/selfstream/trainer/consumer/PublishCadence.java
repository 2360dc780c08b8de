package io.selfstream.trainer.consumer;

import java.time.Duration;

/**
 * When the trainer publishes a version: after {@code everySteps} steps, or once {@code every} has
 * passed since the last publish, whichever comes first, and never without a new step (a version
 * that changed nothing would only cost consumers a download). Either trigger can be off (0), not
 * both. Pure: the caller passes the counts and the clock reading.
 */
public record PublishCadence(int everySteps, Duration every) {

  public PublishCadence {
    if (everySteps < 0) {
      throw new IllegalArgumentException("everySteps must be >= 0, got " + everySteps);
    }
    if (every == null || every.isNegative()) {
      throw new IllegalArgumentException("every must be >= 0, got " + every);
    }
    if (everySteps == 0 && every.isZero()) {
      throw new IllegalArgumentException("both triggers are off: nothing would ever be published");
    }
  }

  /**
   * @param stepsSincePublish learner steps since the last publish
   * @param nanosSincePublish time since the last publish (or since start)
   */
  public boolean due(long stepsSincePublish, long nanosSincePublish) {
    if (stepsSincePublish <= 0) {
      return false;
    }
    if (everySteps > 0 && stepsSincePublish >= everySteps) {
      return true;
    }
    return !every.isZero() && nanosSincePublish >= every.toNanos();
  }
}
