package io.selfstream.ingest.normalize;

import io.selfstream.schemas.avro.DeadLetterReason;

/** A frame cannot be normalized; it goes to the dead-letter topic with this reason. */
public final class RejectedFrameException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  public RejectedFrameException(DeadLetterReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
