package io.selfstream.graphreasoning.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelBlocksTest {

  private static final int DIM = 6;
  private static final int CLASSES = 4;

  private NDManager manager;

  @BeforeEach
  void setUp() {
    Engine.getInstance().setRandomSeed(7);
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  static ModelSpec tiny(ModelType type, int stages, int layers, boolean causal) {
    return new ModelSpec(
        type,
        DIM,
        CLASSES,
        stages,
        new TcnConfig(layers, 8, 0.5, causal),
        new GraphStageConfig(layers, 8, 3, 0.5),
        SwapTaskConfig.paper(),
        LossConfig.paper());
  }

  private NDList run(Block block, boolean training, NDArray... inputs) {
    return block.forward(new ParameterStore(manager, false), new NDList(inputs), training);
  }

  private Block init(Block block, Shape... shapes) {
    block.setInitializer(new TorchDefaultInitializer(), Parameter.Type.WEIGHT);
    block.initialize(manager, DataType.FLOAT32, shapes);
    return block;
  }

  @Test
  void outputShapes() {
    NDArray x = manager.randomNormal(new Shape(2, DIM, 37));
    NDArray mask = manager.ones(new Shape(2, 1, 37));
    Block tcn =
        init(
            new SingleStageTcn(new TcnConfig(3, 8, 0.5, false), CLASSES, true),
            x.getShape(),
            mask.getShape());
    NDList t = run(tcn, true, x, mask);
    assertThat(t).hasSize(2);
    assertThat(t.get(0).getShape()).isEqualTo(new Shape(2, CLASSES, 37));
    assertThat(t.get(1).getShape()).isEqualTo(new Shape(2, 2, 37));

    Block ms = SegmentationModels.create(tiny(ModelType.MSTCN, 3, 3, false), manager);
    NDList m = run(ms, false, x, mask);
    assertThat(m).hasSize(3);
    for (NDArray a : m) {
      assertThat(a.getShape()).isEqualTo(new Shape(2, CLASSES, 37));
    }
    assertThat(ms.getOutputShapes(new Shape[] {x.getShape(), mask.getShape()}))
        .containsOnly(new Shape(2, CLASSES, 37));

    Block dt = SegmentationModels.create(tiny(ModelType.DTGRM, 3, 3, false), manager);
    assertThat(run(dt, false, x, mask)).hasSize(3);
    NDList train = run(dt, true, x, mask, x.flip(2));
    assertThat(train).hasSize(9);
    for (int i = 0; i < 9; i++) {
      long channels = i < 6 ? CLASSES : 2;
      assertThat(train.get(i).getShape()).as("output " + i).isEqualTo(new Shape(2, channels, 37));
    }
  }

  @Test
  void maskZeroesPaddedFrames() {
    NDArray x = manager.randomNormal(new Shape(1, DIM, 20));
    NDArray mask = manager.ones(new Shape(1, 1, 20));
    mask.set(new ai.djl.ndarray.index.NDIndex(":, :, 15:"), 0f);
    Block dt = SegmentationModels.create(tiny(ModelType.DTGRM, 2, 2, false), manager);
    NDArray last = run(dt, false, x, mask).get(1);
    assertThat(last.get(":, :, 15:").abs().max().getFloat()).isEqualTo(0f);
    assertThat(last.get(":, :, :15").abs().max().getFloat()).isGreaterThan(0f);
  }

  /**
   * Max |difference| per frame between two (1, C, L) outputs. Frames outside the receptive field
   * see identical inputs, so their outputs must be bit-identical; at the edge of the field the
   * influence passes a single path of weights and can be tiny, but not zero.
   */
  private static float[] frameDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max(new int[] {1}).squeeze().toFloatArray();
  }

  private float[] perturbAt(Block block, int length, int t) {
    NDArray x = manager.randomNormal(new Shape(1, DIM, length));
    NDArray mask = manager.ones(new Shape(1, 1, length));
    NDArray y = x.duplicate();
    y.set(new ai.djl.ndarray.index.NDIndex(":, :, " + t), 5f);
    NDList a = run(block, false, x, mask);
    NDList b = run(block, false, y, mask);
    return frameDiff(a.get(a.size() - 1), b.get(b.size() - 1));
  }

  @Test
  void tcnReceptiveFieldIsTwoToTheLayersMinusOneEachSide() {
    // 4 layers: reach 1 + 2 + 4 + 8 = 15 frames each side
    ModelSpec spec = tiny(ModelType.MSTCN, 1, 4, false);
    assertThat(spec.tcn().reach()).isEqualTo(15);
    Block block = SegmentationModels.create(spec, manager);
    float[] d = perturbAt(block, 80, 40);
    for (int t = 0; t < 80; t++) {
      if (Math.abs(t - 40) > 15) {
        assertThat(d[t]).as("frame %d beyond the receptive field", t).isZero();
      }
    }
    assertThat(d[25]).as("edge of the field").isPositive();
    assertThat(d[55]).as("edge of the field").isPositive();
    assertThat(d[40]).isGreaterThan(1e-5f);
  }

  @Test
  void stackedStagesAddTheirReach() {
    Block block = SegmentationModels.create(tiny(ModelType.MSTCN, 2, 3, false), manager);
    float[] d = perturbAt(block, 60, 30); // 2 stages x 7 frames
    assertThat(d[15]).isZero();
    assertThat(d[45]).isZero();
    assertThat(d[16]).isPositive();
    assertThat(d[44]).isPositive();
  }

  @Test
  void causalTcnNeverLooksAhead() {
    ModelSpec spec = tiny(ModelType.MSTCN, 2, 3, true);
    assertThat(spec.tcn().reach()).isEqualTo(14);
    Block block = SegmentationModels.create(spec, manager);
    float[] d = perturbAt(block, 70, 30);
    for (int t = 0; t < 30; t++) {
      assertThat(d[t]).as("frame %d precedes the change", t).isZero();
    }
    assertThat(d[30]).isPositive();
    assertThat(d[58]).isPositive(); // 2 stages x 14 frames
    assertThat(d[59]).isZero();
  }

  @Test
  void graphStageReachesTwoDilationsPerLayer() {
    // graph layers with dilation 1, 2: each reaches 2d each side -> 6 frames
    GraphStageConfig cfg = new GraphStageConfig(2, 8, 3, 0.5);
    Block stage =
        init(new GraphReasoningStage(cfg, CLASSES), new Shape(1, DIM, 16), new Shape(1, 1, 16));
    float[] d = perturbAt(stage, 60, 30);
    for (int t = 0; t < 60; t++) {
      if (Math.abs(t - 30) > 6) {
        assertThat(d[t]).as("frame %d", t).isZero();
      }
    }
    assertThat(d[24]).isPositive();
    assertThat(d[36]).isPositive();
  }

  @Test
  void similarityAdjacencyIsRowNormalisedCosine() {
    DilatedGraphConvolution g = new DilatedGraphConvolution(3, 3, 2);
    // frames: t0 = (1,0), t2 = (1,0), t4 = (0,1): graph at t=2 links t0, t2, t4
    NDArray x = manager.create(new float[] {1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, new Shape(1, 2, 5));
    NDArray adj = g.similarityAdjacency(x); // (1, 3, 3, 5)
    assertThat(adj.getShape()).isEqualTo(new Shape(1, 3, 3, 5));
    float[] row0 = adj.get("0, 0, :, 2").toFloatArray(); // node t0 vs t0, t2, t4: cos 1, 1, 0
    double e = Math.E;
    assertThat(row0[0]).isCloseTo((float) (e / (2 * e + 1)), within(1e-5f));
    assertThat(row0[1]).isCloseTo((float) (e / (2 * e + 1)), within(1e-5f));
    assertThat(row0[2]).isCloseTo((float) (1 / (2 * e + 1)), within(1e-5f));
    assertThat(adj.sum(new int[] {2}).sub(1).abs().max().getFloat()).isLessThan(1e-5f);
  }

  /**
   * A frame whose features are all zero (or nearly) must not send a 1/eps gradient back: the
   * normalisation used to be {@code x / max(|x|, 1e-8)}, whose derivative at such a frame is 1e8.
   */
  @Test
  void similarityAdjacencyGradientIsBoundedAtAZeroFrame() {
    DilatedGraphConvolution g = new DilatedGraphConvolution(2, 3, 1);
    // (1, 2, 4): frames (1,0), (0,1), (0,0), (2,3); frame 2 is all zero
    NDArray x = manager.create(new float[] {1, 0, 0, 2, 0, 1, 0, 3}, new Shape(1, 2, 4));
    x.setRequiresGradient(true);
    NDArray weights = manager.arange(36f).reshape(1, 3, 3, 4).div(36f);
    try (ai.djl.training.GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray adj = g.similarityAdjacency(x);
      gc.backward(adj.mul(weights).sum());
    }
    float[] grad = x.getGradient().toFloatArray();
    for (float v : grad) {
      assertThat(Float.isFinite(v)).isTrue();
      assertThat(Math.abs(v)).isLessThan(1e4f);
    }
    // the zero frame still has cosine 0 with every node of its graph, itself included
    float[] row = g.similarityAdjacency(x).get("0, 1, :, 2").toFloatArray();
    double e = Math.E;
    assertThat(row[0]).isCloseTo((float) (1 / 3.0), within(1e-5f));
    assertThat(row[1]).isCloseTo((float) (1 / 3.0), within(1e-5f));
    assertThat(row[2]).isCloseTo((float) (1 / 3.0), within(1e-5f));
    // and a real frame keeps cosine 1 with itself (frame 1: cosines 0, 1, 0)
    float[] row1 = g.similarityAdjacency(x).get("0, 1, :, 1").toFloatArray();
    assertThat(row1[1]).isCloseTo((float) (e / (e + 2)), within(1e-5f));
  }

  /** Explicit graphs: unfold nodes, multiply by each frame's adjacency, fold back; and cosines. */
  @Test
  void graphConvolutionMatchesExplicitDilatedGraphs() {
    int c = 3;
    int l = 13;
    int d = 2;
    int k = 3;
    DilatedGraphConvolution g = new DilatedGraphConvolution(c, k, d);
    NDArray s = manager.randomNormal(new Shape(2, c, l));
    NDArray adj = manager.randomUniform(0, 1, new Shape(2, k, k, l));
    float[] ss = s.toFloatArray();
    float[] as = adj.toFloatArray();
    float[] out = g.aggregate(s, adj).toFloatArray();
    float[] sim = g.similarityAdjacency(s).toFloatArray();
    for (int b = 0; b < 2; b++) {
      double[][] expected = new double[c][l];
      for (int t = 0; t < l; t++) {
        double[][] logits = new double[k][k];
        for (int i = 0; i < k; i++) {
          int fi = t + (i - 1) * d;
          for (int j = 0; j < k; j++) {
            int fj = t + (j - 1) * d;
            double a = as[((b * k + i) * k + j) * l + t];
            for (int ch = 0; ch < c; ch++) {
              if (fi >= 0 && fi < l && fj >= 0 && fj < l) {
                expected[ch][fi] += a * ss[(b * c + ch) * l + fj];
              }
            }
            logits[i][j] = cosine(ss, b, c, l, fi, fj);
          }
          double z = 0;
          for (int j = 0; j < k; j++) {
            z += Math.exp(logits[i][j]);
          }
          for (int j = 0; j < k; j++) {
            assertThat(sim[((b * k + i) * k + j) * l + t])
                .as("softmax cosine b%d t%d i%d j%d", b, t, i, j)
                .isCloseTo((float) (Math.exp(logits[i][j]) / z), within(1e-5f));
          }
        }
      }
      for (int ch = 0; ch < c; ch++) {
        for (int t = 0; t < l; t++) {
          assertThat(out[(b * c + ch) * l + t]).isCloseTo((float) expected[ch][t], within(1e-4f));
        }
      }
    }
  }

  private static double cosine(float[] x, int b, int c, int l, int f1, int f2) {
    if (f1 < 0 || f1 >= l || f2 < 0 || f2 >= l) {
      return 0;
    }
    double dot = 0;
    double n1 = 0;
    double n2 = 0;
    for (int ch = 0; ch < c; ch++) {
      double u = x[(b * c + ch) * l + f1];
      double v = x[(b * c + ch) * l + f2];
      dot += u * v;
      n1 += u * u;
      n2 += v * v;
    }
    return dot / (Math.max(Math.sqrt(n1), 1e-8) * Math.max(Math.sqrt(n2), 1e-8));
  }
}
