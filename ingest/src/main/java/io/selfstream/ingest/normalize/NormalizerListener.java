package io.selfstream.ingest.normalize;

import io.selfstream.schemas.avro.DeadLetterReason;

/**
 * What the normalizer did with each record, for metrics. The ingest module has no metrics library
 * on purpose; the process that runs the normalizer (the CLI) adapts these calls to its registry.
 * Calls come from the stream threads, once per record, so implementations must be thread-safe and
 * cheap (increment a counter). A record that Kafka Streams retries after a failed write is reported
 * again: the counts are of processing attempts, the topics hold the exactly-once truth.
 */
public interface NormalizerListener {

  /** Reports nothing. */
  NormalizerListener NONE = new NormalizerListener() {};

  /** A record was read from {@code frames.raw}. */
  default void received() {}

  /**
   * A frame went to {@code frames}; {@code nanos} from read to forward (decode, resize, encode).
   */
  default void normalized(long nanos) {}

  /** A dead letter went to {@code frames.dlq} for {@code reason}; {@code nanos} as above. */
  default void deadLetter(DeadLetterReason reason, long nanos) {}
}
