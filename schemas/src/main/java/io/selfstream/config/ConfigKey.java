package io.selfstream.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A declared configuration key: its name, how its text is parsed, its default and a doc line.
 * Declaring every key up front is what lets a misspelt key fail at start-up.
 *
 * @param name dotted name, e.g. {@code kafka.bootstrap}
 * @param parser turns the text into a value, throwing {@link IllegalArgumentException} with a
 *     reason when it cannot
 * @param defaultValue text of the default, {@code null} when the key is required
 * @param doc one line for {@code selfstream config}
 */
public record ConfigKey<T>(
    String name, Function<String, T> parser, String defaultValue, String doc) {

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(parser, "parser");
    if (!name.matches("[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9]*)+")) {
      throw new IllegalArgumentException("bad config key name " + name);
    }
  }

  /**
   * The environment variable that sets this key: {@code kafka.bootstrap ->
   * SELFSTREAM_KAFKA_BOOTSTRAP}.
   */
  public String envName() {
    return envName(name);
  }

  static String envName(String key) {
    return "SELFSTREAM_" + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }

  public static ConfigKey<String> string(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          if (s.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
          }
          return s;
        },
        defaultValue,
        doc);
  }

  public static ConfigKey<Integer> integer(
      String name, int defaultValue, int min, int max, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          int v;
          try {
            v = Integer.parseInt(s.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer");
          }
          if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is outside [" + min + ", " + max + "]");
          }
          return v;
        },
        Integer.toString(defaultValue),
        doc);
  }

  public static ConfigKey<Long> longValue(
      String name, long defaultValue, long min, long max, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          long v;
          try {
            v = Long.parseLong(s.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer");
          }
          if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is outside [" + min + ", " + max + "]");
          }
          return v;
        },
        Long.toString(defaultValue),
        doc);
  }

  public static ConfigKey<Double> decimal(
      String name, double defaultValue, double min, double max, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          double v;
          try {
            v = Double.parseDouble(s.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
          }
          if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(v + " is outside [" + min + ", " + max + "]");
          }
          return v;
        },
        Double.toString(defaultValue),
        doc);
  }

  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        s ->
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
              case "true", "yes", "on", "1" -> true;
              case "false", "no", "off", "0" -> false;
              default -> throw new IllegalArgumentException("'" + s + "' is not a boolean");
            },
        Boolean.toString(defaultValue),
        doc);
  }

  /**
   * A duration as ISO-8601 ({@code PT5S}) or a number with a unit: {@code 500ms}, {@code 5s},
   * {@code 2m}, {@code 1h}.
   */
  public static ConfigKey<Duration> duration(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, ConfigKey::parseDuration, defaultValue, doc);
  }

  /** A path; a leading {@code ~/} is the user's home. */
  public static ConfigKey<Path> path(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          if (s.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
          }
          return s.startsWith("~/")
              ? Path.of(System.getProperty("user.home")).resolve(s.substring(2))
              : Path.of(s);
        },
        defaultValue,
        doc);
  }

  /** An optional path: empty text (the default) means "not set". */
  public static ConfigKey<java.util.Optional<Path>> optionalPath(String name, String doc) {
    return new ConfigKey<>(
        name,
        s ->
            s.isBlank()
                ? java.util.Optional.empty()
                : java.util.Optional.of(
                    s.startsWith("~/")
                        ? Path.of(System.getProperty("user.home")).resolve(s.substring(2))
                        : Path.of(s)),
        "",
        doc);
  }

  /** One of the constants of {@code type}, case-insensitive. */
  public static <E extends Enum<E>> ConfigKey<E> enumValue(
      String name, Class<E> type, E defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        s -> {
          for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(s.trim().replace('-', '_'))) {
              return constant;
            }
          }
          throw new IllegalArgumentException(
              "'" + s + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
        },
        defaultValue == null ? null : defaultValue.name().toLowerCase(java.util.Locale.ROOT),
        doc);
  }

  static Duration parseDuration(String text) {
    String s = text.trim();
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        return Duration.parse(s);
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is not a duration");
      }
    }
    var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (use e.g. 500ms, 5s, 2m, 1h, 1d or PT5S)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
