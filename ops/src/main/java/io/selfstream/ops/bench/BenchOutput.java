package io.selfstream.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Benchmarks print one JSON object as their last stdout line, and write it to --out. */
public final class BenchOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchOutput() {}

  public static String emit(Map<String, ?> result, Path out) throws IOException {
    return emitRaw(JSON.writeValueAsString(result), out);
  }

  /** Same, for a result that is already one line of JSON. */
  public static String emitRaw(String line, Path out) throws IOException {
    if (out != null) {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, line + "\n");
    }
    System.out.println(line);
    return line;
  }

  /** Rounds for readable JSON. */
  public static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
