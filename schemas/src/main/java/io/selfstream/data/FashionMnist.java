package io.selfstream.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST as shipped by the Debian package {@code dataset-fashion-mnist}: 28x28 grayscale
 * images of 10 garment classes, 60,000 train and 10,000 test.
 *
 * @param images {@code N x 28 x 28} unsigned bytes
 * @param labels {@code N} class indices
 */
public record FashionMnist(IdxFile images, IdxFile labels) {

  /** Where the Debian package installs the IDX files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  public static final int SIZE = 28;

  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** Which split to read. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }
  }

  /** Reads a split from {@code dir}, accepting gzip-compressed or plain IDX files. */
  public static FashionMnist load(Path dir, Split split) throws IOException {
    IdxFile images = IdxFile.read(find(dir, split.prefix + "-images-idx3-ubyte"));
    IdxFile labels = IdxFile.read(find(dir, split.prefix + "-labels-idx1-ubyte"));
    if (images.count() != labels.count()) {
      throw new IOException(
          dir + ": " + images.count() + " images but " + labels.count() + " labels");
    }
    return new FashionMnist(images, labels);
  }

  /** Reads a split from the Debian package location. */
  public static FashionMnist load(Split split) throws IOException {
    return load(DEBIAN_DIR, split);
  }

  private static Path find(Path dir, String base) throws IOException {
    for (String name : List.of(base + ".gz", base)) {
      Path candidate = dir.resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IOException(
        "Fashion-MNIST file "
            + base
            + "(.gz) not found in "
            + dir
            + "; install it with `apt-get install dataset-fashion-mnist` (or run ./scripts/setup.sh)");
  }

  public int size() {
    return images.count();
  }

  /** Row-major 28x28 unsigned pixels of image {@code i}. */
  public byte[] image(int i) {
    return images.item(i);
  }

  public int label(int i) {
    return labels.label(i);
  }
}
