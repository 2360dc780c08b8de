package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention over {@code (N, L, dim)} tokens: one fused QKV
 * projection, softmax attention per head, output projection.
 */
public final class MultiHeadSelfAttention extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int dim;
  private final int heads;
  private final float dropout;
  private final float scale;
  private final Linear qkv;
  private final Linear proj;

  public MultiHeadSelfAttention(int dim, int heads, float dropout) {
    super(VERSION);
    if (dim % heads != 0) {
      throw new IllegalArgumentException("heads " + heads + " does not divide dim " + dim);
    }
    this.dim = dim;
    this.heads = heads;
    this.dropout = dropout;
    this.scale = (float) (1.0 / Math.sqrt(dim / (double) heads));
    this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dim).build());
    this.proj = addChildBlock("proj", Linear.builder().setUnits(dim).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    long n = x.getShape().get(0);
    long l = x.getShape().get(1);
    long hd = dim / heads;
    // (N, L, 3D) -> (N, L, 3, H, hd) -> (3, N, H, L, hd)
    NDArray t =
        qkv.forward(ps, new NDList(x), training, params)
            .head()
            .reshape(n, l, 3, heads, hd)
            .transpose(2, 0, 3, 1, 4);
    NDArray q = t.get(0).mul(scale);
    NDArray k = t.get(1);
    NDArray v = t.get(2);
    NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
    if (training && dropout > 0) {
      attn = Dropout.dropout(attn, dropout, true).head();
    }
    NDArray out = attn.matMul(v).transpose(0, 2, 1, 3).reshape(n, l, dim);
    out = proj.forward(ps, new NDList(out), training, params).head();
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
    qkv.initialize(manager, dataType, inputShapes[0]);
    proj.initialize(manager, dataType, inputShapes[0]);
  }
}
