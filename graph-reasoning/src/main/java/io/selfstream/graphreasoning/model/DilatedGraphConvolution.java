package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Graph convolution over dilated temporal graphs, DTGRM's DRC graph convolution.
 *
 * <p>For every frame t there is a small graph whose {@code k} nodes are the frames {@code t + (j -
 * (k-1)/2) d}, {@code j = 0..k-1} (for {@code k = 3}: {@code t-d, t, t+d}); frames outside the
 * video are zero. Each graph updates its nodes with {@code A_t (X W + b)}, where {@code A_t (k x
 * k)} is either given (the learned adjacency) or, when absent, the row-wise softmax of the cosine
 * similarities between the nodes' features. The updated nodes of all graphs are added back to the
 * frames they stand for (the {@code fold} of the reference code), so frame s collects the messages
 * of the {@code k} graphs it belongs to.
 *
 * <p>Inputs {@code x (B, C, L)} and optionally {@code adjacency (B, k, k, L)} (rows sum to 1);
 * output {@code (B, C', L)}. The reference code normalises the similarity softmax over time and the
 * learned one over all k*k entries; here both are row-normalised over a node's neighbours, the
 * usual GCN normalisation.
 *
 * <p>The graphs are never materialised: gathering the nodes, multiplying by the adjacency and
 * scattering back collapse into {@code 2k-1} products of shifted support with per-frame
 * coefficients (see {@link #aggregate}), which is several times cheaper on CPU than unfold, a
 * batched {@code k x k} matmul and fold.
 */
public final class DilatedGraphConvolution extends AbstractBlock {

  /**
   * Added to the squared norm before the square root when normalising features for the cosine: the
   * derivative of {@code x / sqrt(|x|^2 + eps)} is at most {@code 1/sqrt(eps) = 1000}, where {@code
   * x / max(|x|, 1e-8)} gave 1e8 at an all-zero frame (enough for one step to swamp Adam's
   * second-moment estimate). Changes the cosine of frames with {@code |x| >= 0.1} by under 1e-4.
   */
  private static final float NORM_EPS = 1e-6f;

  private final int nodes;
  private final int dilation;
  private final int outChannels;
  private final Conv1d weight;

  public DilatedGraphConvolution(int outChannels, int nodes, int dilation) {
    this.nodes = nodes;
    this.dilation = dilation;
    this.outChannels = outChannels;
    this.weight = addChildBlock("weight", Ops.conv1x1(outChannels));
  }

  /** Time offset of node {@code j} relative to the graph's centre frame. */
  int offset(int j) {
    return (j - (nodes - 1) / 2) * dilation;
  }

  /** {@code out[..., t] = y[..., t + shift]}, zero where {@code t + shift} is outside. */
  private static NDArray ahead(NDArray y, int shift) {
    return Ops.shift(y, -shift);
  }

  /**
   * The similarity adjacency {@code (B, k, k, L)}: softmax over j of the cosine similarity of the
   * features of nodes i and j of the graph at t (0 for nodes outside the video).
   */
  public NDArray similarityAdjacency(NDArray x) {
    long length = x.getShape().get(2);
    NDArray xn = x.div(x.square().sum(new int[] {1}, true).add(NORM_EPS).sqrt());
    // cos[m][t] = <xn[t], xn[t + m d]>; cos[0] is 1 for real frames
    NDArray[] cos = new NDArray[nodes];
    NDArray padded = xn.pad(new Shape(0, (long) (nodes - 1) * dilation), 0);
    for (int m = 0; m < nodes; m++) {
      NDArray other =
          m == 0
              ? xn
              : padded.get(new NDIndex("..., " + m * dilation + ":" + (m * dilation + length)));
      cos[m] = xn.mul(other).sum(new int[] {1}); // (B, L)
    }
    NDList rows = new NDList(nodes);
    for (int i = 0; i < nodes; i++) {
      NDList row = new NDList(nodes);
      for (int j = 0; j < nodes; j++) {
        int lo = Math.min(i, j);
        row.add(ahead(cos[Math.abs(i - j)], offset(lo)));
      }
      rows.add(NDArrays.stack(row, 1)); // (B, k, L)
    }
    return NDArrays.stack(rows, 1).softmax(2); // (B, k, k, L)
  }

  /**
   * {@code fold(A unfold(s))} without materialising the graphs: frame s receives {@code sum_(i,j)
   * A_(s - o_i)[i, j] support[s - o_i + o_j]}, grouped by {@code o_j - o_i} so that the full-size
   * work is {@code 2k - 1} shifted products.
   *
   * @param support {@code (B, C, L)}
   * @param adjacency {@code (B, k, k, L)}
   */
  NDArray aggregate(NDArray support, NDArray adjacency) {
    long length = support.getShape().get(2);
    int span = (nodes - 1) * dilation;
    NDArray[] coefficient = new NDArray[2 * nodes - 1];
    for (int i = 0; i < nodes; i++) {
      for (int j = 0; j < nodes; j++) {
        // graph t = s - o_i has frame s as node i
        NDArray a = Ops.shift(adjacency.get(new NDIndex(":, " + i + ", " + j)), offset(i));
        int m = j - i + nodes - 1;
        coefficient[m] = coefficient[m] == null ? a : coefficient[m].add(a);
      }
    }
    NDArray padded = support.pad(new Shape(span, span), 0);
    NDArray out = null;
    for (int m = 0; m < coefficient.length; m++) {
      // support[s + (m - (k-1)) d] = padded[s + m d]
      NDArray shifted =
          padded.get(new NDIndex("..., " + m * dilation + ":" + (m * dilation + length)));
      NDArray term = shifted.mul(coefficient[m].expandDims(1));
      out = out == null ? term : out.add(term);
    }
    return out;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray adjacency = inputs.size() > 1 ? inputs.get(1) : similarityAdjacency(x);
    NDArray support = weight.forward(ps, new NDList(x), training).head(); // (B, C', L)
    return new NDList(aggregate(support, adjacency));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {Ops.withChannels(inputShapes[0], outChannels)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    weight.initialize(manager, dataType, inputShapes[0]);
  }
}
