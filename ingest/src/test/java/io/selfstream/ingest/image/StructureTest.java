package io.selfstream.ingest.image;

import static io.selfstream.ingest.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.ingest.TestImages;
import io.selfstream.schemas.avro.FrameEncoding;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StructureTest {

  @Test
  void completePngAndJpegPass() throws ImageStructureException {
    byte[] png = TestImages.png(TestImages.upscale(image(0), 28, 28, 2), 56, 56);
    ImageHeader header = PngStructure.check(png);
    assertThat(header).isEqualTo(new ImageHeader(FrameEncoding.PNG, 56, 56, 1));
    assertThat(PngStructure.peek(png)).isEqualTo(header);

    byte[] jpeg =
        ImageFormats.encodeJpeg(ImageFormats.rgbImage(TestImages.tinted(image(1)), 28, 28), 0.8f);
    assertThat(JpegStructure.check(jpeg)).isEqualTo(new ImageHeader(FrameEncoding.JPEG, 28, 28, 3));
    byte[] progressive =
        ImageFormats.encodeJpeg(ImageFormats.grayImage(image(2), 28, 28), 0.8f, true);
    assertThat(JpegStructure.check(progressive))
        .isEqualTo(new ImageHeader(FrameEncoding.JPEG, 28, 28, 1));
  }

  @Test
  void everyCutOfAPngIsRejected() {
    byte[] png = TestImages.png(image(3), 28, 28);
    for (int n = 0; n < png.length; n++) {
      byte[] cut = Arrays.copyOf(png, n);
      int length = n;
      assertThatThrownBy(() -> PngStructure.check(cut))
          .as("cut at %d", length)
          .isInstanceOfSatisfying(
              ImageStructureException.class,
              e ->
                  assertThat(e.kind())
                      .isEqualTo(
                          length < 8
                              ? ImageStructureException.Kind.CORRUPT
                              : ImageStructureException.Kind.TRUNCATED));
    }
  }

  @Test
  void everyCutOfAJpegIsRejectedAsTruncated() {
    for (boolean progressive : new boolean[] {false, true}) {
      byte[] jpeg =
          ImageFormats.encodeJpeg(
              ImageFormats.rgbImage(TestImages.tinted(image(4)), 28, 28), 0.9f, progressive);
      for (int n = 3; n < jpeg.length; n++) {
        byte[] cut = Arrays.copyOf(jpeg, n);
        int length = n;
        assertThatThrownBy(() -> JpegStructure.check(cut))
            .as("cut at %d (progressive %s)", length, progressive)
            .isInstanceOfSatisfying(
                ImageStructureException.class,
                e -> assertThat(e.kind()).isEqualTo(ImageStructureException.Kind.TRUNCATED));
      }
    }
  }

  @Test
  void imageIoAloneWouldAcceptATruncatedJpeg() throws Exception {
    // why the structure walk exists: ImageIO decodes a cut JPEG without an exception
    byte[] jpeg =
        ImageFormats.encodeJpeg(ImageFormats.rgbImage(TestImages.tinted(image(5)), 28, 28), 0.9f);
    byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 3 / 4);
    ImageDecoder.Decoded decoded = ImageDecoder.decode(cut, "jpeg");
    assertThat(decoded.image().getWidth()).isEqualTo(28);
  }

  @Test
  void corruptDataIsCorrupt() {
    byte[] png = TestImages.png(image(6), 28, 28);
    png[png.length - 20] ^= 1; // inside IDAT or IEND CRC region
    assertThatThrownBy(() -> PngStructure.check(png))
        .isInstanceOfSatisfying(
            ImageStructureException.class,
            e -> assertThat(e.kind()).isEqualTo(ImageStructureException.Kind.CORRUPT));
    assertThatThrownBy(() -> JpegStructure.check(new byte[] {(byte) 0xff, (byte) 0xd8, 0x12, 0}))
        .isInstanceOf(ImageStructureException.class);
    assertThat(JpegStructure.peek(new byte[] {1, 2, 3})).isNull();
    assertThat(PngStructure.peek(new byte[0])).isNull();
  }
}
