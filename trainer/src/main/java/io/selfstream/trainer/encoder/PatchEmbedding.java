package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Splits {@code (N, C, H, W)} images into non-overlapping {@code patch x patch} patches and
 * projects each to {@code dim}: a convolution with kernel = stride = patch. Output {@code (N, L,
 * dim)} with {@code L = (H / patch) * (W / patch)}, patches in row-major order.
 */
public final class PatchEmbedding extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int patch;
  private final int dim;
  private final Conv2d proj;

  public PatchEmbedding(int patch, int dim) {
    super(VERSION);
    this.patch = patch;
    this.dim = dim;
    this.proj =
        addChildBlock(
            "proj",
            Conv2d.builder()
                .setKernelShape(new Shape(patch, patch))
                .optStride(new Shape(patch, patch))
                .setFilters(dim)
                .build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = proj.forward(ps, new NDList(inputs.head()), training, params).head();
    Shape s = x.getShape(); // (N, dim, gh, gw)
    return new NDList(x.reshape(s.get(0), dim, s.get(2) * s.get(3)).transpose(0, 2, 1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), (in.get(2) / patch) * (in.get(3) / patch), dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    proj.initialize(manager, dataType, inputShapes[0]);
  }
}
