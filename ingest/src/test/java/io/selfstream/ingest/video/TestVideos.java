package io.selfstream.ingest.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/** Real video files for the tests, written through FFmpeg with javacv's recorder. */
final class TestVideos {

  private TestVideos() {}

  /** A codec and container to write. */
  enum Kind {
    /** Lossless grey FFV1 in Matroska (length from the duration). */
    FFV1_MKV("matroska", "ffv1", "mkv", avutil.AV_PIX_FMT_GRAY8),
    /** Motion JPEG in AVI (the AVI header counts the frames). */
    MJPEG_AVI("avi", "mjpeg", "avi", avutil.AV_PIX_FMT_YUVJ420P);

    final String format;
    final String codec;
    final String extension;
    final int pixelFormat;

    Kind(String format, String codec, String extension, int pixelFormat) {
      this.format = format;
      this.codec = codec;
      this.extension = extension;
      this.pixelFormat = pixelFormat;
    }
  }

  /**
   * {@code n} grey {@code w x h} frames: seeded noise (so every frame costs bytes and a cut file
   * loses frames) with frame {@code i}'s index in the top-left 8x8 block.
   */
  static List<byte[]> frames(int n, int w, int h, long seed) {
    Random rng = new Random(seed);
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] f = new byte[w * h];
      for (int p = 0; p < f.length; p++) {
        f[p] = (byte) (64 + rng.nextInt(128));
      }
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          f[y * w + x] = (byte) (i * 2);
        }
      }
      frames.add(f);
    }
    return frames;
  }

  /** Writes {@code frames} to {@code dir/name.ext} at {@code fps}. */
  static Path write(Path dir, String name, Kind kind, List<byte[]> frames, int w, int h, double fps)
      throws IOException {
    Ffmpeg.init(); // quiet, as in production
    Path file = dir.resolve(name + "." + kind.extension);
    FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toString(), w, h, 0);
    try {
      recorder.setFormat(kind.format);
      recorder.setVideoCodecName(kind.codec);
      recorder.setPixelFormat(kind.pixelFormat);
      recorder.setFrameRate(fps);
      if (kind == Kind.MJPEG_AVI) {
        recorder.setVideoQuality(2);
      }
      recorder.start();
      Frame frame = new Frame(w, h, Frame.DEPTH_UBYTE, 1);
      ByteBuffer buffer = (ByteBuffer) frame.image[0];
      for (byte[] pixels : frames) {
        for (int y = 0; y < h; y++) {
          buffer.put(y * frame.imageStride, pixels, y * w, w);
        }
        recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
      }
      recorder.stop();
    } finally {
      recorder.release();
    }
    return file;
  }
}
