package io.selfstream.trainer.views;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The per-feed video feature logic: offline equality, restore, resets, shape checks. */
class VideoFrameFeaturesTest {

  static final int RAW = 64;
  static final VideoFeatures VIDEO = VideoFeatures.defaults();

  /** A 64x64 grey video: a bright square moving right and down over a faint gradient. */
  static List<byte[]> rawVideo(int frames) {
    List<byte[]> out = new ArrayList<>();
    for (int t = 0; t < frames; t++) {
      byte[] px = new byte[RAW * RAW];
      int x0 = 4 + t;
      int y0 = 10 + t / 2;
      for (int y = 0; y < RAW; y++) {
        for (int x = 0; x < RAW; x++) {
          boolean in = x >= x0 && x < x0 + 14 && y >= y0 && y < y0 + 10;
          px[y * RAW + x] = (byte) (in ? 230 : (x + y) / 4);
        }
      }
      out.add(px);
    }
    return out;
  }

  static Frame frame(String source, long seq, byte[] pixels, int w, int h, int channels) {
    return Frame.newBuilder()
        .setSourceId(source)
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(1_000 + seq))
        .setWidth(w)
        .setHeight(h)
        .setChannels(channels)
        .setPixels(ByteBuffer.wrap(pixels))
        .build();
  }

  static Frame normalized(String source, long seq, byte[] raw) {
    return frame(source, seq, VIDEO.normalize(raw, RAW), 28, 28, 1);
  }

  static float[] values(FrameFeatures f) {
    float[] v = new float[f.getFeatures().size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = f.getFeatures().get(i);
    }
    return v;
  }

  static float[] column(Features f, int t) {
    float[] v = new float[f.dim()];
    for (int c = 0; c < f.dim(); c++) {
      v[c] = f.data()[c * f.length() + t];
    }
    return v;
  }

  /** Bit equality (assertThat(float[]).containsExactly would accept -0 for 0 and NaN != NaN). */
  static void assertBitEqual(float[] actual, float[] expected, String what) {
    assertThat(actual.length).as(what).isEqualTo(expected.length);
    for (int i = 0; i < actual.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i]))
          .as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
          .isEqualTo(Float.floatToRawIntBits(expected[i]));
    }
  }

  /** Round trip through the Flink state serializer, as a checkpoint and restore would. */
  static VideoFrameFeatures.State restore(VideoFrameFeatures.State s) throws Exception {
    TypeSerializer<Tuple4<Long, Integer, float[], double[]>> ser =
        VideoFeaturesFunction.STATE_TYPE.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    ser.serialize(Tuple4.of(s.seq(), s.side(), s.pooled(), s.moments()), out);
    return VideoFeaturesFunction.fromTuple(
        ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
  }

  @Test
  void aFeedInOrderGivesTheOfflineFeaturesBitForBit() {
    List<byte[]> raw = rawVideo(30);
    Features offline = VIDEO.ofVideo(raw, RAW);
    VideoFrameFeatures core = new VideoFrameFeatures(VideoFeatures.DEFAULT_GRID);
    VideoFrameFeatures.State state = null;
    for (int t = 0; t < raw.size(); t++) {
      VideoFrameFeatures.Step step = core.next(state, normalized("video-a", t, raw.get(t)));
      assertThat(step.reset()).isFalse();
      FrameFeatures f = step.features();
      assertThat(f.getEncoderVersion()).isEqualTo(0L).isEqualTo(VideoFeatures.ENCODER_VERSION);
      assertThat(f.getSourceId()).isEqualTo("video-a");
      assertThat(f.getSeq()).isEqualTo(t);
      assertThat(f.getCaptureTimeMs()).isEqualTo(Instant.ofEpochMilli(1_000 + t));
      assertThat(f.getFeatures()).hasSize(108);
      assertBitEqual(values(f), column(offline, t), "frame " + t);
      state = step.state();
    }
    // the motion features are live: the square moves, so some change is non-zero after frame 0
    float[] last = column(offline, raw.size() - 1);
    float motion = 0;
    for (int c = 49; c < 98; c++) {
      motion += Math.abs(last[c]);
    }
    assertThat(motion).isPositive();
  }

  @Test
  void restoredStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    List<byte[]> raw = rawVideo(20);
    VideoFrameFeatures core = new VideoFrameFeatures(7);
    List<float[]> uninterrupted = new ArrayList<>();
    VideoFrameFeatures.State state = null;
    for (int t = 0; t < raw.size(); t++) {
      VideoFrameFeatures.Step step = core.next(state, normalized("v", t, raw.get(t)));
      uninterrupted.add(values(step.features()));
      state = step.state();
    }
    for (int cut : new int[] {1, 7, 19}) {
      VideoFrameFeatures.State s = null;
      for (int t = 0; t < cut; t++) {
        s = core.next(s, normalized("v", t, raw.get(t))).state();
      }
      // a fresh instance after the restore, as in a restarted task
      VideoFrameFeatures after = new VideoFrameFeatures(7);
      s = restore(s);
      for (int t = cut; t < raw.size(); t++) {
        VideoFrameFeatures.Step step = after.next(s, normalized("v", t, raw.get(t)));
        assertThat(step.reset()).isFalse();
        assertBitEqual(values(step.features()), uninterrupted.get(t), "cut " + cut + " frame " + t);
        s = step.state();
      }
    }
    // without the state, the first frame after the cut would differ (its changes would be 0)
    VideoFrameFeatures.Step lost = core.next(null, normalized("v", 7, raw.get(7)));
    assertThat(values(lost.features())).isNotEqualTo(uninterrupted.get(7));
  }

  @Test
  void aGapABackwardsSeqOrANewSideRestartsTheMotionState() {
    List<byte[]> raw = rawVideo(12);
    VideoFrameFeatures core = new VideoFrameFeatures(7);
    FrameFeatureExtractor fx = new FrameFeatureExtractor(28, 7);
    VideoFrameFeatures.State s = null;
    for (int t = 0; t < 5; t++) {
      s = core.next(s, normalized("v", t, raw.get(t))).state();
    }
    Map<String, Frame> restarts =
        Map.of(
            "gap", normalized("v", 9, raw.get(9)),
            "backwards (restarted feed)", normalized("v", 0, raw.get(11)),
            "repeat", normalized("v", 4, raw.get(6)),
            "new side", frame("v", 5, new byte[14 * 14], 14, 14, 1));
    for (var e : restarts.entrySet()) {
      Frame f = e.getValue();
      VideoFrameFeatures.Step step = core.next(s, f);
      assertThat(step.reset()).as(e.getKey()).isTrue();
      ByteBuffer b = f.getPixels().duplicate();
      byte[] px = new byte[b.remaining()];
      b.get(px);
      float[] first = new FrameFeatureExtractor(f.getWidth(), 7).sequence().next(px);
      assertBitEqual(values(step.features()), first, e.getKey());
      // first-frame features: every change is 0
      float[] v = values(step.features());
      int cells = 49;
      for (int c = cells; c < 2 * cells; c++) {
        assertThat(v[c]).as("%s diff cell %d", e.getKey(), c).isZero();
      }
      for (int m = 2 * cells + 6; m < v.length; m++) {
        assertThat(v[m]).as("%s moment change %d", e.getKey(), m).isZero();
      }
      assertThat(step.state().seq()).isEqualTo(f.getSeq());
    }
    // the next frame continues from there
    VideoFrameFeatures.State afterGap = core.next(s, normalized("v", 9, raw.get(9))).state();
    VideoFrameFeatures.Step next = core.next(afterGap, normalized("v", 10, raw.get(10)));
    assertThat(next.reset()).isFalse();
    FrameFeatureExtractor.Sequence seq = fx.sequence();
    seq.next(VIDEO.normalize(raw.get(9), RAW));
    assertBitEqual(values(next.features()), seq.next(VIDEO.normalize(raw.get(10), RAW)), "after");
  }

  @Test
  void onlySquareGreyFramesTheGridDividesAreVideoFrames() {
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[28 * 28], 28, 28, 1), 7))
        .isNull();
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[32 * 32], 32, 32, 1), 8))
        .isNull();
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[28 * 28 * 3], 28, 28, 3), 7))
        .contains("28x28x3", "square grey");
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[28 * 14], 28, 14, 1), 7))
        .contains("28x14x1");
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[30 * 30], 30, 30, 1), 7))
        .contains("side 30", "views.videoFeatureGrid 7");
    assertThat(VideoFrameFeatures.shapeProblem(frame("v", 0, new byte[10], 28, 28, 1), 7))
        .contains("10 pixel bytes");
    VideoFrameFeatures core = new VideoFrameFeatures(7);
    assertThatThrownBy(() -> core.next(null, frame("v", 0, new byte[30 * 30], 30, 30, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("views.videoFeatureGrid");
  }
}
