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
 * A DTGRM refinement stage: 1x1 conv to the feature maps, graph residual layers over dilated
 * temporal graphs with dilation {@code 2^i}, 1x1 conv to class logits, and the swap head.
 *
 * <p>Inputs {@code x (B, D, L)} (the previous stage's probabilities), {@code mask (B, 1, L)};
 * outputs {@code logits (B, classes, L)} and {@code swapLogits (B, 2, L)}.
 */
public final class GraphReasoningStage extends AbstractBlock {

  private final int numClasses;
  private final int featureMaps;
  private final Conv1d input;
  private final List<GraphResidualLayer> layers = new ArrayList<>();
  private final Conv1d output;
  private final Conv1d swapHead;

  public GraphReasoningStage(GraphStageConfig cfg, int numClasses) {
    this.numClasses = numClasses;
    this.featureMaps = cfg.featureMaps();
    this.input = addChildBlock("conv_1x1", Ops.conv1x1(cfg.featureMaps()));
    for (int i = 0; i < cfg.layers(); i++) {
      layers.add(
          addChildBlock(
              "layer_" + i,
              new GraphResidualLayer(1 << i, cfg.featureMaps(), cfg.nodes(), cfg.dropout())));
    }
    this.output = addChildBlock("conv_out", Ops.conv1x1(numClasses));
    this.swapHead = addChildBlock("swap_out", Ops.conv1x1(2));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mask = inputs.get(1);
    NDArray h = input.forward(ps, new NDList(inputs.get(0)), training).head();
    for (GraphResidualLayer layer : layers) {
      h = layer.forward(ps, new NDList(h, mask), training).head();
    }
    NDArray logits = output.forward(ps, new NDList(h), training).head().mul(mask);
    NDArray swap = swapHead.forward(ps, new NDList(h), training).head().mul(mask);
    return new NDList(logits, swap);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    return new Shape[] {Ops.withChannels(x, numClasses), Ops.withChannels(x, 2)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape mask = inputShapes[1];
    input.initialize(manager, dataType, x);
    Shape h = Ops.withChannels(x, featureMaps);
    for (GraphResidualLayer layer : layers) {
      layer.initialize(manager, dataType, h, mask);
    }
    output.initialize(manager, dataType, h);
    swapHead.initialize(manager, dataType, h);
  }
}
