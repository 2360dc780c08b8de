package io.selfstream.ingest.video;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Why a video feed stopped before its end, after it was opened. The frames decoded before the
 * failure were sent; this says what is missing.
 *
 * @param feed the feed
 * @param kind what went wrong
 * @param nextSeq the seq the first missing frame would have had
 * @param decoded frames decoded before the failure (before any {@code fps} thinning)
 * @param expected frames the container announced, when it did
 * @param message human-readable reason
 */
public record VideoFailure(
    VideoFeed feed, Kind kind, long nextSeq, long decoded, OptionalLong expected, String message) {

  /** What went wrong. */
  public enum Kind {
    /** The stream ended well before the length its container announced (truncated file). */
    TRUNCATED,
    /** FFmpeg reported an I/O error (network drop, read timeout, unreadable file). */
    READ_ERROR,
    /** FFmpeg could not decode or convert a frame. */
    DECODE_ERROR,
    /** A decoded frame would not fit in one Kafka record. */
    FRAME_TOO_LARGE
  }

  /**
   * The dead letter recorded on {@code frames.dlq} for this failure: keyed like the feed's frames,
   * with the first missing seq, reason {@code UNDECODABLE} (the schema's code for media that cannot
   * be decoded; the message says which kind) and no original bytes (there is no record to keep).
   */
  public DeadFrame toDeadFrame(Instant failedAt) {
    return DeadFrame.newBuilder()
        .setSourceId(feed.sourceId())
        .setSeq(nextSeq)
        .setReason(DeadLetterReason.UNDECODABLE)
        .setMessage("video " + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message)
        .setOriginalBytes(null)
        .setTopic("")
        .setPartition(-1)
        .setOffset(-1)
        .setFailedAtMs(failedAt)
        .build();
  }
}
