package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class EncoderLossesTest {

  @Test
  void patchifyOrdersPatchesRowMajorAndPixelsRowColumnChannel() {
    try (NDManager m = NDManager.newBaseManager()) {
      // (1, 2, 4, 4): value = c*100 + y*10 + x
      float[] v = new float[32];
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < 4; y++) {
          for (int x = 0; x < 4; x++) {
            v[c * 16 + y * 4 + x] = c * 100 + y * 10 + x;
          }
        }
      }
      NDArray p = EncoderLosses.patchify(m.create(v, new Shape(1, 2, 4, 4)), 2);
      assertThat(p.getShape()).isEqualTo(new Shape(1, 4, 8));
      float[] out = p.toFloatArray();
      // patch 1 = top-right (x 2..3, y 0..1): pixels (y0,x2,c0),(y0,x2,c1),(y0,x3,c0),...
      assertThat(java.util.Arrays.copyOfRange(out, 8, 16))
          .containsExactly(2f, 102f, 3f, 103f, 12f, 112f, 13f, 113f);
      // patch 2 = bottom-left
      assertThat(out[16]).isEqualTo(20f);
    }
  }

  @Test
  void maskedL1AveragesOverMaskedPatchesOnly() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pred = m.zeros(new Shape(1, 3, 2));
      NDArray target = m.create(new float[] {1, 1, 2, 4, 100, 100}, new Shape(1, 3, 2));
      NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
      // patch means 1 and 3 over the two masked patches -> 2; the unmasked 100s are ignored
      assertThat(EncoderLosses.maskedL1(pred, target, mask).getFloat())
          .isCloseTo(2f, offset(1e-4f));
      assertThat(EncoderLosses.maskedL1(pred, target, m.zeros(new Shape(1, 3))).getFloat())
          .isZero();
    }
  }

  @Test
  void crossEntropyWithLabelSmoothingMatchesTheFormula() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] logits = {2f, 0f, -1f, 0.5f, 0.5f, 0.5f};
      int[] labels = {0, 2};
      float eps = 0.1f;
      double expected = 0;
      for (int i = 0; i < 2; i++) {
        double z = 0;
        for (int k = 0; k < 3; k++) {
          z += Math.exp(logits[i * 3 + k]);
        }
        for (int k = 0; k < 3; k++) {
          double logp = logits[i * 3 + k] - Math.log(z);
          double t = (k == labels[i] ? 1 - eps : 0) + eps / 3;
          expected -= t * logp;
        }
      }
      expected /= 2;
      NDArray l = EncoderLosses.crossEntropy(m.create(logits, new Shape(2, 3)), labels, eps);
      assertThat((double) l.getFloat()).isCloseTo(expected, offset(1e-5));
    }
  }
}
