package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Single-stage TCN: 1x1 conv to the feature maps, dilated residual layers with dilation {@code
 * 2^i}, 1x1 conv to class logits (masked). With a swap head (DTGRM stage 1) it also returns 2-way
 * logits "was this frame exchanged".
 *
 * <p>Inputs {@code x (B, D, L)}, {@code mask (B, 1, L)}; outputs {@code logits (B, classes, L)}
 * and, with the swap head, {@code swapLogits (B, 2, L)}.
 */
public final class SingleStageTcn extends AbstractBlock {

  private final int numClasses;
  private final Conv1d input;
  private final List<DilatedResidualLayer> layers = new ArrayList<>();
  private final Conv1d output;
  private final Conv1d swapHead;
  private final int featureMaps;

  public SingleStageTcn(TcnConfig cfg, int numClasses, boolean swapHead) {
    this.numClasses = numClasses;
    this.featureMaps = cfg.featureMaps();
    this.input = addChildBlock("conv_1x1", Ops.conv1x1(cfg.featureMaps()));
    for (int i = 0; i < cfg.layers(); i++) {
      layers.add(
          addChildBlock(
              "layer_" + i,
              new DilatedResidualLayer(1 << i, cfg.featureMaps(), cfg.dropout(), cfg.causal())));
    }
    this.output = addChildBlock("conv_out", Ops.conv1x1(numClasses));
    this.swapHead = swapHead ? addChildBlock("swap_out", Ops.conv1x1(2)) : null;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mask = inputs.get(1);
    NDArray h = input.forward(ps, new NDList(inputs.get(0)), training).head();
    for (DilatedResidualLayer layer : layers) {
      h = layer.forward(ps, new NDList(h, mask), training).head();
    }
    NDArray logits = output.forward(ps, new NDList(h), training).head().mul(mask);
    if (swapHead == null) {
      return new NDList(logits);
    }
    NDArray swap = swapHead.forward(ps, new NDList(h), training).head().mul(mask);
    return new NDList(logits, swap);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    Shape logits = Ops.withChannels(x, numClasses);
    return swapHead == null ? new Shape[] {logits} : new Shape[] {logits, Ops.withChannels(x, 2)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape mask = inputShapes[1];
    input.initialize(manager, dataType, x);
    Shape h = Ops.withChannels(x, featureMaps);
    for (DilatedResidualLayer layer : layers) {
      layer.initialize(manager, dataType, h, mask);
    }
    output.initialize(manager, dataType, h);
    if (swapHead != null) {
      swapHead.initialize(manager, dataType, h);
    }
  }
}
