package io.selfstream.graphreasoning.train;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.synth.ImageFeatures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small real labeled sequence for tests: segments of Fashion-MNIST test images, a different image
 * of the segment's garment class every frame, 7x7 average-pooled (49-dim features).
 */
final class FashionSequence {

  static final int DIM = 49;
  private static FashionMnist cached;

  private FashionSequence() {}

  static synchronized FashionMnist data() throws IOException {
    if (cached == null) {
      cached = FashionMnist.load(FashionMnist.Split.TEST);
    }
    return cached;
  }

  /**
   * @param classes garment class of each segment; the frame label is the index of the class in
   *     {@code labelOf} order (class c -> label = position of c in {@code garments})
   */
  static LabeledVideo sequence(
      String name, int[] garments, int[] segmentClasses, int[] lengths, long seed)
      throws IOException {
    FashionMnist ds = data();
    Random rng = new Random(seed);
    List<float[]> frames = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int s = 0; s < segmentClasses.length; s++) {
      int label = segmentClasses[s];
      int garment = garments[label];
      for (int t = 0; t < lengths[s]; t++) {
        int idx;
        do {
          idx = rng.nextInt(ds.size());
        } while (ds.label(idx) != garment);
        frames.add(ImageFeatures.pooled(ds.image(idx), FashionMnist.SIZE, 7));
        labels.add(label);
      }
    }
    int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
    return new LabeledVideo(name, Features.fromFrames(frames.toArray(new float[0][])), l);
  }
}
