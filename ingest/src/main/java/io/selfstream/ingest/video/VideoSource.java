package io.selfstream.ingest.video;

import io.selfstream.ingest.image.Resizer;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames of one video file or stream, decoded by FFmpeg (javacv's {@link FFmpegFrameGrabber}),
 * as RAW_U8 {@link RawFrame}s in decode order with {@code seq} increasing by one and {@code
 * captureTimeMs} the wall-clock time the frame was decoded (after pacing, with {@code realtime}).
 *
 * <p>Pixels are gray or RGB as the {@link FrameShape} says, converted by FFmpeg, and resized here
 * to the model size with the normalizer's own {@link Resizer} (so a frame is the same whether it
 * was resized here or by the normalizer).
 *
 * <p>A video that breaks after it opened keeps every frame decoded so far and then ends; {@link
 * #failure()} says what was lost. javacv reports a read error or a truncated file as a plain end of
 * stream, so the end is checked: FFmpeg's I/O error on the input, and the frames decoded against
 * the count the container announced (the stream's frame count, else duration x frame rate), within
 * {@link #SHORTFALL_TOLERANCE} (containers round their durations). A live stream announces no
 * length: its end is only checked for I/O errors.
 *
 * <p>Single-threaded, like an iterator. Close it when done.
 */
public final class VideoSource implements FrameSource {

  private static final Logger log = LoggerFactory.getLogger(VideoSource.class);

  /**
   * A stream that ends this fraction (or 2 frames, whichever is more) short of its announced length
   * counts as truncated; less is rounding of container durations.
   */
  public static final double SHORTFALL_TOLERANCE = 0.01;

  /** Bytes a RawFrame record needs beyond its pixels (ids, origin, Avro and record framing). */
  static final int RECORD_OVERHEAD = 1024;

  /** A pause longer than this between two frames' timestamps is a timestamp jump, not a wait. */
  static final long MAX_PACING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Schemes whose FFmpeg protocol takes {@code timeout} as a socket timeout in microseconds. */
  private static final Set<String> SOCKET_TIMEOUT_SCHEMES =
      Set.of("http", "https", "rtsp", "rtsps", "tcp", "tls");

  /** Waits; a test passes a fake. */
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final VideoFeed feed;
  private final FFmpegFrameGrabber grabber;
  private final long startSeq;
  private final VideoSettings settings;
  private final FrameShape shape;
  private final int maxFrameBytes;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final OptionalLong expected;
  private final boolean exactCount;

  private RawFrame pending;
  private boolean ended;
  private long decoded;
  private long emitted;
  private VideoFailure failure;
  private double nextKeepMicros = Double.NaN;
  private long paceOriginNanos;
  private long paceOriginMicros = Long.MIN_VALUE;
  private long lastTimestamp = Long.MIN_VALUE;

  private VideoSource(
      VideoFeed feed,
      FFmpegFrameGrabber grabber,
      long startSeq,
      VideoSettings settings,
      FrameShape shape,
      int maxFrameBytes,
      Clock clock,
      LongSupplier nanoTime,
      Sleeper sleeper) {
    this.feed = feed;
    this.grabber = grabber;
    this.startSeq = startSeq;
    this.settings = settings;
    this.shape = shape;
    this.maxFrameBytes = maxFrameBytes;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    AVStream video = videoStream(grabber.getFormatContext());
    long frames = video == null ? 0 : video.nb_frames();
    AVFormatContext oc = grabber.getFormatContext();
    if (frames > 0) {
      expected = OptionalLong.of(frames);
      exactCount = true;
    } else if (oc.duration() > 0 && oc.duration() != avutil.AV_NOPTS_VALUE) {
      int length = grabber.getLengthInVideoFrames();
      expected = length > 0 ? OptionalLong.of(length) : OptionalLong.empty();
      exactCount = false;
    } else {
      expected = OptionalLong.empty();
      exactCount = false;
    }
  }

  /**
   * Opens {@code feed}. Fails fast: a missing or unreadable file before FFmpeg is asked, a network
   * URL within {@link VideoSettings#timeout()} (connect and each read).
   *
   * @param startSeq seq of the first frame
   * @param maxFrameBytes largest record the producer may send ({@code ingest.producer
   *     .maxRequestBytes}): a video whose frames would not fit is refused here, not frame by frame
   * @throws VideoOpenException with a one-line reason (no such file, connection refused, timed out,
   *     no video stream, frames too large, ...)
   */
  public static VideoSource open(
      VideoFeed feed,
      long startSeq,
      VideoSettings settings,
      FrameShape shape,
      int maxFrameBytes,
      Clock clock)
      throws VideoOpenException {
    return open(
        feed,
        startSeq,
        settings,
        shape,
        maxFrameBytes,
        clock,
        System::nanoTime,
        nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
  }

  static VideoSource open(
      VideoFeed feed,
      long startSeq,
      VideoSettings settings,
      FrameShape shape,
      int maxFrameBytes,
      Clock clock,
      LongSupplier nanoTime,
      Sleeper sleeper)
      throws VideoOpenException {
    if (startSeq < 0) {
      throw new IllegalArgumentException("startSeq must be >= 0, got " + startSeq);
    }
    String input = feed.url();
    Path local = feed.localFile();
    if (local != null) {
      if (!Files.exists(local)) {
        throw new VideoOpenException(feed, "no such file: " + local.toAbsolutePath());
      }
      if (Files.isDirectory(local)) {
        throw new VideoOpenException(feed, local.toAbsolutePath() + " is a folder, not a video");
      }
      if (!Files.isReadable(local)) {
        throw new VideoOpenException(feed, "cannot read " + local.toAbsolutePath());
      }
      // "file:" keeps FFmpeg from reading a colon in the path as a protocol
      input = "file:" + local.toAbsolutePath();
    }
    try {
      Ffmpeg.init();
    } catch (IllegalStateException e) {
      throw new VideoOpenException(feed, e.getMessage(), e);
    }
    FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input);
    grabber.setImageMode(
        shape.channels() == 1 ? FrameGrabber.ImageMode.GRAY : FrameGrabber.ImageMode.COLOR);
    grabber.setVideoOption("threads", Integer.toString(settings.decoderThreads()));
    if (feed.isNetwork()) {
      String micros = Long.toString(settings.timeout().toNanos() / 1000);
      grabber.setOption("rw_timeout", micros);
      if (SOCKET_TIMEOUT_SCHEMES.contains(feed.scheme())) {
        grabber.setOption("timeout", micros);
      }
    }
    try {
      grabber.start();
      if (!grabber.hasVideo()) {
        throw new VideoOpenException(feed, "no video stream in it");
      }
      int width = grabber.getImageWidth();
      int height = grabber.getImageHeight();
      long bytes = (long) shape.widthFor(width) * shape.heightFor(height) * shape.channels();
      if (bytes + RECORD_OVERHEAD > maxFrameBytes) {
        throw new VideoOpenException(
            feed,
            String.format(
                "its %dx%dx%d frames (%d bytes) do not fit a %d-byte record; send them at the"
                    + " model size (ingest.video.frames=model) or raise"
                    + " ingest.producer.maxRequestBytes (and the topic's and the normalizer's"
                    + " limits)",
                shape.widthFor(width),
                shape.heightFor(height),
                shape.channels(),
                bytes,
                maxFrameBytes));
      }
      VideoSource source =
          new VideoSource(
              feed, grabber, startSeq, settings, shape, maxFrameBytes, clock, nanoTime, sleeper);
      log.info(
          "{}: opened {} ({} {}x{} at {} fps, {} frames{})",
          feed.sourceId(),
          feed.url(),
          grabber.getVideoCodecName(),
          width,
          height,
          String.format("%.3f", grabber.getVideoFrameRate()),
          source.expected.isPresent() ? source.expected.getAsLong() : "unknown",
          source.exactCount ? "" : " estimated");
      return source;
    } catch (FrameGrabber.Exception | RuntimeException e) {
      release(grabber);
      throw new VideoOpenException(feed, Ffmpeg.describe(e), e);
    } catch (VideoOpenException e) {
      release(grabber);
      throw e;
    }
  }

  private static AVStream videoStream(AVFormatContext oc) {
    if (oc == null) {
      return null;
    }
    for (int i = 0; i < oc.nb_streams(); i++) {
      AVStream s = oc.streams(i);
      if (s.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
        return s;
      }
    }
    return null;
  }

  @Override
  public String sourceId() {
    return feed.sourceId();
  }

  /** The feed this source decodes. */
  public VideoFeed feed() {
    return feed;
  }

  /** The container's exact frame count, when it has one and every frame is kept. */
  @Override
  public OptionalLong size() {
    return exactCount && settings.fps() <= 0 ? expected : OptionalLong.empty();
  }

  /** The frame count the container announced (exact or from its duration), if any. */
  public OptionalLong expectedFrames() {
    return expected;
  }

  /** Frames decoded so far (before {@code fps} thinning). */
  public long decoded() {
    return decoded;
  }

  /** Why the video ended early, once it has ended; empty while decoding or after a clean end. */
  public Optional<VideoFailure> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public boolean hasNext() {
    if (pending == null && !ended) {
      pending = decodeNext();
    }
    return pending != null;
  }

  @Override
  public RawFrame next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    RawFrame frame = pending;
    pending = null;
    return frame;
  }

  private RawFrame decodeNext() {
    while (true) {
      Frame frame;
      try {
        frame = grabber.grabImage();
      } catch (FrameGrabber.Exception | RuntimeException e) {
        fail(VideoFailure.Kind.DECODE_ERROR, "after " + decoded + " frames: " + Ffmpeg.describe(e));
        return null;
      }
      if (frame == null || frame.image == null) {
        ended = true;
        checkEnd();
        return null;
      }
      long index = decoded++;
      long timestamp = frame.timestamp;
      if (!keep(timestamp)) {
        continue;
      }
      if (settings.realtime() && !pace(timestamp)) {
        ended = true; // interrupted: the caller stops, nothing failed
        return null;
      }
      lastTimestamp = timestamp;
      try {
        return toRawFrame(frame, index, timestamp);
      } catch (IllegalStateException e) {
        fail(VideoFailure.Kind.FRAME_TOO_LARGE, e.getMessage());
        return null;
      }
    }
  }

  /** {@code fps} thinning: keeps the first frame at or after each 1/fps step of video time. */
  private boolean keep(long timestampMicros) {
    if (settings.fps() <= 0) {
      return true;
    }
    double period = 1e6 / settings.fps();
    if (Double.isNaN(nextKeepMicros) || timestampMicros - nextKeepMicros > period) {
      nextKeepMicros = timestampMicros + period; // first frame, or a gap: restart the grid
      return true;
    }
    // 1 ms slack: containers such as Matroska store timestamps in whole milliseconds
    if (timestampMicros >= nextKeepMicros - 1000) {
      nextKeepMicros += period;
      return true;
    }
    return false;
  }

  /**
   * Waits until the frame's timestamp, measured from the first paced frame, has passed on the wall
   * clock. A timestamp that goes back or jumps ahead by more than {@link #MAX_PACING_WAIT_NANOS}
   * restarts the reference instead of stalling the feed.
   *
   * @return false when interrupted (the interrupt flag stays set)
   */
  private boolean pace(long timestampMicros) {
    long now = nanoTime.getAsLong();
    if (paceOriginMicros == Long.MIN_VALUE || timestampMicros < lastTimestamp) {
      paceOriginMicros = timestampMicros;
      paceOriginNanos = now;
      return !Thread.currentThread().isInterrupted();
    }
    long wait = paceOriginNanos + (timestampMicros - paceOriginMicros) * 1000 - now;
    if (wait > MAX_PACING_WAIT_NANOS) {
      log.debug("{}: timestamp jump of {} ms, pacing restarts", feed.sourceId(), wait / 1_000_000);
      paceOriginMicros = timestampMicros;
      paceOriginNanos = now;
      return !Thread.currentThread().isInterrupted();
    }
    if (wait > 0) {
      try {
        sleeper.sleepNanos(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !Thread.currentThread().isInterrupted();
  }

  private RawFrame toRawFrame(Frame frame, long index, long timestamp) {
    int w = frame.imageWidth;
    int h = frame.imageHeight;
    int c = shape.channels();
    int row = w * c;
    byte[] pixels = new byte[row * h];
    ByteBuffer buffer = (ByteBuffer) frame.image[0];
    for (int y = 0; y < h; y++) {
      buffer.get(y * frame.imageStride, pixels, y * row, row);
    }
    if (c == 3) { // javacv decodes colour as BGR; frames.raw carries RGB
      for (int i = 0; i < pixels.length; i += 3) {
        byte b = pixels[i];
        pixels[i] = pixels[i + 2];
        pixels[i + 2] = b;
      }
    }
    int tw = shape.widthFor(w);
    int th = shape.heightFor(h);
    if (tw != w || th != h) {
      pixels = Resizer.resize(pixels, w, h, c, tw, th, shape.resize());
    }
    if ((long) pixels.length + RECORD_OVERHEAD > maxFrameBytes) {
      throw new IllegalStateException(
          String.format(
              "frame %d became %dx%dx%d (%d bytes), more than a %d-byte record holds",
              index, tw, th, c, pixels.length, maxFrameBytes));
    }
    return RawFrame.newBuilder()
        .setSourceId(feed.sourceId())
        .setSeq(startSeq + emitted++)
        .setCaptureTimeMs(clock.instant())
        .setEncoding(FrameEncoding.RAW_U8)
        .setWidth(tw)
        .setHeight(th)
        .setChannels(c)
        .setBytes(ByteBuffer.wrap(pixels))
        .setOrigin(feed.url() + " frame " + index + " pts " + timestamp + "us")
        .build();
  }

  /** At the end of the stream: was it the real end? */
  private void checkEnd() {
    AVFormatContext oc = grabber.getFormatContext();
    AVIOContext io = oc == null ? null : oc.pb();
    int ioError = io == null ? 0 : io.error();
    if (ioError < 0 && ioError != avutil.AVERROR_EOF) {
      fail(
          VideoFailure.Kind.READ_ERROR,
          "read error after "
              + decoded
              + " frames"
              + (expected.isPresent() ? " of " + expected.getAsLong() : "")
              + ": "
              + Ffmpeg.errorText(ioError));
      return;
    }
    if (expected.isPresent()) {
      long want = expected.getAsLong();
      long tolerance = Math.max(2, Math.round(want * SHORTFALL_TOLERANCE));
      if (decoded < want - tolerance) {
        fail(
            VideoFailure.Kind.TRUNCATED,
            String.format(
                "the stream ended after %d of the %s%d frames its container announces"
                    + " (truncated or corrupt)",
                decoded, exactCount ? "" : "about ", want));
      }
    }
  }

  private void fail(VideoFailure.Kind kind, String message) {
    ended = true;
    failure =
        new VideoFailure(
            feed, kind, startSeq + emitted, decoded, expected, feed.url() + ": " + message);
    log.warn("{}: {}", feed.sourceId(), failure.message());
  }

  @Override
  public void close() {
    ended = true;
    pending = null;
    release(grabber);
  }

  private static void release(FFmpegFrameGrabber grabber) {
    try {
      grabber.close(); // stop() and release()
    } catch (FrameGrabber.Exception | RuntimeException e) {
      log.debug("closing the grabber failed: {}", e.toString());
    }
  }
}
