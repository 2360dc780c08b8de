package io.selfstream.ingest.video;

import java.io.IOException;

/** A video feed that could not be opened: missing file, unreachable URL, no video stream, ... */
public final class VideoOpenException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient VideoFeed feed;

  public VideoOpenException(VideoFeed feed, String reason, Throwable cause) {
    super(feed.sourceId() + ": cannot open " + feed.url() + ": " + reason, cause);
    this.feed = feed;
  }

  public VideoOpenException(VideoFeed feed, String reason) {
    this(feed, reason, null);
  }

  private VideoOpenException(String message, VideoFeed feed, Throwable cause) {
    super(message, cause);
    this.feed = feed;
  }

  /** Several feeds that failed at once: one line each; {@link #feed()} is the first. */
  public static VideoOpenException ofMany(int feeds, java.util.List<VideoOpenException> failed) {
    StringBuilder text =
        new StringBuilder(failed.size() + " of " + feeds + " video feeds cannot be opened:");
    for (VideoOpenException e : failed) {
      text.append("\n  ").append(e.getMessage());
    }
    VideoOpenException all = new VideoOpenException(text.toString(), failed.get(0).feed, null);
    failed.forEach(all::addSuppressed);
    return all;
  }

  /** The feed that failed (the first, when several did). */
  public VideoFeed feed() {
    return feed;
  }
}
