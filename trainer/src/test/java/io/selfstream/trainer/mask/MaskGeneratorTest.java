package io.selfstream.trainer.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskGeneratorTest {

  @Test
  void simMimMasksExactlyCeilOfBlocksTimesRatioExpandedToModelGrid() {
    // 28 px, model patch 7 (4x4 grid), mask patch 14 (2x2 blocks), ratio 0.3 -> ceil(1.2) = 2
    SimMimMaskGenerator g = new SimMimMaskGenerator(28, 7, 14, 0.3);
    assertThat(g.gridWidth()).isEqualTo(4);
    assertThat(g.maskGridSize()).isEqualTo(2);
    assertThat(g.maskedBlocks()).isEqualTo(2);
    assertThat(g.maskedCount()).isEqualTo(8);
    for (long seed = 0; seed < 50; seed++) {
      Mask m = g.generate(seed);
      assertThat(m.gridWidth()).isEqualTo(4);
      assertThat(m.gridHeight()).isEqualTo(4);
      assertThat(m.size()).isEqualTo(16);
      assertThat(m.maskedCount()).isEqualTo(8);
      assertWholeBlocks(m, 2);
    }
  }

  @Test
  void simMimCountsOnOtherGrids() {
    // 32 px, patch 4 (8x8), mask 8 (4x4 = 16 blocks), ratio 0.6 -> ceil(9.6) = 10 blocks x 4
    SimMimMaskGenerator g = new SimMimMaskGenerator(32, 4, 8, 0.6);
    assertThat(g.maskedBlocks()).isEqualTo(10);
    Mask m = g.generate(7);
    assertThat(m.size()).isEqualTo(64);
    assertThat(m.maskedCount()).isEqualTo(40);
    assertWholeBlocks(m, 2);
    // 100 x 0.07 = 7.000000000000001 in floating point: still exactly 7 blocks
    assertThat(new SimMimMaskGenerator(10, 1, 1, 0.07).maskedBlocks()).isEqualTo(7);
    assertThat(new SimMimMaskGenerator(28, 7, 7, 0.75).maskedCount()).isEqualTo(12);
    assertThat(new SimMimMaskGenerator(28, 7, 14, 0).generate(1).maskedCount()).isZero();
    assertThat(new SimMimMaskGenerator(28, 7, 14, 1).generate(1).maskedCount()).isEqualTo(16);
  }

  @Test
  void simMimIsDeterministicUnderASeedAndVariesAcrossSeeds() {
    SimMimMaskGenerator g = new SimMimMaskGenerator(32, 4, 8, 0.5);
    assertThat(g.generate(123)).isEqualTo(g.generate(123));
    assertThat(g.generate(new SplittableRandom(9))).isEqualTo(g.generate(new SplittableRandom(9)));
    Set<Mask> distinct = new HashSet<>();
    for (long s = 0; s < 20; s++) {
      distinct.add(g.generate(s));
    }
    assertThat(distinct.size()).isGreaterThan(15);
  }

  @Test
  void simMimChoosesBlocksRoughlyUniformly() {
    SimMimMaskGenerator g = new SimMimMaskGenerator(32, 4, 8, 0.25); // 4 of 16 blocks
    int[] hits = new int[64];
    SplittableRandom r = new SplittableRandom(5);
    int draws = 4000;
    for (int i = 0; i < draws; i++) {
      boolean[] f = g.generate(r).masked();
      for (int j = 0; j < f.length; j++) {
        if (f[j]) {
          hits[j]++;
        }
      }
    }
    for (int h : hits) {
      assertThat(h / (double) draws).isBetween(0.20, 0.30);
    }
  }

  @Test
  void simMimRejectsBadGeometryNamingTheArgument() {
    assertThatThrownBy(() -> new SimMimMaskGenerator(28, 7, 10, 0.5))
        .hasMessageContaining("maskPatchSize");
    assertThatThrownBy(() -> new SimMimMaskGenerator(28, 7, 3, 0.5))
        .hasMessageContaining("maskPatchSize");
    assertThatThrownBy(() -> new SimMimMaskGenerator(28, 5, 14, 0.5))
        .hasMessageContaining("patchSize");
    assertThatThrownBy(() -> new SimMimMaskGenerator(28, 7, 14, 1.5)).hasMessageContaining("ratio");
  }

  @Test
  void randomPatchMaskingFollowsMaeRounding() {
    RandomPatchMaskGenerator g = new RandomPatchMaskGenerator(7, 7, 0.75);
    // keep floor(49 x 0.25) = 12, mask 37
    assertThat(g.maskedCount()).isEqualTo(37);
    assertThat(new RandomPatchMaskGenerator(4, 4, 0.75).maskedCount()).isEqualTo(12);
    assertThat(new RandomPatchMaskGenerator(4, 4, 0).maskedCount()).isZero();
    assertThat(new RandomPatchMaskGenerator(4, 4, 1).maskedCount()).isEqualTo(16);
    for (long s = 0; s < 30; s++) {
      Mask m = g.generate(s);
      assertThat(m.gridWidth()).isEqualTo(7);
      assertThat(m.size()).isEqualTo(49);
      assertThat(m.maskedCount()).isEqualTo(37);
    }
    assertThat(g.generate(42)).isEqualTo(g.generate(42));
    assertThat(g.generate(42)).isNotEqualTo(g.generate(43));
    RandomPatchMaskGenerator rect = new RandomPatchMaskGenerator(5, 3, 0.5);
    Mask m = rect.generate(1);
    assertThat(m.gridWidth()).isEqualTo(5);
    assertThat(m.gridHeight()).isEqualTo(3);
    assertThat(m.maskedCount()).isEqualTo(15 - 7);
  }

  @Test
  void bitsAreRowMajorLsbFirst() {
    boolean[] flags = new boolean[10];
    flags[0] = true;
    flags[9] = true;
    flags[3] = true;
    assertThat(MaskBits.pack(flags)).containsExactly((byte) 0b0000_1001, (byte) 0b0000_0010);
    assertThat(MaskBits.unpack(new byte[] {(byte) 0b0000_1001, 0b10}, 10)).isEqualTo(flags);
    assertThat(MaskBits.pack(new boolean[0])).isEmpty();
    Mask m = new Mask(4, 4, new boolean[16]);
    m.masked()[5] = true; // (x=1, y=1)
    assertThat(m.isMasked(1, 1)).isTrue();
    assertThat(m.toBits()).containsExactly((byte) 0b0010_0000, (byte) 0);
  }

  @Test
  void bitsRoundTripForGeneratedMasks() {
    MaskGenerator[] gens = {
      new SimMimMaskGenerator(28, 7, 14, 0.3),
      new SimMimMaskGenerator(32, 4, 8, 0.6),
      new RandomPatchMaskGenerator(7, 7, 0.75),
      new RandomPatchMaskGenerator(3, 3, 0.5)
    };
    for (MaskGenerator g : gens) {
      for (long s = 0; s < 20; s++) {
        Mask m = g.generate(s);
        byte[] bits = m.toBits();
        assertThat(bits).hasSize(MaskBits.byteLength(m.size()));
        assertThat(Mask.fromBits(m.gridWidth(), m.gridHeight(), bits)).isEqualTo(m);
      }
    }
  }

  @Test
  void unpackRejectsWrongLengthAndStrayPaddingBits() {
    assertThatThrownBy(() -> MaskBits.unpack(new byte[3], 16)).hasMessageContaining("bytes");
    assertThatThrownBy(() -> MaskBits.unpack(new byte[] {0, (byte) 0x80}, 10))
        .hasMessageContaining("padding");
    assertThatThrownBy(() -> new Mask(4, 4, new boolean[15])).hasMessageContaining("flags");
  }

  private static void assertWholeBlocks(Mask m, int scale) {
    for (int y = 0; y < m.gridHeight(); y++) {
      for (int x = 0; x < m.gridWidth(); x++) {
        int bx = (x / scale) * scale, by = (y / scale) * scale;
        assertThat(m.isMasked(x, y)).as("patch (%d,%d)", x, y).isEqualTo(m.isMasked(bx, by));
      }
    }
  }
}
