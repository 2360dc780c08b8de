package io.selfstream.ops.stack;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the embedded stack: a single-node KRaft broker and an Apicurio Registry child JVM.
 *
 * @param dataDir broker logs, registry database, signing keys and caches live here
 * @param kafkaPort broker listener port (0 = pick a free port)
 * @param controllerPort KRaft controller listener port (0 = pick a free port)
 * @param registryPort registry HTTP port (0 = pick a free port)
 * @param registryJavaHome a Java 21+ installation for the current registry (empty = search)
 * @param registryDistDir folder holding the registry {@code .tar.gz} distributions (empty = next to
 *     the CLI jar, then the build output)
 * @param registryHeap registry JVM heap, e.g. {@code 256m}
 * @param registryChoice which registry build to run
 * @param startTimeout how long each component may take to become ready
 */
public record StackSettings(
    Path dataDir,
    int kafkaPort,
    int controllerPort,
    int registryPort,
    Optional<Path> registryJavaHome,
    Optional<Path> registryDistDir,
    String registryHeap,
    RegistryChoice registryChoice,
    Duration startTimeout) {

  /** Which registry build to run. */
  public enum RegistryChoice {
    /** Apicurio 3.x when a Java 21+ runtime is found, else the 2.6 build on this Java. */
    AUTO,
    /** Apicurio 3.x; fail when no Java 21+ runtime is found. */
    V3,
    /** Apicurio 2.6 on this Java (in-memory storage, Confluent-compatible API). */
    LEGACY
  }

  public static final ConfigKey<Path> DATA_DIR =
      ConfigKey.path("stack.dataDir", "~/.selfstream", "data dir of the embedded stack");
  public static final ConfigKey<Integer> KAFKA_PORT =
      ConfigKey.integer("stack.kafkaPort", 9092, 0, 65535, "embedded broker port (0 = free port)");
  public static final ConfigKey<Integer> CONTROLLER_PORT =
      ConfigKey.integer(
          "stack.controllerPort", 9093, 0, 65535, "embedded KRaft controller port (0 = free port)");
  public static final ConfigKey<Integer> REGISTRY_PORT =
      ConfigKey.integer(
          "stack.registryPort", 8081, 0, 65535, "embedded schema registry port (0 = free port)");
  public static final ConfigKey<Optional<Path>> REGISTRY_JAVA_HOME =
      ConfigKey.optionalPath(
          "stack.registryJavaHome", "Java 21+ home for the registry (empty = search)");
  public static final ConfigKey<Optional<Path>> REGISTRY_DIST_DIR =
      ConfigKey.optionalPath(
          "stack.registryDistDir", "folder with the registry tar.gz files (empty = auto)");
  public static final ConfigKey<String> REGISTRY_HEAP =
      new ConfigKey<>(
          "stack.registryHeap",
          s -> {
            if (!s.matches("\\d+[kmgKMG]")) {
              throw new IllegalArgumentException("'" + s + "' is not a heap size like 256m");
            }
            return s;
          },
          "256m",
          "registry JVM heap");
  public static final ConfigKey<RegistryChoice> REGISTRY_CHOICE =
      ConfigKey.enumValue(
          "stack.registry",
          RegistryChoice.class,
          RegistryChoice.AUTO,
          "registry build: auto, v3 (Java 21+) or legacy (2.6 on Java 17)");
  public static final ConfigKey<Duration> START_TIMEOUT =
      ConfigKey.duration("stack.startTimeout", "90s", "max time for each component to be ready");

  public static final List<ConfigKey<?>> KEYS =
      List.of(
          DATA_DIR,
          KAFKA_PORT,
          CONTROLLER_PORT,
          REGISTRY_PORT,
          REGISTRY_JAVA_HOME,
          REGISTRY_DIST_DIR,
          REGISTRY_HEAP,
          REGISTRY_CHOICE,
          START_TIMEOUT);

  public static StackSettings from(Config config) {
    return new StackSettings(
        config.get(DATA_DIR),
        config.get(KAFKA_PORT),
        config.get(CONTROLLER_PORT),
        config.get(REGISTRY_PORT),
        config.get(REGISTRY_JAVA_HOME),
        config.get(REGISTRY_DIST_DIR),
        config.get(REGISTRY_HEAP),
        config.get(REGISTRY_CHOICE),
        config.get(START_TIMEOUT));
  }

  /** Settings for tests: free ports, the given data dir. */
  public static StackSettings forTests(Path dataDir) {
    return new StackSettings(
        dataDir,
        0,
        0,
        0,
        Optional.empty(),
        Optional.empty(),
        "256m",
        RegistryChoice.AUTO,
        Duration.ofSeconds(120));
  }

  public StackSettings withRegistryChoice(RegistryChoice choice) {
    return new StackSettings(
        dataDir,
        kafkaPort,
        controllerPort,
        registryPort,
        registryJavaHome,
        registryDistDir,
        registryHeap,
        choice,
        startTimeout);
  }

  public StackSettings withDataDir(Path dir) {
    return new StackSettings(
        dir,
        kafkaPort,
        controllerPort,
        registryPort,
        registryJavaHome,
        registryDistDir,
        registryHeap,
        registryChoice,
        startTimeout);
  }
}
