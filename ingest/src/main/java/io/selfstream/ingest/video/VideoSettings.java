package io.selfstream.ingest.video;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.ingest.normalize.NormalizerSettings;
import java.time.Duration;
import java.util.List;

/**
 * How video files and streams are decoded into {@code frames.raw}.
 *
 * @param frames the size frames are sent at: the model's or the decoded one
 * @param realtime pace frames by their presentation timestamps (a file replays like a live camera)
 * @param fps keep at most this many frames per second of video time, 0 keeps every frame
 * @param timeout how long a network URL may take to connect or to deliver more data before it
 *     counts as unreachable or broken (FFmpeg {@code rw_timeout}, and {@code timeout} for rtsp,
 *     http and tcp)
 * @param decoderThreads FFmpeg decoder threads per feed; feeds already decode in parallel
 */
public record VideoSettings(
    FrameSize frames, boolean realtime, double fps, Duration timeout, int decoderThreads) {

  /** The size frames are sent at. */
  public enum FrameSize {
    /**
     * The model input ({@code normalizer.width x normalizer.height x normalizer.channels}), resized
     * here with the normalizer's own resize method: a camera frame of a few MB becomes a record of
     * a few KB, and the normalizer then has nothing left to resize.
     */
    MODEL,
    /**
     * The decoded resolution with the model's channel count; the normalizer resizes. Large frames
     * need {@code ingest.producer.maxRequestBytes} (and the topic's limit) raised.
     */
    NATIVE
  }

  public static final ConfigKey<FrameSize> FRAMES =
      ConfigKey.enumValue(
          "ingest.video.frames",
          FrameSize.class,
          FrameSize.MODEL,
          "video frames at the model size (model) or as decoded (native); channels are the model's");
  public static final ConfigKey<Boolean> REALTIME =
      ConfigKey.bool(
          "ingest.video.realtime", false, "pace video frames by their timestamps (live replay)");
  public static final ConfigKey<Double> FPS =
      ConfigKey.decimal(
          "ingest.video.fps", 0, 0, 1000, "keep at most N frames per second of video, 0 = all");
  public static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.duration(
          "ingest.video.timeout", "10s", "network video URLs: connect and read timeout");
  public static final ConfigKey<Integer> DECODER_THREADS =
      ConfigKey.integer(
          "ingest.video.decoderThreads", 1, 1, 16, "FFmpeg decoder threads per video feed");

  public static final List<ConfigKey<?>> KEYS =
      List.of(FRAMES, REALTIME, FPS, TIMEOUT, DECODER_THREADS);

  public VideoSettings {
    if (frames == null) {
      throw new ConfigException(FRAMES.name(), "must be set");
    }
    if (!(fps >= 0 && fps <= 1000)) {
      throw new ConfigException(FPS.name(), "must be in [0, 1000], got " + fps);
    }
    if (timeout == null
        || timeout.compareTo(Duration.ofMillis(100)) < 0
        || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(TIMEOUT.name(), "must be in [100ms, 1h], got " + timeout);
    }
    if (decoderThreads < 1 || decoderThreads > 16) {
      throw new ConfigException(
          DECODER_THREADS.name(), "must be in [1, 16], got " + decoderThreads);
    }
  }

  public static VideoSettings from(Config config) {
    return new VideoSettings(
        config.get(FRAMES),
        config.get(REALTIME),
        config.get(FPS),
        config.get(TIMEOUT),
        config.get(DECODER_THREADS));
  }

  /** Model-size frames, unpaced, every frame, 10 s network timeout, one decoder thread. */
  public static VideoSettings defaults() {
    return from(Config.defaults(KEYS));
  }

  public VideoSettings withFrames(FrameSize size) {
    return new VideoSettings(size, realtime, fps, timeout, decoderThreads);
  }

  public VideoSettings withRealtime(boolean paced) {
    return new VideoSettings(frames, paced, fps, timeout, decoderThreads);
  }

  public VideoSettings withFps(double framesPerSecond) {
    return new VideoSettings(frames, realtime, framesPerSecond, timeout, decoderThreads);
  }

  public VideoSettings withTimeout(Duration t) {
    return new VideoSettings(frames, realtime, fps, t, decoderThreads);
  }

  /** The frame shape these settings send, given the normalizer's model input. */
  public FrameShape shape(NormalizerSettings model) {
    return frames == FrameSize.MODEL
        ? FrameShape.model(model.width(), model.height(), model.channels(), model.resize())
        : FrameShape.nativeSize(model.channels());
  }
}
