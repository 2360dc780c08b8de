package io.selfstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Typed, validated configuration merged from (lowest to highest precedence) key defaults, a
 * properties file, {@code SELFSTREAM_*} environment variables and command-line overrides.
 *
 * <p>Every key must be declared; an unknown key or an unparsable value fails {@link #load} with a
 * {@link ConfigException} naming the key and where the value came from. Values are parsed once, at
 * load time, so a bad config fails at start-up rather than deep in a running job.
 */
public final class Config {

  private final Map<String, ConfigKey<?>> declared;
  private final Map<String, Object> values;
  private final Map<String, String> origins;

  private Config(
      Map<String, ConfigKey<?>> declared, Map<String, Object> values, Map<String, String> origins) {
    this.declared = declared;
    this.values = values;
    this.origins = origins;
  }

  /**
   * Loads and validates.
   *
   * @param keys every declared key
   * @param file a properties file, or {@code null}
   * @param env the environment (usually {@code System.getenv()})
   * @param overrides command-line {@code key=value} overrides
   */
  public static Config load(
      Collection<ConfigKey<?>> keys,
      Path file,
      Map<String, String> env,
      Map<String, String> overrides) {
    Map<String, ConfigKey<?>> declared = new TreeMap<>();
    for (ConfigKey<?> key : keys) {
      if (declared.put(key.name(), key) != null) {
        throw new IllegalArgumentException("config key declared twice: " + key.name());
      }
    }
    Map<String, String> texts = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    for (ConfigKey<?> key : declared.values()) {
      if (key.defaultValue() != null) {
        texts.put(key.name(), key.defaultValue());
        origins.put(key.name(), "default");
      }
    }
    if (file != null) {
      Properties props = new Properties();
      try (Reader reader = Files.newBufferedReader(file)) {
        props.load(reader);
      } catch (IOException e) {
        throw new ConfigException("config.file", "cannot read " + file + ": " + e.getMessage());
      }
      for (String name : props.stringPropertyNames()) {
        put(declared, texts, origins, name, props.getProperty(name), "file " + file);
      }
    }
    Map<String, String> envNames = new TreeMap<>();
    for (String name : declared.keySet()) {
      envNames.put(ConfigKey.envName(name), name);
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith("SELFSTREAM_")
          || e.getKey().equals("SELFSTREAM_CONFIG")
          || e.getKey().startsWith("SELFSTREAM_JAVA")) {
        continue;
      }
      String name = envNames.get(e.getKey());
      if (name == null) {
        throw new ConfigException(
            e.getKey(), "unknown environment variable (no config key maps to it)");
      }
      put(declared, texts, origins, name, e.getValue(), "environment " + e.getKey());
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      put(declared, texts, origins, e.getKey(), e.getValue(), "command line");
    }
    Map<String, Object> values = new TreeMap<>();
    for (ConfigKey<?> key : declared.values()) {
      String text = texts.get(key.name());
      if (text == null) {
        throw new ConfigException(key.name(), "is required (" + key.doc() + ")");
      }
      try {
        values.put(key.name(), key.parser().apply(text));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            key.name(), e.getMessage() + " (from " + origins.get(key.name()) + ")");
      }
    }
    return new Config(declared, values, origins);
  }

  /** Defaults only: for tests and for callers that build settings in code. */
  public static Config defaults(Collection<ConfigKey<?>> keys) {
    return load(keys, null, Map.of(), Map.of());
  }

  private static void put(
      Map<String, ConfigKey<?>> declared,
      Map<String, String> texts,
      Map<String, String> origins,
      String name,
      String value,
      String origin) {
    if (!declared.containsKey(name)) {
      throw new ConfigException(
          name, "unknown key (from " + origin + ")" + suggestion(declared, name));
    }
    texts.put(name, value);
    origins.put(name, origin);
  }

  private static String suggestion(Map<String, ConfigKey<?>> declared, String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : declared.keySet()) {
      int d = editDistance(candidate, name);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= 3 ? "; did you mean '" + best + "'?" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The value of a declared key. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    if (!declared.containsKey(key.name())) {
      throw new IllegalStateException("config key not declared with this Config: " + key.name());
    }
    return (T) values.get(key.name());
  }

  /** Where the value of {@code key} came from (default, file, environment, command line). */
  public String origin(ConfigKey<?> key) {
    return origins.getOrDefault(key.name(), "default");
  }

  /** All values as text, sorted by key, for {@code selfstream config}. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> out.put(k, v + "  # " + origins.get(k) + "; " + declared.get(k).doc()));
    return out;
  }
}
