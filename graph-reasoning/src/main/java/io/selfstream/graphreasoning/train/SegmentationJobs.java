package io.selfstream.graphreasoning.train;

import io.selfstream.graphreasoning.data.LabelMapping;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole jobs on an MS-TCN layout dataset, for the {@code selfstream train segmentation} and {@code
 * selfstream predict segmentation} commands.
 */
public final class SegmentationJobs {

  /** Split used for training when none is given and the dataset has it. */
  public static final String DEFAULT_TRAIN_SPLIT = "train.split1";

  /** Split predicted when none is given and the dataset has it. */
  public static final String DEFAULT_TEST_SPLIT = "test.split1";

  private SegmentationJobs() {}

  /**
   * Videos of a split; with {@code split == null} the default split if present, else every video
   * with ground truth.
   */
  public static List<String> videos(MsTcnDataset ds, String split, String defaultSplit)
      throws IOException {
    if (split != null) {
      return ds.readSplit(split);
    }
    if (Files.isRegularFile(ds.splitFile(defaultSplit))) {
      return ds.readSplit(defaultSplit);
    }
    List<String> all = ds.videos();
    if (all.isEmpty()) {
      throw new IOException("no videos in " + ds.groundTruthDir());
    }
    return all;
  }

  /** Reads labeled videos (features subsampled by {@code sampleRate}). */
  public static List<LabeledVideo> load(
      MsTcnDataset ds, List<String> videos, LabelMapping mapping, int sampleRate)
      throws IOException {
    List<LabeledVideo> out = new ArrayList<>(videos.size());
    for (String v : videos) {
      out.add(ds.readLabeled(v, mapping, sampleRate));
    }
    return out;
  }

  /** The papers' model for a dataset: feature dimension and classes read from it. */
  public static ModelSpec paperSpec(MsTcnDataset ds, List<String> videos, ModelType type)
      throws IOException {
    int dim = ds.readFeatures(videos.get(0)).dim();
    return ModelSpec.paper(type, dim, ds.readMapping().size());
  }

  /**
   * Trains on a split and writes checkpoints to {@code checkpointDir} ({@code latest/} is what
   * {@link #predict} loads).
   *
   * @param spec the model, e.g. {@link #paperSpec}; its input dimension must match the features
   * @param split training split name ({@code splits/<split>.bundle}) or null for the default
   */
  public static List<EpochSummary> train(
      Path dataDir,
      String split,
      ModelSpec spec,
      TrainConfig cfg,
      int sampleRate,
      Path checkpointDir,
      TrainingProgress progress)
      throws IOException {
    MsTcnDataset ds = new MsTcnDataset(dataDir);
    LabelMapping mapping = ds.readMapping();
    if (mapping.size() != spec.numClasses()) {
      throw new IOException(
          ds.mappingFile() + " has " + mapping.size() + " actions, model " + spec.numClasses());
    }
    List<LabeledVideo> videos =
        load(ds, videos(ds, split, DEFAULT_TRAIN_SPLIT), mapping, sampleRate);
    try (SegmentationTrainer trainer = new SegmentationTrainer(spec, cfg)) {
      return trainer.fit(videos, mapping.names(), checkpointDir, progress);
    }
  }

  /**
   * Predicts a split with a checkpoint and writes {@code <video>.txt} files (one action a line) for
   * {@link io.selfstream.graphreasoning.metrics.SegmentationEval}.
   *
   * @param split split name or null for the default test split (or all videos)
   */
  public static List<Path> predict(
      Path checkpoint, Path dataDir, String split, int sampleRate, Path outDir) throws IOException {
    MsTcnDataset ds = new MsTcnDataset(dataDir);
    try (SegmentationPredictor p = SegmentationPredictor.load(checkpoint)) {
      return p.predictDataset(
          ds,
          videos(ds, split, DEFAULT_TEST_SPLIT),
          outDir,
          sampleRate,
          SegmentationPredictor.Format.LINES);
    }
  }
}
