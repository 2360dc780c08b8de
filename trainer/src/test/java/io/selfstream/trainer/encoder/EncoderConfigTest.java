package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EncoderConfigTest {

  @Test
  void defaultIsTheCompactViT() {
    EncoderConfig c = EncoderConfig.DEFAULT;
    assertThat(c.imageSize()).isEqualTo(28);
    assertThat(c.channels()).isEqualTo(1);
    assertThat(c.gridSize()).isEqualTo(4);
    assertThat(c.numPatches()).isEqualTo(16);
    assertThat(c.patchPixels()).isEqualTo(49);
    assertThat(c.mlpHidden()).isEqualTo(384);
    assertThat(c.headDim()).isEqualTo(32);
    assertThat(c.numClasses()).isEqualTo(10);
    assertThat(c.effectiveMaskRatio()).isEqualTo(0.5);
  }

  @Test
  void invalidFieldsAreNamed() {
    EncoderConfig d = EncoderConfig.DEFAULT;
    assertThatThrownBy(() -> d.withImage(28, 1, 5, 14)).hasMessageContaining("patchSize");
    assertThatThrownBy(() -> d.withImage(28, 0, 7, 14)).hasMessageContaining("channels");
    assertThatThrownBy(() -> d.withImage(0, 1, 7, 14)).hasMessageContaining("imageSize");
    assertThatThrownBy(() -> d.withImage(28, 1, 7, 10)).hasMessageContaining("maskPatchSize");
    assertThatThrownBy(() -> d.withImage(28, 1, 7, 4)).hasMessageContaining("maskPatchSize");
    assertThatThrownBy(() -> d.withSize(96, 4, 5, 4)).hasMessageContaining("heads");
    assertThatThrownBy(() -> d.withSize(0, 4, 3, 4)).hasMessageContaining("dim");
    assertThatThrownBy(() -> d.withSize(96, 0, 3, 4)).hasMessageContaining("depth");
    assertThatThrownBy(() -> d.withSize(96, 4, 3, 0)).hasMessageContaining("mlpRatio");
    assertThatThrownBy(() -> d.withNumClasses(0)).hasMessageContaining("numClasses");
    assertThatThrownBy(() -> d.withMask(14, 1.5)).hasMessageContaining("maskRatio");
    assertThatThrownBy(() -> d.withDropout(1.0)).hasMessageContaining("dropout");
  }

  @Test
  void mapRoundTrip() {
    EncoderConfig c = EncoderConfig.DEFAULT.withImage(32, 3, 4, 8).withSize(64, 6, 4, 3.0);
    assertThat(EncoderConfig.fromMap(c.toMap())).isEqualTo(c);
    assertThat(EncoderConfig.fromMap(Map.of("dim", "48", "heads", "4")).dim()).isEqualTo(48);
    assertThatThrownBy(() -> EncoderConfig.fromMap(Map.of("dimm", "48")))
        .hasMessageContaining("dimm");
    assertThatThrownBy(() -> EncoderConfig.fromMap(Map.of("dim", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
