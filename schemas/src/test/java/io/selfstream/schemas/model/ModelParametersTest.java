package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelParametersTest {

  @Test
  void roundTripIsBitExactIncludingSpecialFloats() {
    float[] special = {
      0f,
      -0f,
      Float.MIN_VALUE,
      -Float.MIN_NORMAL,
      Float.MAX_VALUE,
      Float.NaN,
      Float.intBitsToFloat(0x7fc00123),
      Float.POSITIVE_INFINITY,
      1e-40f,
      3.14159f
    };
    ModelParameters p =
        ModelParameters.builder()
            .put("w", new int[] {2, 5}, special)
            .put("scalar", new int[] {}, new float[] {42f})
            .put("empty", new int[] {0, 3}, new float[0])
            .put("ünïcode.name", new float[] {1, 2, 3})
            .build();

    byte[] bytes = p.toBytes();
    ModelParameters back = ModelParameters.fromBytes(bytes);

    assertThat(back).isEqualTo(p);
    assertThat(back.names()).containsExactly("w", "scalar", "empty", "ünïcode.name");
    assertThat(back.shape("w")).containsExactly(2, 5);
    assertThat(back.shape("scalar")).isEmpty();
    float[] w = back.values("w");
    for (int i = 0; i < special.length; i++) {
      assertThat(Float.floatToRawIntBits(w[i])).isEqualTo(Float.floatToRawIntBits(special[i]));
    }
    assertThat(back.toBytes()).isEqualTo(bytes); // deterministic
    assertThat(back.parameterCount()).isEqualTo(14);
  }

  @Test
  void layoutIsDocumentedLittleEndian() {
    byte[] bytes =
        ModelParameters.builder().put("a", new int[] {2}, new float[] {1f, -2f}).build().toBytes();
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("SSP1");
    in.getInt();
    assertThat(in.getInt()).isEqualTo(1); // tensors
    assertThat(in.getInt()).isEqualTo(1); // name length
    assertThat(in.get()).isEqualTo((byte) 'a');
    assertThat(in.getInt()).isEqualTo(1); // rank
    assertThat(in.getInt()).isEqualTo(2); // dim
    assertThat(in.getFloat()).isEqualTo(1f);
    assertThat(in.getFloat()).isEqualTo(-2f);
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void isImmutable() {
    float[] v = {1, 2};
    ModelParameters p = ModelParameters.builder().put("a", v).build();
    v[0] = 99;
    p.values("a")[1] = 99;
    assertThat(p.values("a")).containsExactly(1f, 2f);
    assertThat(p.buffer("a").isReadOnly()).isTrue();
  }

  @Test
  void malformedPayloadsAreRefused() {
    byte[] good =
        ModelParameters.builder()
            .put("a", new int[] {2, 2}, new float[] {1, 2, 3, 4})
            .build()
            .toBytes();
    assertThatThrownBy(() -> ModelParameters.fromBytes(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("selfstream-params-v1");
    assertThatThrownBy(() -> ModelParameters.fromBytes(Arrays.copyOf(good, good.length + 1)))
        .hasMessageContaining("trailing");
    byte[] badMagic = good.clone();
    badMagic[0] ^= 1;
    assertThatThrownBy(() -> ModelParameters.fromBytes(badMagic)).hasMessageContaining("magic");
    byte[] hugeDims = good.clone();
    ByteBuffer.wrap(hugeDims).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 4 + 4 + 1 + 4, 1 << 30);
    assertThatThrownBy(() -> ModelParameters.fromBytes(hugeDims))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelParameters.fromBytes(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderChecksShapesAndNames() {
    assertThatThrownBy(
            () -> ModelParameters.builder().put("a", new int[] {3}, new float[] {1, 2}).build())
        .hasMessageContaining("a: shape [3] holds 3 values, got 2");
    assertThatThrownBy(
            () -> ModelParameters.builder().put("a", new float[] {1}).put("a", new float[] {2}))
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> ModelParameters.builder().put("", new float[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void differencesNeedTheSameLayout() {
    ModelParameters a = ModelParameters.builder().put("x", new float[] {1, 2, 3}).build();
    ModelParameters b = ModelParameters.builder().put("x", new float[] {1, 2, 5}).build();
    assertThat(a.maxAbsDifference(b)).isEqualTo(2.0);
    assertThat(a.rmsDifference(b))
        .isCloseTo(Math.sqrt(4.0 / 3), org.assertj.core.data.Offset.offset(1e-12));
    ModelParameters c = ModelParameters.builder().put("y", new float[] {1, 2, 3}).build();
    assertThat(a.sameLayout(c)).isFalse();
    assertThatThrownBy(() -> a.maxAbsDifference(c)).hasMessageContaining("names differ");
  }
}
