package io.selfstream.graphreasoning.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Writes grey frames as a real video file through FFmpeg (javacv's {@link FFmpegFrameRecorder}), so
 * the synthetic activity videos can be replayed as feeds by any FFmpeg-based reader, including
 * {@code selfstream ingest video}.
 *
 * <p>Frames are presented at a constant {@code fps}: frame {@code i} has presentation time {@code i
 * / fps}, so a reader recovers frame {@code i} as the {@code i}-th decoded picture and the
 * frame-level ground truth lines up with it. A file is written under a temporary name and moved
 * into place when complete, so a crash never leaves a truncated video behind under the final name.
 *
 * <p>FFmpeg's native libraries unpack on first use into javacpp's cache directory, the system
 * property {@code org.bytedeco.javacpp.cachedir} (the CLI points it into its data dir; tests into
 * {@code target/}); without it javacpp uses {@code ~/.javacpp/cache}.
 *
 * @param codec codec and container
 * @param fps frames per second stored in the file
 */
public record VideoFileWriter(VideoCodec codec, double fps) {

  /** The default frame rate of the synthetic videos (MS-TCN's data sets are sampled at 15 fps). */
  public static final double DEFAULT_FPS = 15;

  public VideoFileWriter {
    if (codec == null) {
      throw new IllegalArgumentException("codec must be set");
    }
    if (!(fps > 0 && fps <= 1000)) {
      throw new IllegalArgumentException("fps must be in (0, 1000], got " + fps);
    }
  }

  private static volatile boolean quiet;

  /**
   * FFmpeg prints a format dump per file and codec chatter at INFO/WARNING on stderr, which would
   * drown the CLI's output: only its errors stay on stderr, and javacpp's own messages (rejected
   * options, native loading) go to SLF4J instead of stderr unless a logger was chosen already.
   */
  private static void quietFfmpeg() {
    if (!quiet) {
      synchronized (VideoFileWriter.class) {
        if (!quiet) {
          if (System.getProperty("org.bytedeco.javacpp.logger") == null) {
            System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
          }
          avutil.av_log_set_level(avutil.AV_LOG_ERROR);
          quiet = true;
        }
      }
    }
  }

  /** Lossless FFV1 in Matroska at {@link #DEFAULT_FPS}. */
  public static VideoFileWriter defaults() {
    return new VideoFileWriter(VideoCodec.FFV1, DEFAULT_FPS);
  }

  /** {@code dir/<name>.<extension>}. */
  public Path fileFor(Path dir, String name) {
    return dir.resolve(name + "." + codec.extension());
  }

  /**
   * Writes {@code frames} (each a row-major {@code width x height} grey image) to {@code file}.
   *
   * @return {@code file}
   * @throws IOException when the file cannot be written or FFmpeg refuses the settings
   */
  public Path write(List<byte[]> frames, int width, int height, Path file) throws IOException {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames to write to " + file);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("bad frame size " + width + "x" + height);
    }
    if (codec.needsEvenSize() && (width % 2 != 0 || height % 2 != 0)) {
      throw new IllegalArgumentException(
          codec + " needs an even frame size (4:2:0 chroma), got " + width + "x" + height);
    }
    Path target = file.toAbsolutePath();
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    Path partial = target.resolveSibling(".partial-" + target.getFileName());
    Files.deleteIfExists(partial);
    quietFfmpeg();
    FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(partial.toString(), width, height, 0);
    boolean done = false;
    try {
      recorder.setFormat(codec.format());
      recorder.setVideoCodecName(codec.encoder());
      recorder.setFrameRate(fps);
      recorder.setVideoOption("threads", "1");
      switch (codec) {
        case FFV1 -> recorder.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
        case H264 -> {
          recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
          // openh264 is rate-controlled only; ~1.5 bits a pixel keeps small grey frames clean
          recorder.setVideoBitrate(
              (int) Math.max(256_000, Math.min(50e6, 1.5 * width * height * fps)));
        }
        case MPEG4 -> {
          recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
          recorder.setVideoQuality(2); // fixed quantiser 2: near-transparent
        }
      }
      recorder.start();
      Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 1);
      ByteBuffer buffer = (ByteBuffer) frame.image[0];
      int stride = frame.imageStride;
      for (int i = 0; i < frames.size(); i++) {
        byte[] pixels = frames.get(i);
        if (pixels.length != width * height) {
          throw new IllegalArgumentException(
              "frame " + i + " has " + pixels.length + " bytes, not " + width + "x" + height);
        }
        for (int y = 0; y < height; y++) {
          buffer.position(y * stride);
          buffer.put(pixels, y * width, width);
        }
        buffer.position(0);
        recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
      }
      recorder.stop();
      done = true;
    } catch (FrameRecorder.Exception e) {
      throw new IOException(
          "FFmpeg could not write " + target + " (" + codec + "): " + e.getMessage(), e);
    } finally {
      try {
        recorder.release();
      } catch (FrameRecorder.Exception e) {
        if (done) {
          throw new IOException("FFmpeg could not finish " + target + ": " + e.getMessage(), e);
        }
      }
      if (!done) {
        Files.deleteIfExists(partial);
      }
    }
    Files.move(
        partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }
}
