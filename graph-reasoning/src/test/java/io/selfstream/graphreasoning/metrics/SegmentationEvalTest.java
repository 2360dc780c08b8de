package io.selfstream.graphreasoning.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationEvalTest {

  @TempDir Path tmp;

  private static List<String> seq(String s) {
    return Arrays.stream(s.split(" ")).map(t -> t.equals("_") ? "background" : t).toList();
  }

  private Path[] layout() throws IOException {
    Path gt = Files.createDirectories(tmp.resolve("groundTruth"));
    Path pred = Files.createDirectories(tmp.resolve("pred"));
    LabelFiles.writeLines(gt.resolve("v1.txt"), seq("a a a b b b b c c c"));
    LabelFiles.writeLines(gt.resolve("v2.txt"), seq("_ _ a a _ b b"));
    LabelFiles.writeLines(gt.resolve("train-only.txt"), seq("a a"));
    // v1 in the MS-TCN result format, named without extension as the scripts write it
    LabelFiles.writeMsTcn(pred.resolve("v1"), seq("a a b b b b b c a a"));
    LabelFiles.writeLines(pred.resolve("v2.txt"), seq("_ a a a b b b"));
    return new Path[] {gt, pred};
  }

  @Test
  void evaluatesFoldersInBothFormatsAndPoolsVideos() throws IOException {
    Path[] d = layout();
    SegmentationScores s = new SegmentationEval().evaluate(d[0], d[1]);
    assertThat(s.videos()).isEqualTo(2);
    assertThat(s.acc()).isCloseTo(1200.0 / 17, within(1e-9));
    assertThat(new SegmentationEval().evaluateToJson(d[0], d[1]))
        .isEqualTo(
            "{\"acc\":70.5882,\"edit\":87.5000,\"f1@10\":90.9091,\"f1@25\":90.9091,"
                + "\"f1@50\":72.7273}");
    SegmentationScores listed =
        new SegmentationEval().evaluate(d[0], d[1], List.of("v1.txt", "v2"));
    assertThat(listed).isEqualTo(s);
    // no background labels: the v2 background runs become segments
    SegmentationScores noBg = new SegmentationEval(Set.of()).evaluate(d[0], d[1]);
    assertThat(noBg.edit()).isCloseTo((75.0 + 75.0) / 2, within(1e-9));
  }

  @Test
  void readsBothFileFormats() throws IOException {
    Path lines = tmp.resolve("l.txt");
    Files.writeString(lines, "a\r\nb\r\nb\r\n\r\n");
    assertThat(LabelFiles.read(lines)).containsExactly("a", "b", "b");
    Path mstcn = tmp.resolve("m");
    Files.writeString(mstcn, "### Frame level recognition: ###\na  b b\n");
    assertThat(LabelFiles.read(mstcn)).containsExactly("a", "b", "b");
    Path blank = tmp.resolve("blank.txt");
    Files.writeString(blank, "a\n\nb\n");
    assertThatThrownBy(() -> LabelFiles.read(blank))
        .hasMessageContaining("blank.txt")
        .hasMessageContaining("line 2");
  }

  @Test
  void mismatchedLengthNamesTheFiles() throws IOException {
    Path[] d = layout();
    LabelFiles.writeLines(d[1].resolve("v2.txt"), seq("_ a a"));
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], d[1]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("v2.txt")
        .hasMessageContaining("7 frames")
        .hasMessageContaining("3");
  }

  @Test
  void missingFilesNameTheFile() throws IOException {
    Path[] d = layout();
    LabelFiles.writeLines(d[1].resolve("stray.txt"), seq("a"));
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], d[1]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("stray.txt");
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], d[1], List.of("train-only")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("prediction file missing")
        .hasMessageContaining("train-only");
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], d[1], List.of("nope")))
        .hasMessageContaining("ground-truth file missing")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], tmp.resolve("absent")))
        .hasMessageContaining("absent");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> new SegmentationEval().evaluate(d[0], empty))
        .hasMessageContaining("no prediction files");
  }
}
