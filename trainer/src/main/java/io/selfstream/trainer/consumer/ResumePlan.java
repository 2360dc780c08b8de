package io.selfstream.trainer.consumer;

import java.util.OptionalLong;

/**
 * What a starting trainer does, decided from its checkpoint's version and the newest version
 * committed on {@code model-updates}. Because the checkpoint for {@code v} is written before {@code
 * v}'s transaction and the transaction commits the version and the input offsets together, the
 * topic can only be at {@code v} (the transaction committed) or {@code v - 1} (it did not);
 * anything else means someone else published this model or the checkpoint is not this trainer's
 * latest, and continuing would fork or repeat versions, so the trainer refuses to start.
 *
 * @param action what to do
 * @param lastPublished the newest version once the action is done (the next version is this + 1)
 * @param reason one line for the log
 */
public record ResumePlan(Action action, long lastPublished, String reason) {

  public enum Action {
    /** Checkpoint {@code v}, topic at {@code v - 1}: publish the stored chunks of {@code v}. */
    REPUBLISH_PENDING,
    /** Checkpoint {@code v}, topic at {@code v}: nothing to publish. */
    UP_TO_DATE,
    /** No checkpoint, no version: this trainer publishes the source model as version 1 FULL. */
    PUBLISH_SOURCE,
    /** No checkpoint, versions on the topic: start from the source, continue the numbering. */
    CONTINUE_FROM_TOPIC,
    /** No checkpoint, no version, and version 1 is someone else's (the bootstrap's) to publish. */
    NEED_SOURCE_VERSION,
    /** The checkpoint and the topic disagree: refuse to start. */
    CONFLICT
  }

  /**
   * @param checkpointVersion the version of the current checkpoint, if any
   * @param newestOnTopic newest committed version of the model on the topic (0 = none)
   * @param publishesOwnSource whether this trainer publishes version 1 itself (every model but the
   *     bootstrap's {@code encoder})
   */
  public static ResumePlan decide(
      OptionalLong checkpointVersion, long newestOnTopic, boolean publishesOwnSource) {
    if (newestOnTopic < 0) {
      throw new IllegalArgumentException("newestOnTopic must be >= 0, got " + newestOnTopic);
    }
    if (checkpointVersion.isPresent()) {
      long v = checkpointVersion.getAsLong();
      if (newestOnTopic == v - 1) {
        return new ResumePlan(
            Action.REPUBLISH_PENDING,
            v,
            "checkpoint holds v" + v + ", topic ends at v" + newestOnTopic + ": republish v" + v);
      }
      if (newestOnTopic == v) {
        return new ResumePlan(
            Action.UP_TO_DATE, v, "checkpoint and topic agree on v" + v + ": resume");
      }
      return new ResumePlan(
          Action.CONFLICT,
          newestOnTopic,
          newestOnTopic > v
              ? "topic holds v"
                  + newestOnTopic
                  + " but this trainer's checkpoint only reached v"
                  + v
                  + ": another trainer publishes this model, or the checkpoint is stale"
              : "checkpoint holds v"
                  + v
                  + " but the topic ends at v"
                  + newestOnTopic
                  + ": versions were lost from the topic (retention, a new cluster?)");
    }
    if (newestOnTopic == 0) {
      return publishesOwnSource
          ? new ResumePlan(Action.PUBLISH_SOURCE, 1, "first start: publish the source as v1")
          : new ResumePlan(
              Action.NEED_SOURCE_VERSION,
              0,
              "no version on the topic yet: publish the source model first"
                  + " (selfstream bootstrap encoder)");
    }
    return new ResumePlan(
        Action.CONTINUE_FROM_TOPIC,
        newestOnTopic,
        "no checkpoint; topic ends at v" + newestOnTopic + ": train from the source, continue");
  }
}
