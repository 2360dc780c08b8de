package io.selfstream.ops.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds an installed Java runtime of at least a given feature version. */
public final class JavaRuntimes {

  /** A Java installation and its feature version (17, 21, 25, ...). */
  public record JavaRuntime(Path home, int feature) {
    public Path javaExecutable() {
      return home.resolve("bin").resolve("java");
    }
  }

  private static final Pattern RELEASE_VERSION =
      Pattern.compile("^JAVA_VERSION=\"(1\\.)?(\\d+)[^\"]*\"", Pattern.MULTILINE);

  private JavaRuntimes() {}

  /**
   * Looks, in order, at the configured home, {@code JAVA21_HOME}, {@code JAVA_HOME}, the running
   * JVM, then well-known install folders (newest first), and returns the first runtime of at least
   * {@code minFeature}.
   */
  public static Optional<JavaRuntime> find(
      int minFeature, Optional<Path> configured, Map<String, String> env) {
    List<Path> candidates = new ArrayList<>();
    configured.ifPresent(candidates::add);
    for (String var : List.of("JAVA21_HOME", "JAVA_HOME")) {
      String value = env.get(var);
      if (value != null && !value.isBlank()) {
        candidates.add(Path.of(value));
      }
    }
    candidates.add(Path.of(System.getProperty("java.home")));
    for (Path candidate : candidates) {
      Optional<JavaRuntime> runtime = inspect(candidate);
      if (runtime.isPresent() && runtime.get().feature() >= minFeature) {
        return runtime;
      }
    }
    return wellKnown().stream()
        .filter(r -> r.feature() >= minFeature)
        .max(Comparator.comparingInt(JavaRuntime::feature));
  }

  /** The runtime at {@code home}, when it has {@code bin/java} and a readable version. */
  public static Optional<JavaRuntime> inspect(Path home) {
    if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
      return Optional.empty();
    }
    Path release = home.resolve("release");
    if (Files.isRegularFile(release)) {
      try {
        Matcher m = RELEASE_VERSION.matcher(Files.readString(release));
        if (m.find()) {
          int feature = Integer.parseInt(m.group(2));
          return Optional.of(new JavaRuntime(home, m.group(1) != null ? 8 : feature));
        }
      } catch (IOException | NumberFormatException e) {
        return Optional.empty();
      }
    }
    if (home.equals(Path.of(System.getProperty("java.home")))) {
      return Optional.of(new JavaRuntime(home, Runtime.version().feature()));
    }
    return Optional.empty();
  }

  private static List<JavaRuntime> wellKnown() {
    List<Path> roots =
        List.of(
            Path.of("/usr/lib/jvm"),
            Path.of("/usr/java"),
            Path.of("/opt/java"),
            Path.of("/opt"),
            Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"),
            Path.of(System.getProperty("user.home"), ".jdks"),
            Path.of("/Library/Java/JavaVirtualMachines"));
    List<JavaRuntime> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var dirs = Files.list(root)) {
        for (Path dir : dirs.toList()) {
          inspect(dir).ifPresent(found::add);
          inspect(dir.resolve("Contents").resolve("Home")).ifPresent(found::add);
        }
      } catch (IOException e) {
        // an unreadable folder is simply not a candidate
      }
    }
    return found;
  }
}
