package io.selfstream.trainer.encoder;

import io.selfstream.data.FashionMnist;
import io.selfstream.trainer.augment.U8Image;

/** A random-access labelled image set (the supervised source for the bootstrap). */
public interface LabeledImages {

  int size();

  U8Image image(int i);

  int label(int i);

  /** Fashion-MNIST as 28x28x1 images. */
  static LabeledImages of(FashionMnist data) {
    return new LabeledImages() {
      @Override
      public int size() {
        return data.size();
      }

      @Override
      public U8Image image(int i) {
        return new U8Image(data.image(i), FashionMnist.SIZE, FashionMnist.SIZE, 1);
      }

      @Override
      public int label(int i) {
        return data.label(i);
      }
    };
  }

  /** The first {@code n} items (all when {@code n <= 0} or larger than the set). */
  default LabeledImages limit(int n) {
    if (n <= 0 || n >= size()) {
      return this;
    }
    LabeledImages self = this;
    return new LabeledImages() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public U8Image image(int i) {
        return self.image(i);
      }

      @Override
      public int label(int i) {
        return self.label(i);
      }
    };
  }
}
