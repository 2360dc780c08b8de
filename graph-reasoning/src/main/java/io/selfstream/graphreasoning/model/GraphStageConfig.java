package io.selfstream.graphreasoning.model;

/**
 * A DTGRM graph-reasoning stage: 1x1 conv to {@code featureMaps}, {@code layers} graph residual
 * layers over dilated temporal graphs (layer i links frames {@code t-d, t, t+d}, {@code d = 2^i}
 * for {@code nodes = 3}), each with a feature-similarity and a learned-adjacency graph convolution,
 * then a 1x1 conv to the classes.
 *
 * @param layers graph residual layers (DTGRM: 10)
 * @param featureMaps channels (DTGRM: 64)
 * @param nodes nodes per dilated graph, odd (DTGRM's df_size: 3)
 * @param dropout dropout rate inside each residual layer (0.5)
 */
public record GraphStageConfig(int layers, int featureMaps, int nodes, double dropout) {

  public GraphStageConfig {
    if (layers < 1 || featureMaps < 1 || nodes < 3 || nodes % 2 == 0) {
      throw new IllegalArgumentException(
          "bad graph stage config: layers "
              + layers
              + ", maps "
              + featureMaps
              + ", nodes "
              + nodes);
    }
    if (dropout < 0 || dropout >= 1) {
      throw new IllegalArgumentException("dropout " + dropout);
    }
  }

  public static GraphStageConfig paper() {
    return new GraphStageConfig(10, 64, 3, 0.5);
  }
}
