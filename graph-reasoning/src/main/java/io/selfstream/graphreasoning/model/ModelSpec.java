package io.selfstream.graphreasoning.model;

import ai.djl.nn.Block;
import java.util.Properties;

/**
 * Everything needed to build (and rebuild from a checkpoint) a segmentation model.
 *
 * @param type MS-TCN or DTGRM
 * @param inputDim feature dimension per frame
 * @param numClasses actions
 * @param stages stages in total (stage 1 included; MS-TCN and DTGRM: 4)
 * @param tcn the single-stage TCN (every MS-TCN stage, DTGRM stage 1)
 * @param graph DTGRM's later stages (ignored by MS-TCN)
 * @param swap DTGRM's auxiliary task (ignored by MS-TCN)
 * @param loss per-stage loss weights
 */
public record ModelSpec(
    ModelType type,
    int inputDim,
    int numClasses,
    int stages,
    TcnConfig tcn,
    GraphStageConfig graph,
    SwapTaskConfig swap,
    LossConfig loss) {

  public ModelSpec {
    if (inputDim < 1 || numClasses < 2 || stages < 1) {
      throw new IllegalArgumentException(
          "bad model spec: dim " + inputDim + ", classes " + numClasses + ", stages " + stages);
    }
  }

  /** The papers' hyperparameters (4 stages, 10 layers, 64 maps). */
  public static ModelSpec paper(ModelType type, int inputDim, int numClasses) {
    return new ModelSpec(
        type,
        inputDim,
        numClasses,
        4,
        TcnConfig.paper(),
        GraphStageConfig.paper(),
        SwapTaskConfig.paper(),
        LossConfig.paper());
  }

  /** The same model with another size: stages, layers per stage, feature maps, dropout. */
  public ModelSpec resized(int stages, int layers, int featureMaps, double dropout) {
    return new ModelSpec(
        type,
        inputDim,
        numClasses,
        stages,
        new TcnConfig(layers, featureMaps, dropout, tcn.causal()),
        new GraphStageConfig(layers, featureMaps, graph.nodes(), dropout),
        swap,
        loss);
  }

  /**
   * Whether training runs DTGRM's auxiliary frame-exchange task: DTGRM with a non-zero exchange
   * rate and a non-zero weight on at least one of its two losses. With the task off DTGRM trains
   * like MS-TCN (main branch only, per-stage CE + smoothing); the swap heads stay unused.
   */
  public boolean hasSwapTask() {
    return type == ModelType.DTGRM
        && swap.rate() > 0
        && (swap.detectionWeight() > 0 || swap.correctionWeight() > 0);
  }

  /** The same model with another auxiliary-task setting (DTGRM; ignored by MS-TCN). */
  public ModelSpec withSwap(SwapTaskConfig s) {
    return new ModelSpec(type, inputDim, numClasses, stages, tcn, graph, s, loss);
  }

  /** A fresh, uninitialised block for this spec. */
  public Block newBlock() {
    return switch (type) {
      case MSTCN -> new MsTcn(this);
      case DTGRM -> new Dtgrm(this);
    };
  }

  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("type", type.name());
    p.setProperty("inputDim", Integer.toString(inputDim));
    p.setProperty("numClasses", Integer.toString(numClasses));
    p.setProperty("stages", Integer.toString(stages));
    p.setProperty("tcn.layers", Integer.toString(tcn.layers()));
    p.setProperty("tcn.featureMaps", Integer.toString(tcn.featureMaps()));
    p.setProperty("tcn.dropout", Double.toString(tcn.dropout()));
    p.setProperty("tcn.causal", Boolean.toString(tcn.causal()));
    p.setProperty("graph.layers", Integer.toString(graph.layers()));
    p.setProperty("graph.featureMaps", Integer.toString(graph.featureMaps()));
    p.setProperty("graph.nodes", Integer.toString(graph.nodes()));
    p.setProperty("graph.dropout", Double.toString(graph.dropout()));
    p.setProperty("swap.rate", Double.toString(swap.rate()));
    p.setProperty("swap.detectionWeight", Double.toString(swap.detectionWeight()));
    p.setProperty("swap.correctionWeight", Double.toString(swap.correctionWeight()));
    p.setProperty("loss.smoothingWeight", Double.toString(loss.smoothingWeight()));
    p.setProperty("loss.clamp", Double.toString(loss.clamp()));
    return p;
  }

  public static ModelSpec fromProperties(Properties p) {
    return new ModelSpec(
        ModelType.valueOf(req(p, "type")),
        Integer.parseInt(req(p, "inputDim")),
        Integer.parseInt(req(p, "numClasses")),
        Integer.parseInt(req(p, "stages")),
        new TcnConfig(
            Integer.parseInt(req(p, "tcn.layers")),
            Integer.parseInt(req(p, "tcn.featureMaps")),
            Double.parseDouble(req(p, "tcn.dropout")),
            Boolean.parseBoolean(req(p, "tcn.causal"))),
        new GraphStageConfig(
            Integer.parseInt(req(p, "graph.layers")),
            Integer.parseInt(req(p, "graph.featureMaps")),
            Integer.parseInt(req(p, "graph.nodes")),
            Double.parseDouble(req(p, "graph.dropout"))),
        new SwapTaskConfig(
            Double.parseDouble(req(p, "swap.rate")),
            Double.parseDouble(req(p, "swap.detectionWeight")),
            Double.parseDouble(req(p, "swap.correctionWeight"))),
        new LossConfig(
            Double.parseDouble(req(p, "loss.smoothingWeight")),
            Double.parseDouble(req(p, "loss.clamp"))));
  }

  private static String req(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("model spec lacks '" + key + "'");
    }
    return v;
  }
}
