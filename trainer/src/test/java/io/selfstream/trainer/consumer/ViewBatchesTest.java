package io.selfstream.trainer.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.mask.Mask;
import io.selfstream.trainer.views.ViewMaker;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TrainingView records -> ViewBatch: pixels, masks on the patch grid, labels, provenance. */
class ViewBatchesTest {

  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(16, 1, 2, 2.0);

  static List<TrainingView> views(int n) {
    Random r = new Random(3);
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[28 * 28];
      r.nextBytes(px);
      frames.add(
          Frame.newBuilder()
              .setSourceId("cam-" + (i % 2))
              .setSeq(100 + i)
              .setCaptureTimeMs(Instant.ofEpochMilli(i))
              .setWidth(28)
              .setHeight(28)
              .setChannels(1)
              .setPixels(ByteBuffer.wrap(px))
              .build());
    }
    return new ViewMaker(TINY, 0.5, 42).make(frames, null, 0).views();
  }

  static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  @Test
  void decodesPixelsMasksLabelsAndProvenanceInOrder() {
    List<TrainingView> in = new ArrayList<>(views(4));
    in.set(1, TrainingView.newBuilder(in.get(1)).setPseudoLabel(7).build());
    ViewBatches.Decoded d = ViewBatches.decode(in, TINY);
    assertThat(d.refused()).isEmpty();
    ViewBatch b = d.batch();
    assertThat(b.size()).isEqualTo(4);
    assertThat(b.viewPseudoLabels()).containsExactly(-1, 7, -1, -1);
    assertThat(b.sourceIds()).containsExactly("cam-0", "cam-1", "cam-0", "cam-1");
    assertThat(b.seqs()).containsExactly(100, 101, 102, 103);
    for (int i = 0; i < 4; i++) {
      TrainingView v = in.get(i);
      assertThat(b.weak().get(i).pixels()).isEqualTo(bytes(v.getWeakView()));
      assertThat(b.strong().get(i).pixels()).isEqualTo(bytes(v.getStrongView()));
      Mask m = Mask.fromBits(v.getMaskGridWidth(), v.getMaskGridHeight(), bytes(v.getMaskBits()));
      assertThat(b.masks().get(i)).isEqualTo(m.masked());
      assertThat(b.masks().get(i)).hasSize(TINY.numPatches()).contains(true, false);
    }
  }

  @Test
  void refusesViewsThatDoNotFitAndKeepsTheRest() {
    List<TrainingView> in = new ArrayList<>(views(5));
    TrainingView ok = in.get(0);
    // another resolution
    in.set(
        1,
        TrainingView.newBuilder(ok)
            .setWidth(14)
            .setHeight(14)
            .setWeakView(ByteBuffer.wrap(new byte[14 * 14]))
            .setStrongView(ByteBuffer.wrap(new byte[14 * 14]))
            .build());
    // a mask grid of another patch size
    in.set(2, TrainingView.newBuilder(ok).setMaskGridWidth(7).setMaskGridHeight(7).build());
    // a label the head does not have
    in.set(3, TrainingView.newBuilder(ok).setPseudoLabel(10).build());
    // pixels that do not add up to the stated shape
    in.set(4, TrainingView.newBuilder(ok).setStrongView(ByteBuffer.wrap(new byte[5])).build());
    ViewBatches.Decoded d = ViewBatches.decode(in, TINY);
    assertThat(d.batch().size()).isEqualTo(1);
    assertThat(d.refused()).hasSize(4);
    assertThat(d.refused().get(0)).contains("14x14");
    assertThat(d.refused().get(1)).contains("mask grid 7x7");
    assertThat(d.refused().get(2)).contains("pseudo-label 10");
    assertThat(d.refused().get(3)).contains("strongView");
  }

  @Test
  void aViewWithoutAMaskIsFullyVisible() {
    TrainingView v =
        TrainingView.newBuilder(views(1).get(0))
            .setMaskGridWidth(0)
            .setMaskGridHeight(0)
            .setMaskBits(ByteBuffer.allocate(0))
            .build();
    boolean[] mask = ViewBatches.decode(List.of(v), TINY).batch().masks().get(0);
    assertThat(mask).hasSize(TINY.numPatches()).doesNotContain(true);
  }
}
