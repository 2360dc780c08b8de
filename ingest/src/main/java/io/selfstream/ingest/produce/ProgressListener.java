package io.selfstream.ingest.produce;

/**
 * Receives progress while frames are sent (at most once per progress interval, and once at the
 * end), on the sending thread.
 */
@FunctionalInterface
public interface ProgressListener {

  /** Ignores progress. */
  ProgressListener NONE = progress -> {};

  void onProgress(IngestProgress progress);
}
