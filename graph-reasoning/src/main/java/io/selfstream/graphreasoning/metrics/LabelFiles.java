package io.selfstream.graphreasoning.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame-label files in the two formats action-segmentation tools use.
 *
 * <ul>
 *   <li>One label per line (the MS-TCN {@code groundTruth/<video>.txt} layout). Trailing blank
 *       lines are ignored; a blank line between labels is an error.
 *   <li>The MS-TCN result format: a header line starting with {@code #} (the script writes {@code
 *       ### Frame level recognition: ###}), then the labels separated by whitespace.
 * </ul>
 */
public final class LabelFiles {

  /** The header line MS-TCN and DTGRM write above their predictions. */
  public static final String MSTCN_HEADER = "### Frame level recognition: ###";

  private LabelFiles() {}

  /** Reads either format; see the class comment. */
  public static List<String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("label file not found: " + file);
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n", -1);
    int last = lines.length - 1;
    while (last >= 0 && lines[last].isBlank()) {
      last--;
    }
    List<String> labels = new ArrayList<>();
    if (last >= 0 && lines[0].startsWith("#")) {
      for (int i = 1; i <= last; i++) {
        for (String token : lines[i].trim().split("\\s+")) {
          if (!token.isEmpty()) {
            labels.add(token);
          }
        }
      }
      return labels;
    }
    for (int i = 0; i <= last; i++) {
      String label = lines[i].trim();
      if (label.isEmpty()) {
        throw new IOException(file + ": line " + (i + 1) + " is empty (expected one label a line)");
      }
      labels.add(label);
    }
    return labels;
  }

  /** Writes one label per line. */
  public static void writeLines(Path file, List<String> labels) throws IOException {
    StringBuilder sb = new StringBuilder(labels.size() * 8);
    for (String l : labels) {
      sb.append(l).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /** Writes the MS-TCN result format (header line, then space-separated labels). */
  public static void writeMsTcn(Path file, List<String> labels) throws IOException {
    Files.writeString(
        file, MSTCN_HEADER + "\n" + String.join(" ", labels) + "\n", StandardCharsets.UTF_8);
  }
}
