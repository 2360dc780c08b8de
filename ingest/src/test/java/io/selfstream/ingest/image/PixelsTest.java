package io.selfstream.ingest.image;

import static io.selfstream.ingest.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ingest.TestImages;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import org.junit.jupiter.api.Test;

class PixelsTest {

  @Test
  void grayImagesRoundTripWithoutColourConversion() {
    Pixels.Image p = Pixels.of(ImageFormats.grayImage(image(0), 28, 28));
    assertThat(p.channels()).isEqualTo(1);
    assertThat(p.pixels()).isEqualTo(image(0));
  }

  @Test
  void rgbImagesRoundTrip() {
    byte[] rgb = TestImages.tinted(image(1));
    Pixels.Image p = Pixels.of(ImageFormats.rgbImage(rgb, 28, 28));
    assertThat(p.channels()).isEqualTo(3);
    assertThat(p.pixels()).isEqualTo(rgb);
  }

  @Test
  void sixteenBitGrayIsScaledTo8Bits() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    image.getRaster().setSample(0, 0, 0, 65535);
    image.getRaster().setSample(1, 0, 0, 257 * 100);
    assertThat(Pixels.of(image).pixels()).containsExactly((byte) 255, (byte) 100);
  }

  @Test
  void grayPalettesGiveOneChannelColourPalettesThree() {
    byte[] levels = {0, 100, (byte) 200};
    BufferedImage gray =
        new BufferedImage(
            3,
            1,
            BufferedImage.TYPE_BYTE_INDEXED,
            new IndexColorModel(8, 3, levels, levels, levels));
    gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 1, 0});
    assertThat(Pixels.of(gray).pixels()).containsExactly((byte) 200, (byte) 100, (byte) 0);
    byte[] zeros = {0, 0, 0};
    BufferedImage red =
        new BufferedImage(
            3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, levels, zeros, zeros));
    assertThat(Pixels.of(red).channels()).isEqualTo(3);
  }

  @Test
  void luminanceAndReplication() {
    byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 10, 10, 10};
    assertThat(Pixels.convert(rgb, 4, 3, 1)).containsExactly(76, (byte) 150, 29, 10);
    assertThat(Pixels.convert(new byte[] {7, 9}, 2, 1, 3)).containsExactly(7, 7, 7, 9, 9, 9);
    assertThat(Pixels.convert(new byte[] {1, 2, 3, 4}, 1, 4, 3)).containsExactly(1, 2, 3);
  }
}
