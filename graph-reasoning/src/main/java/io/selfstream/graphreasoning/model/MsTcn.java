package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MS-TCN: stacked single-stage TCNs; stage 1 reads the features, every later stage the masked
 * softmax of the previous stage's logits.
 *
 * <p>Inputs {@code x (B, D, L)}, {@code mask (B, 1, L)}; outputs the logits {@code (B, classes, L)}
 * of every stage, the last one the prediction.
 */
public final class MsTcn extends AbstractBlock {

  private final ModelSpec spec;
  private final List<SingleStageTcn> stages = new ArrayList<>();

  public MsTcn(ModelSpec spec) {
    this.spec = spec;
    for (int s = 0; s < spec.stages(); s++) {
      stages.add(
          addChildBlock("stage_" + s, new SingleStageTcn(spec.tcn(), spec.numClasses(), false)));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mask = inputs.get(1);
    NDList outputs = new NDList(stages.size());
    NDArray out = stages.get(0).forward(ps, new NDList(inputs.get(0), mask), training).head();
    outputs.add(out);
    for (int s = 1; s < stages.size(); s++) {
      NDArray in = out.softmax(1).mul(mask);
      out = stages.get(s).forward(ps, new NDList(in, mask), training).head();
      outputs.add(out);
    }
    return outputs;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] out = new Shape[stages.size()];
    for (int s = 0; s < out.length; s++) {
      out[s] = Ops.withChannels(inputShapes[0], spec.numClasses());
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape mask = inputShapes[1];
    stages.get(0).initialize(manager, dataType, x, mask);
    Shape probs = Ops.withChannels(x, spec.numClasses());
    for (int s = 1; s < stages.size(); s++) {
      stages.get(s).initialize(manager, dataType, probs, mask);
    }
  }
}
