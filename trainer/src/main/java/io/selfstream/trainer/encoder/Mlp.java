package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Token-wise MLP: {@code Linear(dim -> hidden) -> GELU -> Linear(hidden -> dim)}, with dropout. */
public final class Mlp extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int dim;
  private final int hidden;
  private final float dropout;
  private final Linear fc1;
  private final Linear fc2;

  public Mlp(int dim, int hidden, float dropout) {
    super(VERSION);
    this.dim = dim;
    this.hidden = hidden;
    this.dropout = dropout;
    this.fc1 = addChildBlock("fc1", Linear.builder().setUnits(hidden).build());
    this.fc2 = addChildBlock("fc2", Linear.builder().setUnits(dim).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = Activation.gelu(fc1.forward(ps, inputs, training, params).head());
    if (training && dropout > 0) {
      h = Dropout.dropout(h, dropout, true).head();
    }
    NDArray out = fc2.forward(ps, new NDList(h), training, params).head();
    if (training && dropout > 0) {
      out = Dropout.dropout(out, dropout, true).head();
    }
    return new NDList(out);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    fc1.initialize(manager, dataType, in);
    fc2.initialize(manager, dataType, in.slice(0, in.dimension() - 1).add(hidden));
  }
}
