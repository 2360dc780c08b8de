package io.selfstream.ingest.corrupt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.ingest.TestImages;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CorruptionTest {

  private static final int N = 28 * 28;

  /** Corruptions that draw no random numbers. */
  private static final Set<Corruption> DETERMINISTIC =
      EnumSet.of(
          Corruption.DEFOCUS_BLUR,
          Corruption.ZOOM_BLUR,
          Corruption.BRIGHTNESS,
          Corruption.CONTRAST,
          Corruption.PIXELATE,
          Corruption.JPEG_COMPRESSION);

  @Test
  void everyCorruptionAndSeverityGivesA28x28ByteImageThatDiffersFromTheCleanOne() {
    for (Corruption c : Corruption.values()) {
      for (int s = 1; s <= 5; s++) {
        int changed = 0;
        for (int i = 0; i < 8; i++) {
          byte[] clean = TestImages.image(i);
          byte[] before = clean.clone();
          byte[] out = c.apply(clean, 28, 28, 1, s, 1234L + i);
          assertThat(out).as("%s s%d", c, s).hasSize(N).isNotSameAs(clean);
          assertThat(clean).as("input untouched").isEqualTo(before);
          for (byte b : out) {
            assertThat(b & 0xff).isBetween(0, 255);
          }
          if (!Arrays.equals(out, clean)) {
            changed++;
          }
        }
        assertThat(changed)
            .as("%s severity %d changes real images", c, s)
            .isGreaterThanOrEqualTo(7);
      }
    }
  }

  @Test
  void colourImagesKeepTheirShapeAndAGrayImageInRgbGivesTheGrayResult() {
    // corruptions whose randomness is per pixel, not per sample, treat the channels alike
    Set<Corruption> channelBlind =
        EnumSet.of(
            Corruption.DEFOCUS_BLUR,
            Corruption.GLASS_BLUR,
            Corruption.MOTION_BLUR,
            Corruption.ZOOM_BLUR,
            Corruption.SNOW,
            Corruption.FOG,
            Corruption.BRIGHTNESS,
            Corruption.CONTRAST,
            Corruption.ELASTIC_TRANSFORM,
            Corruption.PIXELATE);
    byte[] gray = TestImages.image(3);
    byte[] grayRgb = new byte[N * 3];
    for (int i = 0; i < N; i++) {
      grayRgb[3 * i] = grayRgb[3 * i + 1] = grayRgb[3 * i + 2] = gray[i];
    }
    byte[] tinted = TestImages.tinted(gray);
    for (Corruption c : Corruption.values()) {
      for (int s : new int[] {1, 5}) {
        byte[] out = c.apply(tinted, 28, 28, 3, s, 9);
        assertThat(out).as("%s s%d", c, s).hasSize(N * 3).isNotEqualTo(tinted);
        if (channelBlind.contains(c)) {
          byte[] fromGray = c.apply(gray, 28, 28, 1, s, 9);
          byte[] fromRgb = c.apply(grayRgb, 28, 28, 3, s, 9);
          for (int i = 0; i < N; i++) {
            for (int ch = 0; ch < 3; ch++) {
              assertThat(fromRgb[3 * i + ch] & 0xff)
                  .as("%s s%d pixel %d channel %d", c, s, i, ch)
                  .isCloseTo(fromGray[i] & 0xff, org.assertj.core.data.Offset.offset(1));
            }
          }
        }
      }
    }
  }

  @Test
  void colourFrostIsBluishAndColourBrightnessKeepsHue() {
    byte[] black = new byte[N * 3];
    byte[] frosted = Corruption.FROST.apply(black, 28, 28, 3, 5, 1);
    long[] sums = new long[3];
    for (int i = 0; i < N; i++) {
      for (int ch = 0; ch < 3; ch++) {
        sums[ch] += frosted[3 * i + ch] & 0xff;
      }
    }
    assertThat(sums[2]).isGreaterThan(sums[1]).isGreaterThan(sums[0]);

    byte[] red = new byte[N * 3];
    for (int i = 0; i < N; i++) {
      red[3 * i] = (byte) 100;
      red[3 * i + 1] = (byte) 50;
    }
    byte[] brighter = Corruption.BRIGHTNESS.apply(red, 28, 28, 3, 5, 0);
    // V 100/255 + 0.3 = 176.5/255: the pixel scales by 1.765, hue and saturation stay
    assertThat(brighter[0] & 0xff).isEqualTo(176);
    assertThat(brighter[1] & 0xff).isEqualTo(88);
    assertThat(brighter[2] & 0xff).isZero();
  }

  @Test
  void theSameSeedGivesTheSameBytesAndAnotherSeedOtherBytes() {
    byte[] clean = TestImages.image(11);
    for (Corruption c : Corruption.values()) {
      for (int s = 1; s <= 5; s++) {
        byte[] a = c.apply(clean, 28, 28, 1, s, 77);
        byte[] b = c.apply(clean, 28, 28, 1, s, 77);
        byte[] viaGenerator = c.apply(clean, 28, 28, 1, s, new SplittableRandom(77));
        assertThat(b).as("%s s%d", c, s).isEqualTo(a);
        assertThat(viaGenerator).isEqualTo(a);
        int differing = 0;
        for (long seed = 78; seed < 82; seed++) {
          byte[] other = c.apply(clean, 28, 28, 1, s, seed);
          if (DETERMINISTIC.contains(c)) {
            assertThat(other).as("%s draws no randomness", c).isEqualTo(a);
          } else if (!Arrays.equals(other, a)) {
            differing++;
          }
        }
        // a few seeds may coincide (e.g. two motion-blur angles that round to the same taps)
        if (!DETERMINISTIC.contains(c)) {
          assertThat(differing).as("%s s%d depends on the seed", c, s).isGreaterThanOrEqualTo(3);
        }
      }
    }
  }

  @Test
  void severitiesOutsideOneToFiveAreRejectedWithAClearMessage() {
    byte[] clean = TestImages.image(0);
    for (Corruption c : Corruption.values()) {
      for (int bad : new int[] {0, 6, -1}) {
        assertThatThrownBy(() -> c.apply(clean, 28, 28, 1, bad, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("severity must be 1-5, got " + bad);
      }
    }
  }

  @Test
  void badShapesAreRejected() {
    byte[] clean = TestImages.image(0);
    Corruption c = Corruption.FOG;
    assertThatThrownBy(() -> c.apply(clean, 28, 27, 1, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("784 bytes is not 28x27x1");
    assertThatThrownBy(() -> c.apply(clean, 14, 14, 4, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channels must be 1 or 3");
    assertThatThrownBy(() -> c.apply(clean, 0, 28, 1, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image size must be positive");
    assertThatThrownBy(() -> c.apply(null, 28, 28, 1, 3, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otherSizesWork() {
    byte[] big = TestImages.upscale(TestImages.image(5), 28, 28, 2);
    byte[] wide = Arrays.copyOf(TestImages.image(5), 28 * 20);
    for (Corruption c : Corruption.values()) {
      assertThat(c.apply(big, 56, 56, 1, 3, 2)).hasSize(56 * 56);
      assertThat(c.apply(wide, 28, 20, 1, 3, 2)).hasSize(28 * 20);
      assertThat(c.apply(new byte[] {(byte) 200}, 1, 1, 1, 5, 2)).hasSize(1);
    }
  }

  @Test
  void namesParseAndTheOrderIsImageNetC() {
    assertThat(Corruption.imageNetCOrder())
        .extracting(Corruption::id)
        .containsExactly(
            "gaussian_noise",
            "shot_noise",
            "impulse_noise",
            "defocus_blur",
            "glass_blur",
            "motion_blur",
            "zoom_blur",
            "snow",
            "frost",
            "fog",
            "brightness",
            "contrast",
            "elastic_transform",
            "pixelate",
            "jpeg_compression");
    assertThat(Corruption.fromId("Gaussian-Noise")).isEqualTo(Corruption.GAUSSIAN_NOISE);
    assertThat(Corruption.fromId(" JPEG_COMPRESSION ")).isEqualTo(Corruption.JPEG_COMPRESSION);
    assertThat(Corruption.fromId("elastic")).isEqualTo(Corruption.ELASTIC_TRANSFORM);
    assertThat(Corruption.fromId("jpeg")).isEqualTo(Corruption.JPEG_COMPRESSION);
    assertThat(Corruption.parseList("fog, snow,,frost"))
        .containsExactly(Corruption.FOG, Corruption.SNOW, Corruption.FROST);
    assertThat(Corruption.parseList("all")).isEqualTo(Corruption.imageNetCOrder());
    assertThatThrownBy(() -> Corruption.fromId("rain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown corruption 'rain'")
        .hasMessageContaining("gaussian_noise");
    assertThatThrownBy(() -> Corruption.parseList("fog,FOG"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> Corruption.parseList(" , "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(Corruption.values())).hasSize(15);
  }
}
