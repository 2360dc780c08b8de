package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * MS-TCN's dilated residual layer: {@code (x + dropout(conv1x1(relu(dilatedConv3(x))))) * mask}.
 *
 * <p>Inputs {@code x (B, C, L)} and {@code mask (B, 1, L)}; output {@code (B, C, L)}. Acausal
 * layers pad {@code d} frames on each side; causal ones pad {@code 2d} on the left only.
 */
public final class DilatedResidualLayer extends AbstractBlock {

  private final int dilation;
  private final boolean causal;
  private final Conv1d dilated;
  private final Conv1d pointwise;
  private final Dropout dropout;

  public DilatedResidualLayer(int dilation, int channels, double dropoutRate, boolean causal) {
    this.dilation = dilation;
    this.causal = causal;
    this.dilated =
        addChildBlock(
            "conv_dilated", Ops.conv(channels, TcnConfig.KERNEL, dilation, causal ? 0 : dilation));
    this.pointwise = addChildBlock("conv_1x1", Ops.conv1x1(channels));
    this.dropout = addChildBlock("dropout", Dropout.builder().optRate((float) dropoutRate).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray mask = inputs.get(1);
    NDArray in = causal ? x.pad(new Shape(2L * dilation, 0), 0) : x;
    NDArray out = Activation.relu(dilated.forward(ps, new NDList(in), training).head());
    out = pointwise.forward(ps, new NDList(out), training).head();
    out = dropout.forward(ps, new NDList(out), training).head();
    return new NDList(x.add(out).mul(mask));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    dilated.initialize(manager, dataType, x);
    pointwise.initialize(manager, dataType, x);
    dropout.initialize(manager, dataType, x);
  }
}
