package io.selfstream.ops.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Folder helpers shared by the stack, the CLI and the benchmarks. */
public final class Dirs {

  private Dirs() {}

  /** Deletes {@code dir} and everything below it; nothing happens when it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** As {@link #deleteRecursively}, for temporary folders: a leftover is harmless. */
  public static void deleteQuietly(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
