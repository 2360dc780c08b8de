package io.selfstream.graphreasoning.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.engine.GradientLock;
import io.selfstream.graphreasoning.loss.SegmentationLoss;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.graphreasoning.model.TorchDefaultInitializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains an MS-TCN or DTGRM model with DJL: Adam, the per-stage CE + truncated-MSE loss, for DTGRM
 * the frame-exchange task drawn afresh every iteration; checkpoints through {@link
 * SegmentationCheckpoint}. Not thread-safe.
 */
public final class SegmentationTrainer implements AutoCloseable {

  private final ModelSpec spec;
  private final TrainConfig cfg;
  private final Model model;
  private final Trainer trainer;
  private final SegmentationLoss loss;
  private final Random rng;
  private long iterations;
  private long iterationNanos;

  public SegmentationTrainer(ModelSpec spec, TrainConfig cfg) {
    this.spec = spec;
    this.cfg = cfg;
    this.rng = new Random(cfg.seed());
    Engine.getInstance().setRandomSeed((int) cfg.seed());
    this.model = Model.newInstance("segmentation-" + spec.type().name().toLowerCase());
    model.setBlock(spec.newBlock());
    this.loss =
        new SegmentationLoss(spec.stages(), spec.loss(), spec.hasSwapTask() ? spec.swap() : null);
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(loss)
            .optInitializer(new TorchDefaultInitializer(), Parameter.Type.WEIGHT)
            .optOptimizer(
                Optimizer.adam()
                    .optLearningRateTracker(Tracker.fixed((float) cfg.learningRate()))
                    .build());
    this.trainer = model.newTrainer(config);
    trainer.initialize(SegmentationModels.inputShapes(spec, spec.hasSwapTask()));
  }

  public ModelSpec spec() {
    return spec;
  }

  public Block block() {
    return model.getBlock();
  }

  /**
   * Trains for {@link TrainConfig#epochs()} epochs, shuffling the videos every epoch.
   *
   * @param checkpointDir where checkpoints go ({@code epoch-NNNN/} sub-folders and {@code
   *     latest/}), or null for none
   * @param labelNames action names by index, stored with checkpoints
   */
  public List<EpochSummary> fit(
      List<LabeledVideo> videos,
      List<String> labelNames,
      Path checkpointDir,
      TrainingProgress progress)
      throws IOException {
    if (videos.isEmpty()) {
      throw new IllegalArgumentException("no training videos");
    }
    for (LabeledVideo v : videos) {
      if (v.features().dim() != spec.inputDim()) {
        throw new IllegalArgumentException(
            "video "
                + v.name()
                + " has "
                + v.features().dim()
                + "-dim features, model expects "
                + spec.inputDim());
      }
    }
    List<LabeledVideo> order = new ArrayList<>(videos);
    int perEpoch = (order.size() + cfg.batchSize() - 1) / cfg.batchSize();
    progress.onStart(cfg.epochs(), perEpoch);
    List<EpochSummary> summaries = new ArrayList<>();
    for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
      long start = System.nanoTime();
      Collections.shuffle(order, rng);
      double lossSum = 0;
      long correct = 0;
      long total = 0;
      for (int it = 0; it < perEpoch; it++) {
        List<LabeledVideo> batch =
            order.subList(it * cfg.batchSize(), Math.min(order.size(), (it + 1) * cfg.batchSize()));
        StepResult r = step(batch);
        lossSum += r.loss();
        correct += r.correct();
        total += r.frames();
        progress.onIteration(epoch, it + 1, r.loss());
      }
      Path ckpt = null;
      boolean last = epoch == cfg.epochs();
      if (checkpointDir != null
          && (last || (cfg.checkpointEvery() > 0 && epoch % cfg.checkpointEvery() == 0))) {
        ckpt = SegmentationCheckpoint.save(checkpointDir, this, labelNames, epoch);
      }
      EpochSummary s =
          new EpochSummary(
              epoch,
              cfg.epochs(),
              lossSum / perEpoch,
              total == 0 ? 0 : (double) correct / total,
              (System.nanoTime() - start) / 1_000_000,
              ckpt);
      summaries.add(s);
      progress.onEpoch(s);
    }
    return summaries;
  }

  /** Result of one optimiser step. */
  public record StepResult(double loss, long correct, long frames) {}

  /** One optimiser step on a batch of videos. */
  public StepResult step(List<LabeledVideo> batch) {
    long start = System.nanoTime();
    try (NDManager scope = trainer.getManager().newSubManager()) {
      SegmentationBatch b =
          SegmentationBatch.of(scope, batch, spec.hasSwapTask() ? rng : null, spec.swap().rate());
      double value;
      long correct;
      synchronized (GradientLock.ENGINE) { // one gradient collector per process (DJL)
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDList out = trainer.forward(b.inputs());
          NDArray l = loss.evaluate(b.labels(), out);
          gc.backward(l);
          value = l.getFloat();
          NDArray predicted = out.get(spec.stages() - 1).argMax(1);
          correct =
              (long)
                  predicted
                      .eq(b.target())
                      .toType(DataType.FLOAT32, false)
                      .mul(b.frameMask())
                      .sum()
                      .getFloat();
        }
      }
      trainer.step();
      long frames = 0;
      for (LabeledVideo v : batch) {
        frames += v.length();
      }
      iterations++;
      iterationNanos += System.nanoTime() - start;
      return new StepResult(value, correct, frames);
    }
  }

  /** Loss of a batch in inference mode (no dropout, no update), without the swap task. */
  public double evaluateLoss(List<LabeledVideo> batch) {
    try (NDManager scope = trainer.getManager().newSubManager()) {
      SegmentationBatch b = SegmentationBatch.of(scope, batch, null, 0);
      NDList out =
          block().forward(new ai.djl.training.ParameterStore(scope, false), b.inputs(), false);
      return loss.evaluate(b.labels(), out).getFloat();
    }
  }

  /**
   * Starts from the weights of a checkpoint written by {@link SegmentationCheckpoint} (a folder or
   * a training folder with {@code latest/}); the optimiser state starts afresh.
   *
   * @return the checkpoint's epoch
   */
  public int loadWeights(Path checkpoint) throws IOException {
    try (NDManager scratch = trainer.getManager().newSubManager()) {
      SegmentationCheckpoint.Loaded loaded = SegmentationCheckpoint.load(checkpoint, scratch);
      if (!loaded.spec().equals(spec)) {
        throw new IOException(
            "checkpoint " + checkpoint + " holds " + loaded.spec() + ", trainer has " + spec);
      }
      ai.djl.util.PairList<String, ai.djl.nn.Parameter> from = loaded.block().getParameters();
      ai.djl.util.PairList<String, ai.djl.nn.Parameter> to = block().getParameters();
      if (from.size() != to.size()) {
        throw new IOException(checkpoint + ": parameter count differs from the model's");
      }
      for (int i = 0; i < to.size(); i++) {
        if (!from.keyAt(i).equals(to.keyAt(i))) {
          throw new IOException(
              checkpoint + ": parameter " + from.keyAt(i) + " where " + to.keyAt(i) + " expected");
        }
        to.valueAt(i).getArray().set(from.valueAt(i).getArray().toByteBuffer());
      }
      return loaded.epoch();
    }
  }

  /** Frame-wise prediction (last stage, inference mode). */
  public int[] predict(Features features) {
    return SegmentationModels.predict(block(), trainer.getManager(), features);
  }

  /** Mean wall time of the optimiser steps so far, in milliseconds. */
  public double meanIterationMillis() {
    return iterations == 0 ? 0 : iterationNanos / 1e6 / iterations;
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
