package io.selfstream.ingest.image;

import static io.selfstream.ingest.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.ingest.TestImages;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResizerTest {

  @Test
  void sameSizeIsAByteIdenticalCopy() {
    byte[] src = image(0);
    byte[] out = Resizer.resize(src, 28, 28, 1, 28, 28, ResizeMethod.NONE);
    assertThat(out).isEqualTo(src).isNotSameAs(src);
  }

  @Test
  void halvingAReplicatedImageRecoversItExactly() {
    for (ResizeMethod method : new ResizeMethod[] {ResizeMethod.AREA, ResizeMethod.BILINEAR}) {
      byte[] rgb = TestImages.tinted(image(1));
      byte[] big = new byte[56 * 56 * 3];
      for (int y = 0; y < 56; y++) {
        for (int x = 0; x < 56; x++) {
          System.arraycopy(rgb, ((y / 2) * 28 + x / 2) * 3, big, (y * 56 + x) * 3, 3);
        }
      }
      assertThat(Resizer.resize(big, 56, 56, 3, 28, 28, method)).as(method.name()).isEqualTo(rgb);
    }
  }

  @Test
  void areaAveragesTheFootprint() {
    byte[] src = {0, 10, 20, 30, 40, 50}; // 6x1
    assertThat(Resizer.resize(src, 6, 1, 1, 3, 1, ResizeMethod.AREA)).containsExactly(5, 25, 45);
    // 3 -> 2: footprints of 1.5 pixels
    assertThat(Resizer.resize(new byte[] {0, 30, 90}, 3, 1, 1, 2, 1, ResizeMethod.AREA))
        .containsExactly(10, 70);
  }

  @Test
  void constantImagesStayConstantAtAnySize() {
    byte[] src = new byte[37 * 23 * 3];
    Arrays.fill(src, (byte) 200);
    for (ResizeMethod method : new ResizeMethod[] {ResizeMethod.AREA, ResizeMethod.BILINEAR}) {
      for (int[] size : new int[][] {{28, 28}, {5, 90}, {100, 7}, {1, 1}}) {
        byte[] out = Resizer.resize(src, 37, 23, 3, size[0], size[1], method);
        assertThat(out).hasSize(size[0] * size[1] * 3);
        for (byte b : out) {
          assertThat(b & 0xff).isEqualTo(200);
        }
      }
    }
  }

  @Test
  void noneRefusesToResize() {
    assertThatThrownBy(() -> Resizer.resize(new byte[4], 2, 2, 1, 1, 1, ResizeMethod.NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Resizer.resize(new byte[3], 2, 2, 1, 1, 1, ResizeMethod.AREA))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
