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
 * DTGRM's graph residual layer at one dilation: {@code (x + dropout(conv1x1(relu(G_sim(x)) +
 * relu(G_learned(x, A))))) * mask}, where {@code A} is predicted per frame by a dilated conv over
 * the same nodes (softmax over each node's neighbours).
 */
public final class GraphResidualLayer extends AbstractBlock {

  private final int nodes;
  private final DilatedGraphConvolution similarityGraph;
  private final DilatedGraphConvolution learnedGraph;
  private final Conv1d adjacency;
  private final Conv1d pointwise;
  private final Dropout dropout;

  public GraphResidualLayer(int dilation, int channels, int nodes, double dropoutRate) {
    this.nodes = nodes;
    this.similarityGraph =
        addChildBlock("gcn_similarity", new DilatedGraphConvolution(channels, nodes, dilation));
    this.learnedGraph =
        addChildBlock("gcn_learned", new DilatedGraphConvolution(channels, nodes, dilation));
    this.adjacency =
        addChildBlock(
            "conv_adjacency", Ops.conv(nodes * nodes, nodes, dilation, dilation * (nodes - 1) / 2));
    this.pointwise = addChildBlock("conv_1x1", Ops.conv1x1(channels));
    this.dropout = addChildBlock("dropout", Dropout.builder().optRate((float) dropoutRate).build());
  }

  /** The learned adjacency {@code (B, k, k, L)} for {@code x (B, C, L)}. */
  NDArray learnedAdjacency(ParameterStore ps, NDArray x, boolean training) {
    long length = x.getShape().get(2);
    NDArray a = adjacency.forward(ps, new NDList(x), training).head(); // (B, k*k, L)
    return a.reshape(new Shape(-1, nodes, nodes, length)).softmax(2);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray mask = inputs.get(1);
    NDArray sim = similarityGraph.forward(ps, new NDList(x), training).head();
    NDArray adj = learnedAdjacency(ps, x, training);
    NDArray learned = learnedGraph.forward(ps, new NDList(x, adj), training).head();
    NDArray out = Activation.relu(sim).add(Activation.relu(learned));
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
    similarityGraph.initialize(manager, dataType, x);
    Shape adj = new Shape(x.get(0), nodes, nodes, x.get(2));
    learnedGraph.initialize(manager, dataType, x, adj);
    adjacency.initialize(manager, dataType, x);
    pointwise.initialize(manager, dataType, x);
    dropout.initialize(manager, dataType, x);
  }
}
