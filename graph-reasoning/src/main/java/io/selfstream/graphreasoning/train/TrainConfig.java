package io.selfstream.graphreasoning.train;

/**
 * Optimisation settings.
 *
 * @param epochs passes over the training videos
 * @param batchSize videos per iteration (padded to the longest, masked; the papers use 1)
 * @param learningRate Adam's learning rate (the papers: 5e-4)
 * @param seed seeds weight initialisation, video order and frame exchanges
 * @param checkpointEvery save a checkpoint every this many epochs (and after the last); 0 = only
 *     after the last
 */
public record TrainConfig(
    int epochs, int batchSize, double learningRate, long seed, int checkpointEvery) {

  public static final double PAPER_LEARNING_RATE = 5e-4;

  public TrainConfig {
    if (epochs < 1 || batchSize < 1 || learningRate <= 0 || checkpointEvery < 0) {
      throw new IllegalArgumentException(
          "bad training config: epochs "
              + epochs
              + ", batch "
              + batchSize
              + ", lr "
              + learningRate
              + ", checkpointEvery "
              + checkpointEvery);
    }
  }

  /** Adam 5e-4, one video per batch, as MS-TCN and DTGRM train. */
  public static TrainConfig paper(int epochs) {
    return new TrainConfig(epochs, 1, PAPER_LEARNING_RATE, 1538574472L, 0);
  }

  public TrainConfig withSeed(long s) {
    return new TrainConfig(epochs, batchSize, learningRate, s, checkpointEvery);
  }

  public TrainConfig withEpochs(int e) {
    return new TrainConfig(e, batchSize, learningRate, seed, checkpointEvery);
  }
}
