package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Pre-norm transformer block on {@code (N, L, dim)}: {@code x + MHSA(LN(x))}, then {@code x +
 * MLP(LN(x))}. The layer norms normalise each token over its {@code dim} features ({@code axis(2)};
 * DJL's default would normalise over all tokens together).
 */
public final class TransformerBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  static final float LN_EPS = 1e-6f;

  private final LayerNorm norm1;
  private final MultiHeadSelfAttention attn;
  private final LayerNorm norm2;
  private final Mlp mlp;

  public TransformerBlock(int dim, int heads, int mlpHidden, float dropout) {
    super(VERSION);
    norm1 = addChildBlock("norm1", tokenNorm());
    attn = addChildBlock("attn", new MultiHeadSelfAttention(dim, heads, dropout));
    norm2 = addChildBlock("norm2", tokenNorm());
    mlp = addChildBlock("mlp", new Mlp(dim, mlpHidden, dropout));
  }

  /** Layer norm over the last axis of {@code (N, L, D)} tokens. */
  static LayerNorm tokenNorm() {
    return LayerNorm.builder().axis(2).optEpsilon(LN_EPS).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray h = norm1.forward(ps, new NDList(x), training, params).head();
    x = x.add(attn.forward(ps, new NDList(h), training, params).head());
    h = norm2.forward(ps, new NDList(x), training, params).head();
    x = x.add(mlp.forward(ps, new NDList(h), training, params).head());
    return new NDList(x);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (var child : getChildren().values()) {
      child.initialize(manager, dataType, inputShapes[0]);
    }
  }
}
