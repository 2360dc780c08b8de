package io.selfstream.graphreasoning.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Evaluates a folder of predictions against a folder of ground truth, the library behind {@code
 * selfstream segment-eval}.
 *
 * <p>Files are paired by name. A prediction named like its ground truth ({@code video.txt}) or
 * without the {@code .txt} extension (as the MS-TCN scripts name their results) is accepted. With
 * no explicit video list, every regular, non-hidden file of the predictions folder is evaluated and
 * must have ground truth (a full {@code groundTruth/} folder may hold more videos than were
 * predicted); with a list (e.g. a {@code splits/*.bundle}), every listed video must exist in both.
 * Each pair must have the same number of frames.
 */
public final class SegmentationEval {

  private final Set<String> background;

  /** Background labels {@code background} (the MS-TCN script's default). */
  public SegmentationEval() {
    this(SegmentationMetrics.DEFAULT_BACKGROUND);
  }

  /**
   * @param background labels excluded from segments; empty for none
   */
  public SegmentationEval(Collection<String> background) {
    this.background = Set.copyOf(background);
  }

  /** Evaluates every prediction file in {@code predictionsDir}. */
  public SegmentationScores evaluate(Path groundTruthDir, Path predictionsDir) throws IOException {
    requireDir(groundTruthDir, "ground-truth");
    requireDir(predictionsDir, "predictions");
    List<Path> predictions;
    try (Stream<Path> files = Files.list(predictionsDir)) {
      predictions =
          files
              .filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted()
              .toList();
    }
    if (predictions.isEmpty()) {
      throw new IOException("no prediction files in " + predictionsDir);
    }
    SegmentationAccumulator acc = new SegmentationAccumulator(background);
    for (Path prediction : predictions) {
      String name = prediction.getFileName().toString();
      Path gt = groundTruthDir.resolve(name);
      if (!Files.isRegularFile(gt) && !name.endsWith(".txt")) {
        gt = groundTruthDir.resolve(name + ".txt");
      }
      if (!Files.isRegularFile(gt)) {
        throw new IOException(
            "no ground truth for prediction " + prediction + " (looked for " + gt + ")");
      }
      addPair(acc, gt, prediction);
    }
    return acc.scores();
  }

  /** Evaluates the listed videos (names with or without {@code .txt}, as in a {@code .bundle}). */
  public SegmentationScores evaluate(Path groundTruthDir, Path predictionsDir, List<String> videos)
      throws IOException {
    requireDir(groundTruthDir, "ground-truth");
    requireDir(predictionsDir, "predictions");
    if (videos.isEmpty()) {
      throw new IOException("empty video list");
    }
    SegmentationAccumulator acc = new SegmentationAccumulator(background);
    for (String video : videos) {
      String base = video.endsWith(".txt") ? video.substring(0, video.length() - 4) : video;
      Path gt = groundTruthDir.resolve(base + ".txt");
      if (!Files.isRegularFile(gt)) {
        throw new IOException("ground-truth file missing for video " + base + ": " + gt);
      }
      Path pred = predictionsDir.resolve(base + ".txt");
      if (!Files.isRegularFile(pred)) {
        pred = predictionsDir.resolve(base);
      }
      if (!Files.isRegularFile(pred)) {
        throw new IOException(
            "prediction file missing for video "
                + base
                + ": "
                + predictionsDir.resolve(base + ".txt"));
      }
      addPair(acc, gt, pred);
    }
    return acc.scores();
  }

  /** {@link #evaluate(Path, Path)} as the JSON line {@code segment-eval} prints. */
  public String evaluateToJson(Path groundTruthDir, Path predictionsDir) throws IOException {
    return evaluate(groundTruthDir, predictionsDir).toJson();
  }

  private void addPair(SegmentationAccumulator acc, Path gt, Path prediction) throws IOException {
    List<String> truth = LabelFiles.read(gt);
    List<String> recognized = LabelFiles.read(prediction);
    if (truth.size() != recognized.size()) {
      throw new IOException(
          "length mismatch for "
              + prediction.getFileName()
              + ": ground truth "
              + gt
              + " has "
              + truth.size()
              + " frames, prediction "
              + prediction
              + " has "
              + recognized.size());
    }
    acc.add(truth, recognized);
  }

  private static void requireDir(Path dir, String what) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(what + " folder not found: " + dir);
    }
  }

  /** Unchecked convenience for callers that prefer it. */
  public static SegmentationScores evaluateUnchecked(
      Path groundTruthDir, Path predictionsDir, Collection<String> background) {
    try {
      return new SegmentationEval(background).evaluate(groundTruthDir, predictionsDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
