package io.selfstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.selfstream.ingest.image.ResizeMethod;
import io.selfstream.ingest.image.Resizer;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VideoSourceTest {

  /** Big enough for any test frame; the default producer limit. */
  private static final int MAX_BYTES = 1 << 20;

  /** A real 768x576 pedestrian scene from Debian's opencv-doc (optional). */
  private static final Path VTEST = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

  @TempDir static Path dir;

  private static List<byte[]> frames;
  private static Path mkv;

  @BeforeAll
  static void writeVideos() throws IOException {
    frames = TestVideos.frames(45, 48, 32, 1);
    mkv = TestVideos.write(dir, "clip", TestVideos.Kind.FFV1_MKV, frames, 48, 32, 15);
  }

  private static VideoSource open(Path file, VideoSettings settings, FrameShape shape)
      throws VideoOpenException {
    return VideoSource.open(
        new VideoFeed("cam", file.toString()), 0, settings, shape, MAX_BYTES, Clock.systemUTC());
  }

  private static List<RawFrame> drain(VideoSource source) {
    List<RawFrame> out = new ArrayList<>();
    while (source.hasNext()) {
      out.add(source.next());
    }
    return out;
  }

  private static byte[] bytes(RawFrame f) {
    byte[] b = new byte[f.getBytes().remaining()];
    f.getBytes().duplicate().get(b);
    return b;
  }

  @Test
  void decodesEveryFrameOfALosslessVideoExactlyAndInOrder() throws Exception {
    List<RawFrame> got;
    try (VideoSource source = open(mkv, VideoSettings.defaults(), FrameShape.nativeSize(1))) {
      assertThat(source.expectedFrames()).hasValue(45);
      got = drain(source);
      assertThat(source.failure()).isEmpty();
      assertThat(source.decoded()).isEqualTo(45);
    }
    assertThat(got).hasSize(45);
    for (int i = 0; i < got.size(); i++) {
      RawFrame f = got.get(i);
      assertThat(f.getSeq()).isEqualTo(i);
      assertThat(f.getSourceId()).isEqualTo("cam");
      assertThat(f.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
      assertThat(List.of(f.getWidth(), f.getHeight(), f.getChannels())).containsExactly(48, 32, 1);
      assertThat(bytes(f)).as("frame %d", i).isEqualTo(frames.get(i));
      assertThat(f.getOrigin()).contains("clip.mkv frame " + i);
      if (i > 0) {
        assertThat(f.getCaptureTimeMs()).isAfterOrEqualTo(got.get(i - 1).getCaptureTimeMs());
      }
    }
  }

  @Test
  void modelShapeResizesLikeTheNormalizerAndConvertsToRgb() throws Exception {
    FrameShape shape = FrameShape.model(28, 20, 3, ResizeMethod.AREA);
    List<RawFrame> got;
    try (VideoSource source = open(mkv, VideoSettings.defaults(), shape)) {
      got = drain(source);
    }
    assertThat(got).hasSize(45);
    RawFrame f = got.get(7);
    assertThat(List.of(f.getWidth(), f.getHeight(), f.getChannels())).containsExactly(28, 20, 3);
    byte[] rgb = new byte[48 * 32 * 3];
    for (int p = 0; p < 48 * 32; p++) {
      Arrays.fill(rgb, 3 * p, 3 * p + 3, frames.get(7)[p]);
    }
    byte[] want = Resizer.resize(rgb, 48, 32, 3, 28, 20, ResizeMethod.AREA);
    assertThat(bytes(f)).isEqualTo(want);
  }

  @ParameterizedTest
  @EnumSource(TestVideos.Kind.class)
  void aTruncatedFileKeepsTheFramesSoFarAndSaysWhatWasLost(TestVideos.Kind kind) throws Exception {
    List<byte[]> long120 = TestVideos.frames(120, 64, 48, 2);
    Path whole = TestVideos.write(dir, "long-" + kind, kind, long120, 64, 48, 25);
    byte[] all = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut-" + whole.getFileName());
    Files.write(cut, Arrays.copyOf(all, all.length / 2));
    List<RawFrame> got;
    VideoFailure failure;
    try (VideoSource source = open(cut, VideoSettings.defaults(), FrameShape.nativeSize(1))) {
      got = drain(source);
      assertThat(source.failure()).isPresent();
      failure = source.failure().get();
    }
    assertThat(got.size()).as("frames before the cut").isBetween(30, 90);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).getSeq()).isEqualTo(i);
    }
    // the index block survives even the lossy codec: the frames are the first ones, in order
    for (int i = 0; i < got.size() - 1; i++) {
      assertThat(bytes(got.get(i))[0] & 0xff).as("frame %d", i).isBetween(2 * i - 3, 2 * i + 3);
    }
    assertThat(failure.kind()).isEqualTo(VideoFailure.Kind.TRUNCATED);
    assertThat(failure.nextSeq()).isEqualTo(got.size());
    assertThat(failure.expected()).hasValue(120);
    assertThat(failure.message()).contains(cut.toString()).contains("of the").contains("120");
    assertThat(failure.toDeadFrame(java.time.Instant.EPOCH).getReason().name())
        .isEqualTo("UNDECODABLE");
  }

  @Test
  void aMissingFileFailsAtOnceWithItsName() {
    Path missing = dir.resolve("nope.mp4");
    assertThatThrownBy(() -> open(missing, VideoSettings.defaults(), FrameShape.nativeSize(1)))
        .isInstanceOf(VideoOpenException.class)
        .hasMessageContaining("no such file")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aFileThatIsNoVideoSaysSo() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video at all\n".repeat(50));
    assertThatThrownBy(() -> open(text, VideoSettings.defaults(), FrameShape.nativeSize(1)))
        .isInstanceOf(VideoOpenException.class)
        .hasMessageContaining("Invalid data");
  }

  @Test
  void aRefusedConnectionFailsFast() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    long start = System.nanoTime();
    VideoFeed feed = new VideoFeed("net", "http://127.0.0.1:" + port + "/clip.mkv");
    assertThatThrownBy(
            () ->
                VideoSource.open(
                    feed,
                    0,
                    VideoSettings.defaults(),
                    FrameShape.nativeSize(1),
                    MAX_BYTES,
                    Clock.systemUTC()))
        .isInstanceOf(VideoOpenException.class)
        .hasMessageEndingWith(": Connection refused (avformat_open_input() error -111)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aSilentServerTimesOutWithinTheConfiguredTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(server.accept()); // accept and never answer
                  }
                } catch (IOException closed) {
                  // test over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      VideoFeed feed = new VideoFeed("slow", "http://127.0.0.1:" + server.getLocalPort() + "/x");
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  VideoSource.open(
                      feed,
                      0,
                      VideoSettings.defaults().withTimeout(Duration.ofMillis(700)),
                      FrameShape.nativeSize(1),
                      MAX_BYTES,
                      Clock.systemUTC()))
          .isInstanceOf(VideoOpenException.class)
          .hasMessageContaining("slow: cannot open http://127.0.0.1:");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void framesTooLargeForARecordAreRefusedUpFront() {
    assertThatThrownBy(
            () ->
                VideoSource.open(
                    new VideoFeed("cam", mkv.toString()),
                    0,
                    VideoSettings.defaults(),
                    FrameShape.nativeSize(3),
                    2048,
                    Clock.systemUTC()))
        .isInstanceOf(VideoOpenException.class)
        .hasMessageContaining("48x32x3")
        .hasMessageContaining("ingest.video.frames=model");
  }

  @Test
  void fpsKeepsEveryNthFrameByTimestamp() throws Exception {
    List<RawFrame> got;
    try (VideoSource source =
        open(mkv, VideoSettings.defaults().withFps(5), FrameShape.nativeSize(1))) {
      got = drain(source);
      assertThat(source.decoded()).isEqualTo(45);
    }
    // 15 fps thinned to 5: frames 0, 3, 6, ... with seq 0, 1, 2, ...
    assertThat(got).hasSize(15);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).getSeq()).isEqualTo(i);
      assertThat(bytes(got.get(i))).isEqualTo(frames.get(3 * i));
    }
  }

  @Test
  void realtimePacesFramesByTheirTimestamps() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Long> sleeps = new ArrayList<>();
    List<Long> decodedAt = new ArrayList<>();
    try (VideoSource source =
        VideoSource.open(
            new VideoFeed("cam", mkv.toString()),
            0,
            VideoSettings.defaults().withRealtime(true),
            FrameShape.nativeSize(1),
            MAX_BYTES,
            Clock.systemUTC(),
            now::get,
            nanos -> {
              sleeps.add(nanos);
              now.addAndGet(nanos);
            })) {
      while (source.hasNext()) {
        source.next();
        decodedAt.add(now.get());
        now.addAndGet(2_000_000); // 2 ms of work per frame
      }
    }
    assertThat(decodedAt).hasSize(45);
    for (int i = 0; i < 45; i++) {
      // frame i leaves at i / 15 s after the first (Matroska keeps whole milliseconds)
      long offset = decodedAt.get(i) - decodedAt.get(0);
      assertThat(offset)
          .as("frame %d", i)
          .isBetween(i * 1_000_000_000L / 15 - 1_000_000, i * 1_000_000_000L / 15 + 1_000_000);
    }
    assertThat(sleeps).hasSize(44).allMatch(s -> s > 60_000_000 && s < 66_000_000);
  }

  @Test
  void aRealPedestrianVideoDecodesCompletely() throws Exception {
    assumeTrue(
        Files.isReadable(VTEST),
        "Debian's opencv-doc is not installed (apt-get install opencv-doc): " + VTEST);
    FrameShape shape = FrameShape.model(32, 32, 1, ResizeMethod.AREA);
    long start = System.nanoTime();
    List<RawFrame> got;
    long expected;
    try (VideoSource source = open(VTEST, VideoSettings.defaults(), shape)) {
      expected = source.expectedFrames().orElseThrow();
      got = drain(source);
      assertThat(source.failure()).isEmpty();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "vtest.avi: %d frames 768x576 -> 32x32 gray in %.2f s (%.0f frames/s)%n",
        got.size(), seconds, got.size() / seconds);
    assertThat(got).hasSize((int) expected);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).getSeq()).isEqualTo(i);
      assertThat(got.get(i).getBytes().remaining()).isEqualTo(32 * 32);
    }
  }
}
