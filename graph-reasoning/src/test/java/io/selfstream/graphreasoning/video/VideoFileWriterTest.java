package io.selfstream.graphreasoning.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.synth.ActivityVideoGenerator;
import io.selfstream.graphreasoning.synth.DomainShift;
import io.selfstream.graphreasoning.synth.GeneratorConfig;
import io.selfstream.graphreasoning.synth.SyntheticDatasets;
import io.selfstream.graphreasoning.synth.SyntheticVideo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic videos written through FFmpeg and decoded back through FFmpeg. */
class VideoFileWriterTest {

  private static FashionMnist images;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    images = FashionMnist.load(FashionMnist.Split.TEST);
  }

  /** Short videos (about 30-50 frames): one middle action, short segments, sensor noise. */
  private static GeneratorConfig shortVideos() {
    return new GeneratorConfig(
        64, 1, 2, 6, 10, 3, GeneratorConfig.SEEN_GARMENTS, DomainShift.sensorNoise());
  }

  /** Decodes every frame of {@code file} as grey {@code w x h} bytes, with its timestamp (us). */
  static List<byte[]> decode(Path file, List<Long> timestamps) throws IOException {
    List<byte[]> frames = new ArrayList<>();
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toString())) {
      grabber.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
      grabber.start();
      Frame f;
      while ((f = grabber.grabImage()) != null) {
        int w = f.imageWidth;
        int h = f.imageHeight;
        byte[] out = new byte[w * h];
        ByteBuffer buf = (ByteBuffer) f.image[0];
        for (int y = 0; y < h; y++) {
          buf.position(y * f.imageStride);
          buf.get(out, y * w, w);
        }
        frames.add(out);
        timestamps.add(f.timestamp);
      }
      grabber.stop();
    } catch (org.bytedeco.javacv.FrameGrabber.Exception e) {
      throw new IOException(e);
    }
    return frames;
  }

  @Test
  void losslessVideosDecodeToExactlyTheGeneratedFramesAndTheGroundTruthLength() throws Exception {
    MsTcnDataset ds = new MsTcnDataset(tmp.resolve("synth"));
    SyntheticDatasets.Written written =
        SyntheticDatasets.generate(
            ds, images, images, 1, 1, 7, shortVideos(), Optional.of(VideoFileWriter.defaults()));
    assertThat(written.videoFiles())
        .containsExactly(
            ds.root().resolve("videos/train-0000.mkv"), ds.root().resolve("videos/test-0000.mkv"));
    // the same videos again, in memory, to compare pixels
    List<SyntheticVideo> expected =
        List.of(
            new ActivityVideoGenerator(images, shortVideos())
                .generate("train-0000", 7 * 1_000_003L),
            new ActivityVideoGenerator(images, shortVideos())
                .generate("test-0000", 7 * 1_000_003L + 500_000));
    for (int v = 0; v < 2; v++) {
      SyntheticVideo video = expected.get(v);
      Path file = written.videoFiles().get(v);
      List<Long> ts = new ArrayList<>();
      List<byte[]> decoded = decode(file, ts);
      assertThat(decoded).hasSize(ds.readGroundTruth(video.name()).size()).hasSize(video.length());
      for (int t = 0; t < decoded.size(); t++) {
        assertThat(decoded.get(t)).as("frame %d of %s", t, file).isEqualTo(video.frames().get(t));
        // constant 15 fps: frame t at t / 15 s
        assertThat(ts.get(t)).isBetween(t * 1_000_000L / 15 - 1000, t * 1_000_000L / 15 + 1000);
      }
    }
    try (var files = Files.list(ds.root().resolve("videos"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no partial files left")
          .containsExactlyInAnyOrder("train-0000.mkv", "test-0000.mkv");
    }
  }

  @Test
  void lossyCodecsKeepEveryFrameAndStayClose() throws Exception {
    SyntheticVideo video = new ActivityVideoGenerator(images, shortVideos()).generate("lossy", 11);
    for (VideoCodec codec : List.of(VideoCodec.H264, VideoCodec.MPEG4)) {
      VideoFileWriter writer = new VideoFileWriter(codec, 25);
      Path file = SyntheticDatasets.writeVideo(video, writer, tmp);
      assertThat(file.getFileName().toString()).isEqualTo("lossy.mp4");
      List<byte[]> decoded = decode(file, new ArrayList<>());
      assertThat(decoded).as("%s frame count", codec).hasSize(video.length());
      double worst = 0;
      double aligned = 0;
      double shifted = 0;
      for (int t = 0; t < decoded.size(); t++) {
        double e = meanAbsError(decoded.get(t), video.frames().get(t));
        worst = Math.max(worst, e);
        if (t + 1 < decoded.size()) {
          aligned += e;
          shifted += meanAbsError(decoded.get(t), video.frames().get(t + 1));
        }
      }
      // measured about 2.3 (H.264) and 1.9 (MPEG-4): the sensor noise is what costs
      assertThat(worst).as("%s worst mean abs error (grey levels)", codec).isLessThan(4.0);
      assertThat(aligned).as("%s frames line up with the ground truth", codec).isLessThan(shifted);
      Files.delete(file);
    }
  }

  @Test
  void rejectsWhatTheCodecCannotHold() {
    SyntheticVideo v = new ActivityVideoGenerator(images, shortVideos()).generate("v", 1);
    VideoFileWriter h264 = new VideoFileWriter(VideoCodec.H264, 15);
    List<byte[]> odd = List.of(new byte[33 * 33]);
    assertThatThrownBy(() -> h264.write(odd, 33, 33, tmp.resolve("odd.mp4")))
        .hasMessageContaining("even frame size");
    assertThatThrownBy(() -> new VideoFileWriter(VideoCodec.FFV1, 0)).hasMessageContaining("fps");
    assertThatThrownBy(() -> VideoCodec.parse("x264")).hasMessageContaining("ffv1, h264 or mpeg4");
    assertThat(VideoCodec.parse("OpenH264")).isEqualTo(VideoCodec.H264);
    assertThat(v.length()).isPositive();
  }

  private static double meanAbsError(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return (double) sum / a.length;
  }
}
