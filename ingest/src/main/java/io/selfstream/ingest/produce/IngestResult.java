package io.selfstream.ingest.produce;

import java.time.Duration;
import java.util.Optional;

/**
 * How an ingest run ended. After {@link FrameProducer#sendAll} returns, every sent frame is either
 * acked or failed: {@code sent == acked + failed}.
 *
 * @param read frames taken from the source
 * @param sent frames handed to the producer
 * @param acked frames the broker acknowledged
 * @param failed frames that could not be delivered (see {@code error})
 * @param elapsed wall time of the run, including the final flush
 * @param interrupted whether the run stopped early because its thread was interrupted
 * @param error the first send error, if any
 */
public record IngestResult(
    long read,
    long sent,
    long acked,
    long failed,
    Duration elapsed,
    boolean interrupted,
    Optional<Throwable> error) {

  /** Whether every frame read was acknowledged and the run was not cut short. */
  public boolean complete() {
    return !interrupted && failed == 0 && acked == read && error.isEmpty();
  }

  /** Acknowledged frames per second over the run. */
  public double framesPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? acked / seconds : 0;
  }
}
