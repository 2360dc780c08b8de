package io.selfstream.ingest.source;

import static io.selfstream.ingest.TestImages.bytes;
import static io.selfstream.ingest.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.ingest.BrokenFiles;
import io.selfstream.ingest.TestImages;
import io.selfstream.ingest.image.ImageFormats;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-02-01T12:00:00Z"), ZoneOffset.UTC);

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  @Test
  void readsImagesRecursivelyInSortedOrderWithMagicBeforeExtension(@TempDir Path dir)
      throws IOException {
    byte[] png0 = TestImages.png(image(0), 28, 28);
    byte[] jpg1 = TestImages.rgbJpeg(TestImages.tinted(image(1)), 28, 28);
    byte[] png2 = TestImages.png(TestImages.upscale(image(2), 28, 28, 2), 56, 56);
    byte[] jpg3 = TestImages.rgbJpeg(TestImages.tinted(image(3)), 28, 28);
    byte[] png4 = TestImages.png(image(4), 28, 28);
    write(dir.resolve("b/2.png"), png2);
    write(dir.resolve("a/1.jpg"), jpg1);
    write(dir.resolve("a/0.png"), png0);
    write(dir.resolve("c/deep/er/3-mislabelled.png"), jpg3); // JPEG bytes named .png
    write(dir.resolve("d-no-extension"), png4); // PNG bytes without an extension
    write(dir.resolve("notes.txt"), "not an image".getBytes());
    write(dir.resolve(".hidden/5.png"), png0);
    write(dir.resolve(".DS_Store"), new byte[] {1, 2, 3});

    ImageFolderSource source = new ImageFolderSource(dir, "folder", 7, CLOCK);
    assertThat(source.size()).hasValue(5);
    assertThat(source.files())
        .extracting(p -> dir.toAbsolutePath().relativize(p).toString().replace('\\', '/'))
        .containsExactly(
            "a/0.png", "a/1.jpg", "b/2.png", "c/deep/er/3-mislabelled.png", "d-no-extension");
    assertThat(source.skipped())
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("notes.txt", "5.png", ".DS_Store");

    List<RawFrame> frames = source.stream().toList();
    assertThat(frames).extracting(RawFrame::getSeq).containsExactly(7L, 8L, 9L, 10L, 11L);
    assertThat(frames).extracting(RawFrame::getSourceId).containsOnly("folder");
    assertThat(frames).extracting(RawFrame::getCaptureTimeMs).containsOnly(CLOCK.instant());
    assertThat(frames)
        .extracting(RawFrame::getEncoding)
        .containsExactly(
            FrameEncoding.PNG,
            FrameEncoding.JPEG,
            FrameEncoding.PNG,
            FrameEncoding.JPEG,
            FrameEncoding.PNG);
    assertThat(frames)
        .extracting(f -> bytes(f.getBytes()))
        .containsExactly(png0, jpg1, png2, jpg3, png4);
    assertThat(frames).extracting(RawFrame::getWidth).containsExactly(28, 28, 56, 28, 28);
    assertThat(frames).extracting(RawFrame::getChannels).containsExactly(1, 3, 1, 3, 1);
    assertThat(frames.get(0).getOrigin()).endsWith("0.png");
  }

  @Test
  void otherImageFormatsAreDecodedToRawU8(@TempDir Path dir) throws IOException {
    Path bmp = dir.resolve("x.bmp");
    ImageIO.write(ImageFormats.grayImage(image(9), 28, 28), "bmp", bmp.toFile());
    Path gif = dir.resolve("y.gif");
    ImageIO.write(ImageFormats.rgbImage(TestImages.tinted(image(8)), 28, 28), "gif", gif.toFile());
    write(dir.resolve("z.bmp"), new byte[] {'B', 'M', 0, 0});
    List<RawFrame> frames = new ImageFolderSource(dir, "f", 0, CLOCK).stream().toList();
    assertThat(frames).hasSize(3);
    RawFrame fromBmp = frames.get(0);
    assertThat(fromBmp.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
    assertThat(fromBmp.getChannels()).isEqualTo(1);
    assertThat(bytes(fromBmp.getBytes())).isEqualTo(image(9));
    RawFrame fromGif = frames.get(1);
    assertThat(fromGif.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
    assertThat(fromGif.getChannels()).isEqualTo(3);
    assertThat(fromGif.getBytes().remaining()).isEqualTo(28 * 28 * 3);
    RawFrame broken = frames.get(2); // undecodable: travels as UNKNOWN to reach the DLQ
    assertThat(broken.getEncoding()).isEqualTo(FrameEncoding.UNKNOWN);
    assertThat(bytes(broken.getBytes())).containsExactly('B', 'M', 0, 0);
  }

  @Test
  void brokenAndVanishedFilesStillBecomeFrames(@TempDir Path dir) throws IOException {
    List<BrokenFiles.BrokenFile> broken = BrokenFiles.writeTo(dir.resolve("broken"));
    write(dir.resolve("good.png"), TestImages.png(image(0), 28, 28));
    write(dir.resolve("vanishes.png"), TestImages.png(image(1), 28, 28));
    ImageFolderSource source = new ImageFolderSource(dir, "f", 0, CLOCK);
    Files.delete(dir.resolve("vanishes.png"));
    Map<String, RawFrame> byName =
        source.stream()
            .collect(
                Collectors.toMap(
                    f -> Path.of(f.getOrigin().split(" ")[0]).getFileName().toString(),
                    Function.identity()));
    assertThat(byName).hasSize(broken.size() + 2);
    for (BrokenFiles.BrokenFile file : broken) {
      RawFrame frame = byName.get(file.path().getFileName().toString());
      assertThat(bytes(frame.getBytes())).isEqualTo(Files.readAllBytes(file.path()));
      assertThat(frame.getEncoding())
          .isEqualTo(ImageFormats.fromExtension(file.path().getFileName().toString()));
    }
    assertThat(byName.get("huge-dimensions.png").getWidth()).isEqualTo(BrokenFiles.HUGE);
    RawFrame vanished = byName.get("vanishes.png");
    assertThat(vanished.getBytes().remaining()).isZero();
    assertThat(vanished.getEncoding()).isEqualTo(FrameEncoding.PNG);
    assertThat(vanished.getOrigin()).contains("read failed after 0 bytes");
  }

  @Test
  void aSingleFileIsASourceAndAMissingRootFails(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("one.png");
    write(file, TestImages.png(image(0), 28, 28));
    assertThat(new ImageFolderSource(file, "one").size()).hasValue(1);
    assertThatThrownBy(() -> new ImageFolderSource(dir.resolve("missing"), "x"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> new ImageFolderSource(dir, " "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
