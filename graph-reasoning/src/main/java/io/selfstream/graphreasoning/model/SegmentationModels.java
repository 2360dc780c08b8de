package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.selfstream.graphreasoning.data.Features;

/** Building, initialising and running segmentation blocks outside a trainer. */
public final class SegmentationModels {

  private SegmentationModels() {}

  /** A block for {@code spec} with PyTorch-default weight initialisation, initialised. */
  public static Block create(ModelSpec spec, NDManager manager) {
    Block block = spec.newBlock();
    block.setInitializer(new TorchDefaultInitializer(), Parameter.Type.WEIGHT);
    block.initialize(manager, DataType.FLOAT32, inputShapes(spec, false));
    return block;
  }

  /** Shapes the block is initialised with (length and batch are free at run time). */
  public static Shape[] inputShapes(ModelSpec spec, boolean withSwap) {
    Shape x = new Shape(1, spec.inputDim(), 16);
    Shape mask = new Shape(1, 1, 16);
    return withSwap ? new Shape[] {x, mask, x} : new Shape[] {x, mask};
  }

  /** {@code (1, dim, T)} input tensor of one video. */
  public static NDArray input(NDManager manager, Features f) {
    return manager.create(f.data(), new Shape(1, f.dim(), f.length()));
  }

  /** Frame-wise argmax of the last stage of an inference forward pass on one video. */
  public static int[] predict(Block block, NDManager manager, Features f) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = input(scope, f);
      NDArray mask = scope.ones(new Shape(1, 1, f.length()));
      NDList out = block.forward(new ParameterStore(scope, false), new NDList(x, mask), false);
      NDArray last = out.get(out.size() - 1);
      long[] idx = last.argMax(1).toType(DataType.INT64, false).toLongArray();
      int[] labels = new int[idx.length];
      for (int i = 0; i < idx.length; i++) {
        labels[i] = (int) idx[i];
      }
      return labels;
    }
  }
}
