package io.selfstream.ingest.corrupt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.selfstream.ingest.corrupt.Ops.Border;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CorruptionPartsTest {

  @Test
  void bordersMapIndicesLikeScipyAndOpenCv() {
    int[] reflect = new int[9];
    int[] mirror = new int[9];
    int[] nearest = new int[9];
    for (int i = -3; i <= 5; i++) {
      reflect[i + 3] = Border.REFLECT.index(i, 3);
      mirror[i + 3] = Border.REFLECT_101.index(i, 3);
      nearest[i + 3] = Border.NEAREST.index(i, 3);
    }
    assertThat(reflect).containsExactly(2, 1, 0, 0, 1, 2, 2, 1, 0);
    assertThat(mirror).containsExactly(1, 2, 1, 0, 1, 2, 1, 0, 1);
    assertThat(nearest).containsExactly(0, 0, 0, 0, 1, 2, 2, 2, 2);
    assertThat(Border.REFLECT_101.index(5, 1)).isZero();
  }

  @Test
  void pillowBoxResizeAveragesDownAndRepeatsUp() {
    int[] row = {0, 10, 20, 30};
    assertThat(Ops.pilBoxResize(row, 4, 1, 2, 1)).containsExactly(5, 25);
    assertThat(Ops.pilBoxResize(new int[] {5, 25}, 2, 1, 4, 1)).containsExactly(5, 5, 25, 25);
    assertThat(Ops.pilBoxResize(new int[] {0, 255, 255}, 3, 1, 3, 1)).containsExactly(0, 255, 255);
  }

  @Test
  void poissonAndNormalHaveTheRightMoments() {
    SplittableRandom rng = new SplittableRandom(3);
    for (double lambda : new double[] {0.5, 4, 12, 75, 500}) {
      int n = 20_000;
      double sum = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        long k = Rand.poisson(rng, lambda);
        assertThat(k).isNotNegative();
        sum += k;
        sq += (double) k * k;
      }
      double mean = sum / n;
      double var = sq / n - mean * mean;
      assertThat(mean)
          .as("mean at %s", lambda)
          .isCloseTo(lambda, within(5 * Math.sqrt(lambda / n)));
      assertThat(var / lambda).as("variance at %s", lambda).isCloseTo(1.0, within(0.06));
    }
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < 20_000; i++) {
      double v = Rand.normal(rng, 1, 2);
      sum += v;
      sq += v * v;
    }
    assertThat(sum / 20_000).isCloseTo(1, within(0.05));
    assertThat(Math.sqrt(sq / 20_000 - Math.pow(sum / 20_000, 2))).isCloseTo(2, within(0.05));
    assertThat(Rand.logFactorial(2000)).isCloseTo(13206.52435051, within(1e-6));
  }

  @Test
  void plasmaIsScaledToUnitRangeAndSeeded() {
    double[] a = PlasmaFractal.generate(32, 2, new SplittableRandom(1));
    double[] b = PlasmaFractal.generate(32, 2, new SplittableRandom(1));
    assertThat(a).hasSize(1024).containsExactly(b);
    double min = 1;
    double max = 0;
    for (double v : a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).isZero();
    assertThat(max).isEqualTo(1.0);
    assertThat(PlasmaFractal.powerOfTwoAtLeast(28)).isEqualTo(32);
  }

  @Test
  void antiAliasedDiskIsACellBelowHalfAPixelAndKeepsItsSecondMoment() {
    double[] delta = Blur.antiAliasedDisk(0.4375, 2);
    assertThat(delta[2 * 5 + 2]).isEqualTo(1.0);
    for (double r : new double[] {0.875, 1.3125, 3}) {
      int half = (int) Math.ceil(r) + 1;
      int size = 2 * half + 1;
      double[] k = Blur.antiAliasedDisk(r, half);
      double sum = 0;
      double m2 = 0;
      for (int j = 0; j < size; j++) {
        for (int i = 0; i < size; i++) {
          sum += k[j * size + i];
          m2 += k[j * size + i] * (i - half) * (i - half);
        }
      }
      assertThat(sum).isCloseTo(1, within(1e-12));
      // a continuous disk has variance r^2 / 4 per axis, plus 1/12 from the cell width
      assertThat(m2).as("r=%s", r).isCloseTo(r * r / 4 + 1.0 / 12, within(0.03 + 0.02 * r));
    }
  }

  @Test
  void affineSolverMapsThePoints() {
    double[][] from = {{23, 23}, {23, 5}, {5, 5}};
    double[][] to = {{24, 21.5}, {22, 6}, {4.5, 5.5}};
    double[] m = Digital.affine(from, to);
    for (int p = 0; p < 3; p++) {
      assertThat(m[0] * from[p][0] + m[1] * from[p][1] + m[2]).isCloseTo(to[p][0], within(1e-9));
      assertThat(m[3] * from[p][0] + m[4] * from[p][1] + m[5]).isCloseTo(to[p][1], within(1e-9));
    }
  }

  @Test
  void motionBlurSmearsAPointAlongTheAngleOnOneSide() {
    double[] p = new double[15 * 15];
    p[7 * 15 + 7] = 255;
    double[] out = Ops.motionBlur(p, 15, 15, 3, 1.5, 0);
    // tap i reads (x + i, y): the point spreads to x = 7 - i on its row, none to the right
    double total = 0;
    for (int x = 0; x < 15; x++) {
      total += out[7 * 15 + x];
      if (x > 7) {
        assertThat(out[7 * 15 + x]).isZero();
      }
    }
    assertThat(total).isCloseTo(255, within(1e-9));
    assertThat(out[7 * 15 + 7]).isGreaterThan(out[7 * 15 + 6]).isGreaterThan(out[7 * 15 + 5]);
    double[] vertical = Ops.motionBlur(p, 15, 15, 3, 1.5, 90);
    assertThat(vertical[6 * 15 + 7]).isGreaterThan(0);
    assertThat(vertical[7 * 15 + 6]).isZero();
  }

  @Test
  void frostTextureHasThePhotographsStatistics() {
    double mean = 0;
    double sd = 0;
    double roughness = 0;
    int n = 100;
    for (int k = 0; k < n; k++) {
      double[] t = FrostTexture.gray(28, 28, new SplittableRandom(k));
      double m = 0;
      for (double v : t) {
        assertThat(v).isBetween(0.0, 255.0);
        m += v;
      }
      m /= t.length;
      double var = 0;
      for (double v : t) {
        var += (v - m) * (v - m);
      }
      double s = Math.sqrt(var / t.length);
      double grad = 0;
      for (int y = 0; y < 28; y++) {
        for (int x = 1; x < 28; x++) {
          grad += Math.abs(t[y * 28 + x] - t[y * 28 + x - 1]);
        }
      }
      mean += m / n;
      sd += s / n;
      roughness += grad / (28 * 27) / s / n;
    }
    // the five photographs: mean of means 162, mean within-crop sd 20, roughness 0.68-0.86
    assertThat(mean).isBetween(150.0, 175.0);
    assertThat(sd).isBetween(15.0, 25.0);
    assertThat(roughness).isBetween(0.6, 0.9);
  }

  @Test
  void shotNoiseKeepsTheMeanBrightness() {
    byte[] gray = new byte[28 * 28];
    java.util.Arrays.fill(gray, (byte) 128);
    double mean = 0;
    int seeds = 20;
    for (int seed = 0; seed < seeds; seed++) {
      byte[] out = Corruption.SHOT_NOISE.apply(gray, 28, 28, 1, 5, seed);
      for (byte b : out) {
        mean += (b & 0xff) / (double) (out.length * seeds);
      }
    }
    // poisson(0.502 * 50) / 50 * 255, truncated: mean 127.55, sd 25.5 per pixel, 0.2 for the mean
    assertThat(mean).isCloseTo(127.55, within(1.0));
  }
}
