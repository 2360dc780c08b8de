package io.selfstream.ops.cli;

import io.selfstream.graphreasoning.metrics.SegmentationEval;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selfstream segment-eval}: frame accuracy, edit score and F1@{10,25,50}, as the MS-TCN
 * evaluation script defines them.
 */
@Command(
    name = "segment-eval",
    description =
        "Segmentation metrics of prediction files against ground-truth files (same names in"
            + " both folders; one label per line, or the MS-TCN result format). Last stdout"
            + " line: JSON in percent.")
final class SegmentEvalCommand implements Callable<Integer> {

  @Option(names = "--ground-truth", required = true, paramLabel = "DIR")
  Path groundTruth;

  @Option(names = "--predictions", required = true, paramLabel = "DIR")
  Path predictions;

  @Option(
      names = "--background",
      paramLabel = "LABEL",
      description = "label excluded from segments (repeatable), e.g. background or SIL")
  List<String> background = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    System.out.println(new SegmentationEval(background).evaluateToJson(groundTruth, predictions));
    return 0;
  }
}
