package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.mask.Mask;
import io.selfstream.trainer.mask.SimMimMaskGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {

  static Encoder encoder;

  @BeforeAll
  static void create() {
    encoder = Encoder.create(TestModels.TINY, Device.cpu(), 7);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  static List<U8Image> randomImages(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<U8Image> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[28 * 28];
      for (int j = 0; j < px.length; j++) {
        px[j] = (byte) r.nextInt(256);
      }
      out.add(new U8Image(px, 28, 28, 1));
    }
    return out;
  }

  @Test
  void outputShapes() {
    EncoderConfig c = encoder.config();
    try (NDManager m = encoder.manager().newSubManager()) {
      NDArray x = ImageTensors.images(m, randomImages(3, 1), c);
      assertThat(x.getShape()).isEqualTo(new Shape(3, 1, 28, 28));
      NDList out = encoder.forward(x, null, false);
      assertThat(out).hasSize(4);
      assertThat(out.get(VisionTransformer.LOGITS).getShape()).isEqualTo(new Shape(3, 10));
      assertThat(out.get(VisionTransformer.FEATURES).getShape()).isEqualTo(new Shape(3, 32));
      assertThat(out.get(VisionTransformer.PATCH_TOKENS).getShape())
          .isEqualTo(new Shape(3, 16, 32));
      assertThat(out.get(VisionTransformer.RECONSTRUCTION).getShape())
          .isEqualTo(new Shape(3, 16, 49));
      Shape[] declared = encoder.block().getOutputShapes(new Shape[] {x.getShape()});
      for (int i = 0; i < 4; i++) {
        assertThat(declared[i]).isEqualTo(out.get(i).getShape());
      }
      // the class-token features are layer-normalised per token
      float[] f = out.get(VisionTransformer.FEATURES).toFloatArray();
      double mean = 0;
      for (int i = 0; i < 32; i++) {
        mean += f[i];
      }
      assertThat(Math.abs(mean / 32)).isLessThan(1e-4);
    }
  }

  @Test
  void predictionsCarryProbabilitiesAndFeatures() {
    List<Prediction> p = encoder.predict(randomImages(2, 3));
    assertThat(p).hasSize(2);
    double sum = 0;
    for (float v : p.get(0).probabilities()) {
      sum += v;
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(p.get(0).features()).hasSize(32);
    assertThat(p.get(0).confidence()).isEqualTo(p.get(0).probabilities()[p.get(0).label()]);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> encoder.predict(List.of(U8Image.blank(32, 32, 1))))
        .hasMessageContaining("28x28x1");
  }

  @Test
  void emptyMaskChangesNothingAndNonEmptyMaskChangesTheOutput() {
    EncoderConfig c = encoder.config();
    Mask none = Mask.none(4, 4);
    Mask some = new SimMimMaskGenerator(28, 7, 14, 0.3).generate(5);
    try (NDManager m = encoder.manager().newSubManager()) {
      NDArray x = ImageTensors.images(m, randomImages(2, 2), c);
      NDList plain = encoder.forward(x, null, false);
      NDList empty = encoder.forward(x, ImageTensors.masks(m, List.of(none, none), c), false);
      NDList masked = encoder.forward(x, ImageTensors.masks(m, List.of(some, none), c), false);
      for (int i = 0; i < 4; i++) {
        assertThat(empty.get(i).toFloatArray()).isEqualTo(plain.get(i).toFloatArray());
      }
      float[] a = plain.get(VisionTransformer.LOGITS).toFloatArray();
      float[] b = masked.get(VisionTransformer.LOGITS).toFloatArray();
      // sample 0 is masked -> differs; sample 1 has an empty mask -> identical
      assertThat(java.util.Arrays.copyOfRange(b, 0, 10))
          .isNotEqualTo(java.util.Arrays.copyOfRange(a, 0, 10));
      assertThat(java.util.Arrays.copyOfRange(b, 10, 20))
          .isEqualTo(java.util.Arrays.copyOfRange(a, 10, 20));
    }
  }

  @Test
  void maskedPatchesAreReplacedByTheMaskToken() {
    EncoderConfig c = encoder.config();
    Mask mask = new SimMimMaskGenerator(28, 7, 14, 0.3).generate(11);
    U8Image a = randomImages(1, 4).get(0);
    // b differs from a only inside masked patches
    byte[] pb = a.pixels().clone();
    SplittableRandom r = new SplittableRandom(8);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        if (mask.isMasked(x / 7, y / 7)) {
          pb[y * 28 + x] = (byte) r.nextInt(256);
        }
      }
    }
    U8Image b = new U8Image(pb, 28, 28, 1);
    try (NDManager m = encoder.manager().newSubManager()) {
      NDArray x = ImageTensors.images(m, List.of(a, b), c);
      NDArray mk = ImageTensors.masks(m, List.of(mask, mask), c);
      NDList out = encoder.forward(x, mk, false);
      // the encoder cannot see what is under the mask: identical outputs for a and b
      for (int i = 0; i < 4; i++) {
        float[] v = out.get(i).toFloatArray();
        int half = v.length / 2;
        assertThat(java.util.Arrays.copyOfRange(v, half, v.length))
            .isEqualTo(java.util.Arrays.copyOfRange(v, 0, half));
      }
      // ...but without the mask it can
      float[] plain = encoder.forward(x, null, false).get(0).toFloatArray();
      assertThat(java.util.Arrays.copyOfRange(plain, 10, 20))
          .isNotEqualTo(java.util.Arrays.copyOfRange(plain, 0, 10));

      // changing the mask token changes masked outputs only
      Parameter token = null;
      for (Pair<String, Parameter> p : encoder.parameters()) {
        if (p.getKey().equals(VisionTransformer.MASK_TOKEN)) {
          token = p.getValue();
        }
      }
      float[] saved = token.getArray().toFloatArray();
      float[] before = encoder.forward(x, mk, false).get(0).toFloatArray();
      float[] unmaskedBefore = encoder.forward(x, null, false).get(0).toFloatArray();
      try {
        token.getArray().addi(1f);
        assertThat(encoder.forward(x, mk, false).get(0).toFloatArray()).isNotEqualTo(before);
        assertThat(encoder.forward(x, null, false).get(0).toFloatArray()).isEqualTo(unmaskedBefore);
      } finally {
        token.getArray().set(saved);
      }
    }
  }

  @Test
  void perStepManagersLeaveNothingBehind() {
    int before = encoder.manager().getManagedArrays().size();
    for (int i = 0; i < 3; i++) {
      try (NDManager m = encoder.manager().newSubManager()) {
        NDArray x = ImageTensors.images(m, randomImages(2, i), encoder.config());
        NDArray mk =
            ImageTensors.masks(
                m,
                List.of(Mask.none(4, 4), new SimMimMaskGenerator(28, 7, 14, 0.5).generate(i)),
                encoder.config());
        encoder.forward(x, mk, false);
      }
      encoder.predict(randomImages(1, i));
    }
    assertThat(encoder.manager().getManagedArrays().size()).isEqualTo(before);
  }

  @Test
  void parameterCountAndWeightDecayGroups() {
    EncoderConfig c = EncoderConfig.DEFAULT;
    try (Encoder e = Encoder.create(c, Device.cpu(), 1)) {
      long d = c.dim(), h = c.mlpHidden(), p = c.patchPixels(), l = c.numPatches();
      long block = 4 * d + (3 * d * d + 3 * d) + (d * d + d) + (d * h + h) + (h * d + d);
      long expected =
          (p * d + d)
              + d
              + (l + 1) * d
              + d
              + c.depth() * block
              + 2 * d
              + (d * 10 + 10)
              + (d * p + p);
      assertThat(e.parameterCount()).isEqualTo(expected).isEqualTo(459_899L);
      for (Pair<String, Parameter> q : e.parameters()) {
        boolean kernel = q.getKey().endsWith("_weight");
        assertThat(DecoupledAdamW.decays(q.getValue())).as(q.getKey()).isEqualTo(kernel);
      }
      assertThat(EncoderBootstrap.supervisedParameters(e))
          .hasSize(e.parameters().size() - 3); // no mask token, decoder weight/bias
    }
  }
}
