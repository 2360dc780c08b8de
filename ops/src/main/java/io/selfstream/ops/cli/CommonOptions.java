package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options every command shares: where configuration comes from, and where Kafka and the registry
 * are. Precedence: key defaults < config file < {@code SELFSTREAM_*} environment < a running
 * embedded stack (only for addresses not set otherwise) < {@code --set} < dedicated flags.
 */
public final class CommonOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "properties file with selfstream keys (default: $SELFSTREAM_CONFIG)")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "override one config key (repeatable); `selfstream config` lists the keys")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers")
  String bootstrap;

  @Option(names = "--registry", paramLabel = "URL", description = "schema registry URL")
  String registry;

  @Option(
      names = "--registry-api",
      paramLabel = "API",
      description = "registry API: apicurio or confluent")
  String registryApi;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "data dir (default ~/.selfstream)")
  Path dataDir;

  /** Loads and validates the whole configuration. */
  public Config load() {
    return load(System.getenv());
  }

  Config load(Map<String, String> env) {
    Path file = configFile;
    if (file == null && env.get("SELFSTREAM_CONFIG") != null) {
      file = Path.of(env.get("SELFSTREAM_CONFIG"));
    }
    if (file != null && !Files.isRegularFile(file)) {
      throw new io.selfstream.config.ConfigException("config.file", "no such file: " + file);
    }
    Map<String, String> cli = new LinkedHashMap<>(overrides);
    if (dataDir != null) {
      cli.put(StackSettings.DATA_DIR.name(), dataDir.toString());
    }
    if (bootstrap != null) {
      cli.put(ClientSettings.BOOTSTRAP.name(), bootstrap);
    }
    if (registry != null) {
      cli.put(ClientSettings.REGISTRY_URL.name(), registry);
    }
    if (registryApi != null) {
      cli.put(ClientSettings.REGISTRY_API.name(), registryApi);
    }
    Config first = Config.load(ConfigKeys.all(), file, env, cli);
    // a running embedded stack supplies the addresses nobody set explicitly
    Optional<Map<String, String>> running =
        EmbeddedStack.runningStack(first.get(StackSettings.DATA_DIR));
    if (running.isEmpty()) {
      return first;
    }
    Map<String, String> merged = new LinkedHashMap<>();
    running
        .get()
        .forEach(
            (k, v) -> {
              if (first.origin(keyNamed(k)).equals("default")) {
                merged.put(k, v);
              }
            });
    merged.putAll(cli);
    return Config.load(ConfigKeys.all(), file, env, merged);
  }

  private static io.selfstream.config.ConfigKey<?> keyNamed(String name) {
    return ConfigKeys.all().stream()
        .filter(k -> k.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("stack state names unknown key " + name));
  }
}
