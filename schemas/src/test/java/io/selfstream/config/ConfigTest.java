package io.selfstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  static final ConfigKey<Integer> RATE = ConfigKey.integer("ingest.rate", 0, 0, 1_000_000, "rate");
  static final ConfigKey<Duration> TIMEOUT = ConfigKey.duration("ingest.timeout", "5s", "timeout");
  static final List<ConfigKey<?>> KEYS =
      List.of(RATE, TIMEOUT, ClientSettings.BOOTSTRAP, ClientSettings.REGISTRY_URL);

  @TempDir Path dir;

  @Test
  void precedenceIsDefaultThenFileThenEnvironmentThenCommandLine() throws Exception {
    Path file = dir.resolve("selfstream.properties");
    Files.writeString(file, "ingest.rate=10\ningest.timeout=2m\nkafka.bootstrap=file:1\n");
    Config config =
        Config.load(
            KEYS,
            file,
            Map.of("SELFSTREAM_INGEST_RATE", "20", "PATH", "/bin"),
            Map.of("kafka.bootstrap", "cli:9092"));
    assertThat(config.get(RATE)).isEqualTo(20);
    assertThat(config.origin(RATE)).isEqualTo("environment SELFSTREAM_INGEST_RATE");
    assertThat(config.get(TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.get(ClientSettings.BOOTSTRAP)).isEqualTo("cli:9092");
    assertThat(config.get(ClientSettings.REGISTRY_URL)).endsWith("/apis/registry/v3");
  }

  @Test
  void unknownKeyFailsNamingItAndSuggestingTheClosest() {
    assertThatThrownBy(() -> Config.load(KEYS, null, Map.of(), Map.of("ingest.rat", "3")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'ingest.rat'")
        .hasMessageContaining("did you mean 'ingest.rate'");
  }

  @Test
  void badValueFailsNamingKeyAndOrigin() {
    assertThatThrownBy(
            () -> Config.load(KEYS, null, Map.of("SELFSTREAM_INGEST_RATE", "-1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'ingest.rate'")
        .hasMessageContaining("outside")
        .hasMessageContaining("SELFSTREAM_INGEST_RATE");
    assertThatThrownBy(() -> Config.load(KEYS, null, Map.of(), Map.of("ingest.timeout", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'ingest.timeout'");
  }

  @Test
  void unknownSelfstreamEnvironmentVariableFails() {
    assertThatThrownBy(() -> Config.load(KEYS, null, Map.of("SELFSTREAM_NOPE", "1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SELFSTREAM_NOPE");
  }

  @Test
  void clientSettingsRejectNonHttpRegistry() {
    Config config =
        Config.load(ClientSettings.KEYS, null, Map.of(), Map.of("registry.url", "localhost:8081"));
    assertThatThrownBy(() -> ClientSettings.from(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'registry.url'");
  }

  @Test
  void durationsAcceptUnitsAndIso() {
    assertThat(ConfigKey.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigKey.parseDuration("PT3S")).isEqualTo(Duration.ofSeconds(3));
    assertThat(ConfigKey.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
  }
}
