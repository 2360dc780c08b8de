package io.selfstream.graphreasoning.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameFeatureExtractorTest {

  @Test
  void frameByFrameWithSavedAndRestoredStateEqualsWholeVideo() throws IOException {
    FashionMnist images = FashionMnist.load(FashionMnist.Split.TEST);
    SyntheticVideo v =
        new ActivityVideoGenerator(images, GeneratorConfig.defaults()).generate("v", 3);
    FrameFeatureExtractor fx = new FrameFeatureExtractor(64);
    Features whole = fx.extract(v.frames());

    List<byte[]> frames = v.frames();
    FrameFeatureExtractor.Sequence sequence = fx.sequence();
    for (int t = 0; t < frames.size(); t++) {
      if (t == frames.size() / 2) { // what a streaming operator does across a restart
        sequence = fx.sequence(sequence.previousPooled(), sequence.previousMoments());
      }
      float[] f = sequence.next(frames.get(t));
      for (int c = 0; c < fx.dim(); c++) {
        assertThat(f[c]).as("c %d t %d", c, t).isEqualTo(whole.get(c, t));
      }
    }
  }

  @Test
  void refusesStateOfAnotherGrid() {
    FrameFeatureExtractor fx = new FrameFeatureExtractor(28, 7);
    assertThat(fx.dim()).isEqualTo(2 * 49 + FrameFeatureExtractor.MOMENTS);
    assertThatThrownBy(() -> fx.sequence(new float[64], new double[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("7x7");
    assertThatThrownBy(() -> fx.sequence(new float[49], null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
