package io.selfstream.trainer.encoder;

import io.selfstream.data.FashionMnist;
import java.nio.file.Files;

/** Tiny sizes for fast tests. */
final class TestModels {

  private TestModels() {}

  /** 28x28 gray, patch 7 (16 tokens), dim 32, depth 2, 2 heads, MLP ratio 2. */
  static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(32, 2, 2, 2.0);

  static boolean fashionMnistPresent() {
    return Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"))
        || Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte"));
  }
}
