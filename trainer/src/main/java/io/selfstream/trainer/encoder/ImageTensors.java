package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.mask.Mask;
import java.util.List;

/** Turns uint8 HWC images and patch masks into the encoder's input tensors. */
public final class ImageTensors {

  private ImageTensors() {}

  /**
   * Throws {@link IllegalArgumentException} when {@code image} is not {@code imageSize x imageSize
   * x channels} (callers route such frames to a dead-letter output).
   */
  public static void checkShape(U8Image image, EncoderConfig config) {
    if (image.width() != config.imageSize()
        || image.height() != config.imageSize()
        || image.channels() != config.channels()) {
      throw new IllegalArgumentException(
          "image is "
              + image.width()
              + "x"
              + image.height()
              + "x"
              + image.channels()
              + ", the encoder takes "
              + config.imageSize()
              + "x"
              + config.imageSize()
              + "x"
              + config.channels());
    }
  }

  /** Writes the normalised CHW floats of {@code image} at {@code out[offset...]}. */
  public static void normalizeInto(U8Image image, EncoderConfig config, float[] out, int offset) {
    checkShape(image, config);
    int hw = config.imageSize() * config.imageSize();
    int c = config.channels();
    byte[] px = image.pixels();
    float scale = 1f / (255f * config.pixelStd());
    float shift = config.pixelMean() / config.pixelStd();
    for (int p = 0; p < hw; p++) {
      for (int k = 0; k < c; k++) {
        out[offset + k * hw + p] = (px[p * c + k] & 0xff) * scale - shift;
      }
    }
  }

  /** {@code (N, C, H, W)} normalised float32 batch in {@code manager}. */
  public static NDArray images(NDManager manager, List<U8Image> images, EncoderConfig config) {
    int per = config.channels() * config.imageSize() * config.imageSize();
    float[] data = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      normalizeInto(images.get(i), config, data, i * per);
    }
    return manager.create(
        data, new Shape(images.size(), config.channels(), config.imageSize(), config.imageSize()));
  }

  /** {@code (N, L)} float32 mask batch (1 = masked) in {@code manager}. */
  public static NDArray masks(NDManager manager, List<Mask> masks, EncoderConfig config) {
    int l = config.numPatches();
    float[] data = new float[masks.size() * l];
    for (int i = 0; i < masks.size(); i++) {
      Mask m = masks.get(i);
      if (m.gridWidth() != config.gridSize() || m.gridHeight() != config.gridSize()) {
        throw new IllegalArgumentException(
            "mask grid "
                + m.gridWidth()
                + "x"
                + m.gridHeight()
                + " does not match the encoder's "
                + config.gridSize()
                + "x"
                + config.gridSize());
      }
      System.arraycopy(m.toFloats(), 0, data, i * l, l);
    }
    return manager.create(data, new Shape(masks.size(), l));
  }
}
