package io.selfstream.graphreasoning.data;

/**
 * Features of one video with a class index per frame.
 *
 * @param name video name (no extension)
 * @param features {@code dim x T}
 * @param labels {@code T} class indices
 */
public record LabeledVideo(String name, Features features, int[] labels) {

  public LabeledVideo {
    if (features.length() != labels.length) {
      throw new IllegalArgumentException(
          name + ": " + features.length() + " feature frames but " + labels.length + " labels");
    }
  }

  public int length() {
    return labels.length;
  }

  /** Every {@code rate}-th frame of features and labels. */
  public LabeledVideo subsample(int rate) {
    if (rate <= 1) {
      return this;
    }
    Features f = features.subsample(rate);
    int[] l = new int[f.length()];
    for (int i = 0; i < l.length; i++) {
      l[i] = labels[i * rate];
    }
    return new LabeledVideo(name, f, l);
  }
}
