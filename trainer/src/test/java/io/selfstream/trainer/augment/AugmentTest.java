package io.selfstream.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {

  /** A deterministic textured test image (a blob on a gradient, per-channel offsets). */
  static U8Image sample(int w, int h, int c) {
    byte[] px = new byte[w * h * c];
    SplittableRandom r = new SplittableRandom(1);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double blob =
            Math.exp(-((x - w * 0.4) * (x - w * 0.4) + (y - h * 0.5) * (y - h * 0.5)) / (w * 1.5));
        for (int k = 0; k < c; k++) {
          int v = (int) (40 + 150 * blob + 2 * x + 30 * k + r.nextInt(10));
          px[(y * w + x) * c + k] = (byte) Math.min(255, v);
        }
      }
    }
    return new U8Image(px, w, h, c);
  }

  @Test
  void weakViewKeepsShapeIsDeterministicAndVariesWithSeed() {
    U8Image img = sample(28, 28, 1);
    WeakAugment weak = WeakAugment.DEFAULT;
    U8Image a = weak.apply(img, 17);
    assertThat(a.width()).isEqualTo(28);
    assertThat(a.height()).isEqualTo(28);
    assertThat(a.channels()).isEqualTo(1);
    assertThat(weak.apply(img, 17)).isEqualTo(a);
    Set<U8Image> distinct = new HashSet<>();
    for (long s = 0; s < 30; s++) {
      distinct.add(weak.apply(img, s));
    }
    assertThat(distinct.size()).isGreaterThan(10);
    assertThat(img).isEqualTo(sample(28, 28, 1)); // input untouched
  }

  @Test
  void weakViewWithoutCropOrFlipIsACopy() {
    U8Image img = sample(9, 7, 3);
    U8Image out = new WeakAugment(0, 0, false, 0).apply(img, 3);
    assertThat(out).isEqualTo(img);
    assertThat(out.pixels()).isNotSameAs(img.pixels());
    U8Image flipped = new WeakAugment(0, 1, false, 0).apply(img, 3);
    assertThat(flipped).isEqualTo(ImageOps.flipHorizontal(img));
    assertThat(ImageOps.flipHorizontal(flipped)).isEqualTo(img);
    assertThat(flipped.get(0, 2, 1)).isEqualTo(img.get(8, 2, 1));
  }

  @Test
  void shiftFillsOrReflects() {
    U8Image img = sample(6, 5, 1);
    U8Image s = ImageOps.shift(img, 2, 1, false, 9);
    assertThat(s.get(0, 0, 0)).isEqualTo(9);
    assertThat(s.get(3, 2, 0)).isEqualTo(img.get(1, 1, 0));
    U8Image r = ImageOps.shift(img, 2, 0, true, 0);
    assertThat(r.get(1, 0, 0)).isEqualTo(img.get(1, 0, 0)); // x=-1 mirrors to 1
    assertThat(r.get(0, 0, 0)).isEqualTo(img.get(2, 0, 0)); // x=-2 mirrors to 2
  }

  @Test
  void strongViewKeepsShapeIsDeterministicAndVariesWithSeed() {
    for (U8Image img : new U8Image[] {sample(28, 28, 1), sample(32, 24, 3)}) {
      StrongAugment strong = StrongAugment.DEFAULT;
      U8Image a = strong.apply(img, 99);
      assertThat(a.width()).isEqualTo(img.width());
      assertThat(a.height()).isEqualTo(img.height());
      assertThat(a.channels()).isEqualTo(img.channels());
      assertThat(strong.apply(img, 99)).isEqualTo(a);
      Set<U8Image> distinct = new HashSet<>();
      for (long s = 0; s < 20; s++) {
        U8Image v = strong.apply(img, s);
        assertThat(v).isNotEqualTo(img);
        distinct.add(v);
      }
      assertThat(distinct).hasSize(20);
    }
  }

  @Test
  void strongViewDiffersFromWeakView() {
    U8Image img = sample(28, 28, 1);
    int differ = 0;
    for (long s = 0; s < 10; s++) {
      if (!StrongAugment.DEFAULT.apply(img, s).equals(WeakAugment.DEFAULT.apply(img, s))) {
        differ++;
      }
    }
    assertThat(differ).isEqualTo(10); // cutout alone guarantees it
  }

  @Test
  void everyOpKeepsShapeOnGrayAndColour() {
    for (U8Image img : new U8Image[] {sample(28, 28, 1), sample(17, 11, 3), sample(8, 8, 4)}) {
      for (StrongAugment.Op op : StrongAugment.Op.values()) {
        for (double m : new double[] {0, 0.5, 1}) {
          for (double sign : new double[] {-1, 1}) {
            U8Image out = StrongAugment.DEFAULT.apply(op, img, m, sign);
            assertThat(out.width()).isEqualTo(img.width());
            assertThat(out.height()).isEqualTo(img.height());
            assertThat(out.channels()).isEqualTo(img.channels());
          }
        }
      }
    }
    assertThat(StrongAugment.opsFor(1)).doesNotContain(StrongAugment.Op.COLOR);
    assertThat(StrongAugment.opsFor(3)).contains(StrongAugment.Op.COLOR);
  }

  @Test
  void opsAtZeroMagnitudeAreIdentityWhereTheyShouldBe() {
    U8Image img = sample(16, 12, 3);
    StrongAugment s = StrongAugment.DEFAULT;
    for (StrongAugment.Op op :
        new StrongAugment.Op[] {
          StrongAugment.Op.IDENTITY,
          StrongAugment.Op.ROTATE,
          StrongAugment.Op.SOLARIZE,
          StrongAugment.Op.POSTERIZE,
          StrongAugment.Op.CONTRAST,
          StrongAugment.Op.BRIGHTNESS,
          StrongAugment.Op.SHARPNESS,
          StrongAugment.Op.COLOR,
          StrongAugment.Op.SHEAR_X,
          StrongAugment.Op.SHEAR_Y,
          StrongAugment.Op.TRANSLATE_X,
          StrongAugment.Op.TRANSLATE_Y
        }) {
      assertThat(s.apply(op, img, 0, 1)).as(op.name()).isEqualTo(img);
    }
  }

  @Test
  void pixelOpsDoWhatTheySay() {
    U8Image img = sample(20, 20, 1);
    U8Image ac = ImageOps.autoContrast(img);
    int lo = 255, hi = 0;
    for (byte b : ac.pixels()) {
      lo = Math.min(lo, b & 0xff);
      hi = Math.max(hi, b & 0xff);
    }
    assertThat(lo).isZero();
    assertThat(hi).isEqualTo(255);
    assertThat(ImageOps.brightness(img, 0).pixels()).containsOnly((byte) 0);
    assertThat(ImageOps.solarize(img, 0).get(3, 3, 0)).isEqualTo(255 - img.get(3, 3, 0));
    assertThat(ImageOps.posterize(img, 1).get(3, 3, 0) & 0x7f).isZero();
    U8Image flat = new U8Image(new byte[] {5, 5, 5, 5}, 2, 2, 1);
    assertThat(ImageOps.equalize(flat)).isEqualTo(flat);
    assertThat(ImageOps.autoContrast(flat)).isEqualTo(flat);
    U8Image gray = sample(10, 10, 1);
    assertThat(ImageOps.color(gray, 0)).isEqualTo(gray);
    // rotating by 90 degrees four times is the identity for a square image (bilinear at exact
    // pixels)
    U8Image r = img;
    for (int i = 0; i < 4; i++) {
      r = ImageOps.rotate(r, 90, 0);
    }
    assertThat(r).isEqualTo(img);
    // an integer translation equals a shift with the same fill
    assertThat(ImageOps.translate(img, 3, -2, 7)).isEqualTo(ImageOps.shift(img, 3, -2, false, 7));
    U8Image cut = ImageOps.cutout(img, 10, 10, 4, 127);
    assertThat(cut.get(9, 9, 0)).isEqualTo(127);
    assertThat(cut.get(0, 0, 0)).isEqualTo(img.get(0, 0, 0));
  }

  @Test
  void equalizeSpreadsTheHistogram() {
    U8Image img = sample(28, 28, 1);
    U8Image eq = ImageOps.equalize(img);
    int hi = 0;
    for (byte b : eq.pixels()) {
      hi = Math.max(hi, b & 0xff);
    }
    assertThat(hi).isGreaterThan(200);
  }

  @Test
  void validationNamesTheField() {
    assertThatThrownBy(() -> new U8Image(new byte[5], 2, 2, 1)).hasMessageContaining("pixels");
    assertThatThrownBy(() -> new U8Image(new byte[0], 0, 2, 1)).hasMessageContaining("size");
    assertThatThrownBy(() -> new WeakAugment(-1, 0.5, false, 0)).hasMessageContaining("pad");
    assertThatThrownBy(() -> new WeakAugment(1, 2, false, 0))
        .hasMessageContaining("flipProbability");
    assertThatThrownBy(() -> new StrongAugment(WeakAugment.DEFAULT, 2, 1.5, 0, 0.3, 0, 0))
        .hasMessageContaining("magnitude");
    assertThatThrownBy(() -> new StrongAugment(WeakAugment.DEFAULT, 2, 1, 0.5, 0.3, 0, 0))
        .hasMessageContaining("cutout");
  }
}
