package io.selfstream.ingest.source;

import io.selfstream.schemas.avro.RawFrame;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A finite or endless sequence of {@link RawFrame}s of one source, in order, with {@code seq}
 * increasing by one per frame. Single-threaded, like an iterator. Close it when done.
 */
public interface FrameSource extends Iterator<RawFrame>, AutoCloseable {

  /** The source id: the record key of every frame. */
  String sourceId();

  /** How many frames this source yields in all, when known up front. */
  OptionalLong size();

  /** Releases resources; the default does nothing. */
  @Override
  default void close() {}

  /** At most {@code max} frames of this source; {@code max <= 0} means no limit. */
  default FrameSource limit(long max) {
    return max <= 0 ? this : new LimitedSource(this, max);
  }

  /**
   * This source paced to at most {@code framesPerSecond} (smooth, no bursts beyond 100 ms of
   * catch-up); {@code <= 0} means unpaced. An interrupt while pacing ends the source: the
   * interrupted thread's {@code hasNext()} answers false.
   */
  default FrameSource rateLimited(double framesPerSecond) {
    return framesPerSecond <= 0
        ? this
        : new RateLimitedSource(this, new RateLimiter(framesPerSecond));
  }

  /** The remaining frames as a sequential stream that closes this source when closed. */
  default Stream<RawFrame> stream() {
    Spliterator<RawFrame> spliterator =
        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
    return StreamSupport.stream(spliterator, false).onClose(this::close);
  }
}
