package io.selfstream.ingest.produce;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A snapshot of an ingest run.
 *
 * @param sent records handed to the producer
 * @param acked records the broker acknowledged
 * @param failed records that could not be delivered
 * @param total frames the source will yield in all, when known
 * @param elapsed time since the run started
 */
public record IngestProgress(
    long sent, long acked, long failed, OptionalLong total, Duration elapsed) {

  /** Acknowledged frames per second so far. */
  public double ackedPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? acked / seconds : 0;
  }

  /** Sent and not yet acknowledged or failed. */
  public long inFlight() {
    return sent - acked - failed;
  }
}
