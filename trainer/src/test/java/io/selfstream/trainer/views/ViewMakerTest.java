package io.selfstream.trainer.views;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.mask.Mask;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Views, masks and teacher outputs of one batch, without Flink or Kafka. */
class ViewMakerTest {

  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(16, 1, 2, 2.0);

  static List<Frame> frames(int n, long seed) {
    Random r = new Random(seed);
    List<Frame> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[28 * 28];
      r.nextBytes(px);
      out.add(
          Frame.newBuilder()
              .setSourceId("cam-" + (i % 2))
              .setSeq(i)
              .setCaptureTimeMs(Instant.ofEpochMilli(1_000 + i))
              .setWidth(28)
              .setHeight(28)
              .setChannels(1)
              .setPixels(ByteBuffer.wrap(px))
              .build());
    }
    return out;
  }

  @Test
  void withoutATeacherViewsCarryVersionZeroAndNoLabelOrFeatures() {
    ViewMaker maker = new ViewMaker(TINY, 0.5, 42);
    ViewMaker.Made made = maker.make(frames(5, 1), null, 7);
    assertThat(made.views()).hasSize(5);
    assertThat(made.features()).isEmpty();
    for (TrainingView v : made.views()) {
      assertThat(v.getTeacherVersion()).isZero();
      assertThat(v.getPseudoLabel()).isNull();
      assertThat(v.getConfidence()).isZero();
      assertThat(v.getWeakView().remaining()).isEqualTo(28 * 28);
      assertThat(v.getStrongView().remaining()).isEqualTo(28 * 28);
      Mask m = Mask.fromBits(v.getMaskGridWidth(), v.getMaskGridHeight(), bytes(v.getMaskBits()));
      assertThat(m.gridWidth()).isEqualTo(TINY.gridSize());
      // 2x2 blocks of 14 px, ratio 0.3 -> 2 blocks of 2x2 model patches
      assertThat(m.maskedCount()).isEqualTo(8);
    }
  }

  @Test
  void sameFrameSameViewsAndMaskWhateverTheBatch() {
    ViewMaker maker = new ViewMaker(TINY, 0.5, 42);
    List<Frame> fs = frames(6, 2);
    List<TrainingView> all = maker.make(fs, null, 0).views();
    List<TrainingView> last = maker.make(fs.subList(3, 6), null, 0).views();
    for (int i = 0; i < 3; i++) {
      assertThat(last.get(i)).isEqualTo(all.get(i + 3));
    }
    List<TrainingView> otherSeed = new ViewMaker(TINY, 0.5, 43).make(fs, null, 0).views();
    assertThat(otherSeed.get(0).getAugmentSeed()).isNotEqualTo(all.get(0).getAugmentSeed());
  }

  @Test
  void teacherLabelsAboveThresholdAndStampsItsVersion() {
    List<Frame> fs = frames(8, 3);
    try (Encoder teacher = Encoder.create(TINY, Device.cpu(), 5)) {
      ViewMaker.Made all = new ViewMaker(TINY, 0.0, 42).make(fs, teacher, 3);
      assertThat(all.views())
          .allSatisfy(
              v -> {
                assertThat(v.getTeacherVersion()).isEqualTo(3);
                assertThat(v.getPseudoLabel()).isNotNull().isBetween(0, 9);
                assertThat(v.getConfidence()).isGreaterThan(0f).isLessThanOrEqualTo(1f);
              });
      assertThat(all.features()).hasSize(8);
      for (FrameFeatures f : all.features()) {
        assertThat(f.getEncoderVersion()).isEqualTo(3);
        assertThat(f.getFeatures()).hasSize(TINY.dim());
      }
      assertThat(all.features())
          .extracting(FrameFeatures::getSeq)
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);

      ViewMaker.Made none = new ViewMaker(TINY, 1.0, 42).make(fs, teacher, 3);
      assertThat(none.views()).allSatisfy(v -> assertThat(v.getPseudoLabel()).isNull());
      assertThat(none.views()).allSatisfy(v -> assertThat(v.getConfidence()).isGreaterThan(0f));
      assertThat(none.features()).hasSize(8);
    }
  }

  static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
