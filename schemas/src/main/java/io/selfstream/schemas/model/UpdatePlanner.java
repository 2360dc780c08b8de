package io.selfstream.schemas.model;

import io.selfstream.schemas.avro.UpdateKind;

/**
 * Decides whether a trainer publishes version {@code v} as a FULL or a DELTA: a FULL every {@code
 * K} versions (versions 1, 1+K, 1+2K, ...) so a consumer that starts late, or lost a version,
 * catches up within K versions; a FULL whenever the trainer has no exact copy of what consumers
 * hold (fresh start, restore without it, rollback); otherwise a DELTA against the previous version.
 */
public final class UpdatePlanner {

  private final int fullEvery;

  /**
   * @param fullEvery K >= 1; 1 publishes only FULL updates
   */
  public UpdatePlanner(int fullEvery) {
    if (fullEvery < 1) {
      throw new IllegalArgumentException("fullEvery must be >= 1, got " + fullEvery);
    }
    this.fullEvery = fullEvery;
  }

  public int fullEvery() {
    return fullEvery;
  }

  /** The kind of {@code version} (>= 1) when the trainer holds the consumers' copy. */
  public UpdateKind kindFor(long version) {
    return kindFor(version, true);
  }

  /**
   * @param haveConsumerCopy whether the trainer holds, bit-exact, the parameters consumers hold for
   *     {@code version - 1} (the base a DELTA needs)
   */
  public UpdateKind kindFor(long version, boolean haveConsumerCopy) {
    if (version < 1) {
      throw new IllegalArgumentException("versions start at 1, got " + version);
    }
    if (!haveConsumerCopy || (version - 1) % fullEvery == 0) {
      return UpdateKind.FULL;
    }
    return UpdateKind.DELTA;
  }
}
