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
 * DTGRM: stage 1 a single-stage TCN, stages 2..N graph-reasoning stages, each reading the masked
 * softmax of the previous stage; every stage also has the swap head of the auxiliary task.
 *
 * <p>Inference inputs {@code x (B, D, L)}, {@code mask (B, 1, L)}: outputs the N stage logits.
 * Training inputs add {@code swappedX (B, D, L)} (x with frames exchanged, see {@link FrameSwap}):
 * outputs the N stage logits, then the N class logits computed on the exchanged sequence (the
 * "correct them" part), then the N exchanged/not-exchanged logits {@code (B, 2, L)} (the "find
 * them" part). The exchanged branch runs through the same weights and feeds each later stage the
 * softmax of its own previous class logits, as in the reference implementation.
 */
public final class Dtgrm extends AbstractBlock {

  private final ModelSpec spec;
  private final SingleStageTcn first;
  private final List<GraphReasoningStage> refinements = new ArrayList<>();

  public Dtgrm(ModelSpec spec) {
    this.spec = spec;
    this.first = addChildBlock("stage_0", new SingleStageTcn(spec.tcn(), spec.numClasses(), true));
    for (int s = 1; s < spec.stages(); s++) {
      refinements.add(
          addChildBlock("stage_" + s, new GraphReasoningStage(spec.graph(), spec.numClasses())));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mask = inputs.get(1);
    NDList[] main = branch(ps, inputs.get(0), mask, training);
    if (inputs.size() < 3) {
      return main[0];
    }
    NDList[] swapped = branch(ps, inputs.get(2), mask, training);
    NDList out = new NDList(3 * spec.stages());
    out.addAll(main[0]);
    out.addAll(swapped[0]);
    out.addAll(swapped[1]);
    return out;
  }

  /** Runs all stages; returns {class logits per stage, swap logits per stage}. */
  private NDList[] branch(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
    NDList logits = new NDList(spec.stages());
    NDList swaps = new NDList(spec.stages());
    NDList r = first.forward(ps, new NDList(x, mask), training);
    logits.add(r.get(0));
    swaps.add(r.get(1));
    for (GraphReasoningStage stage : refinements) {
      NDArray in = r.get(0).softmax(1).mul(mask);
      r = stage.forward(ps, new NDList(in, mask), training);
      logits.add(r.get(0));
      swaps.add(r.get(1));
    }
    return new NDList[] {logits, swaps};
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    int n = spec.stages();
    int total = inputShapes.length >= 3 ? 3 * n : n;
    Shape[] out = new Shape[total];
    for (int i = 0; i < total; i++) {
      out[i] = Ops.withChannels(x, i < 2 * n ? spec.numClasses() : 2);
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape mask = inputShapes[1];
    first.initialize(manager, dataType, x, mask);
    Shape probs = Ops.withChannels(x, spec.numClasses());
    for (GraphReasoningStage stage : refinements) {
      stage.initialize(manager, dataType, probs, mask);
    }
  }
}
