package io.selfstream.graphreasoning.train;

import ai.djl.ndarray.NDManager;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.metrics.LabelFiles;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.SegmentationModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame-wise action prediction from a checkpoint, writing files {@link
 * io.selfstream.graphreasoning.metrics.SegmentationEval} reads.
 */
public final class SegmentationPredictor implements AutoCloseable {

  /** How prediction files are written. */
  public enum Format {
    /** {@code <video>.txt}, one action per line, like {@code groundTruth/}. */
    LINES,
    /** {@code <video>} (no extension), header line then space-separated actions, as MS-TCN. */
    MSTCN
  }

  private final NDManager manager;
  private final SegmentationCheckpoint.Loaded loaded;

  private SegmentationPredictor(NDManager manager, SegmentationCheckpoint.Loaded loaded) {
    this.manager = manager;
    this.loaded = loaded;
  }

  /** Loads a checkpoint folder, or the {@code latest/} checkpoint inside a training folder. */
  public static SegmentationPredictor load(Path checkpoint) throws IOException {
    NDManager manager = NDManager.newBaseManager();
    try {
      return new SegmentationPredictor(manager, SegmentationCheckpoint.load(checkpoint, manager));
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public ModelSpec spec() {
    return loaded.spec();
  }

  public List<String> labels() {
    return loaded.labels();
  }

  public int epoch() {
    return loaded.epoch();
  }

  /** Class index per frame. */
  public int[] predict(Features features) {
    if (features.dim() != spec().inputDim()) {
      throw new IllegalArgumentException(
          features.dim() + "-dim features, model expects " + spec().inputDim());
    }
    return SegmentationModels.predict(loaded.block(), manager, features);
  }

  /**
   * Predicts every listed video of a dataset and writes one file per video into {@code outDir}.
   *
   * @param sampleRate the model sees every {@code sampleRate}-th frame; each prediction is repeated
   *     to the original frame count, as the MS-TCN scripts do
   * @return the files written
   */
  public List<Path> predictDataset(
      MsTcnDataset dataset, List<String> videos, Path outDir, int sampleRate, Format format)
      throws IOException {
    Files.createDirectories(outDir);
    List<Path> written = new ArrayList<>();
    for (String video : videos) {
      Features full = dataset.readFeatures(video);
      int[] sub = predict(full.subsample(sampleRate));
      String[] names = new String[full.length()];
      for (int t = 0; t < names.length; t++) {
        names[t] = loaded.labels().get(sub[Math.min(sub.length - 1, t / Math.max(1, sampleRate))]);
      }
      Path file = format == Format.LINES ? outDir.resolve(video + ".txt") : outDir.resolve(video);
      if (format == Format.LINES) {
        LabelFiles.writeLines(file, List.of(names));
      } else {
        LabelFiles.writeMsTcn(file, List.of(names));
      }
      written.add(file);
    }
    return written;
  }

  @Override
  public void close() {
    manager.close();
  }
}
