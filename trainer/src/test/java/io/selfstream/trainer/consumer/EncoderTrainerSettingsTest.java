package io.selfstream.trainer.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.trainer.adapt.AdaptationMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncoderTrainerSettingsTest {

  static EncoderTrainerSettings load(Map<String, String> overrides) {
    return EncoderTrainerSettings.from(
        Config.load(EncoderTrainerSettings.allKeys(), null, Map.of(), overrides));
  }

  @Test
  void defaultsDeriveIdsAndPathsFromTheMethod() {
    EncoderTrainerSettings s = load(Map.of("trainer.method", "tent"));
    assertThat(s.method()).isEqualTo(AdaptationMethod.TENT);
    assertThat(s.model()).isEqualTo("encoder-tent");
    assertThat(s.groupId()).isEqualTo("selfstream-trainer-tent");
    assertThat(s.transactionalId()).isEqualTo("selfstream-trainer-tent");
    assertThat(s.publishEvery()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.checkpointDir()).isEmpty();
    assertThatThrownBy(s::requireCheckpointDir).isInstanceOf(ConfigException.class);

    EncoderTrainerSettings r = s.resolve(Path.of("/data"));
    assertThat(r.requireCheckpointDir()).isEqualTo(Path.of("/data/trainer/tent"));
    assertThat(r.signingKeyDir()).contains(Path.of("/data/keys"));
    assertThat(r.sourceModel()).contains(Path.of("/data/models/encoder-v1.bin"));

    EncoderTrainerSettings main = load(Map.of());
    assertThat(main.method()).isEqualTo(AdaptationMethod.SELFSTREAM);
    assertThat(main.model()).isEqualTo("encoder");
    assertThat(main.resolve(Path.of("/data")).requireCheckpointDir())
        .isNotEqualTo(r.requireCheckpointDir());
  }

  @Test
  void explicitValuesWin() {
    EncoderTrainerSettings s =
        load(
            Map.of(
                "trainer.method", "selftrain",
                "trainer.groupId", "g1",
                "trainer.checkpointDir", "/ck",
                "trainer.publishEverySteps", "0",
                "trainer.publishEvery", "500ms"));
    assertThat(s.groupId()).isEqualTo("g1");
    assertThat(s.transactionalId()).isEqualTo("g1");
    assertThat(s.resolve(Path.of("/data")).requireCheckpointDir()).isEqualTo(Path.of("/ck"));
  }

  @Test
  void refusesSettingsThatCannotWork() {
    assertThatThrownBy(() -> load(Map.of("trainer.method", "source")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("trainer.method");
    assertThatThrownBy(() -> load(Map.of("trainer.method", "must")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(
            () -> load(Map.of("trainer.publishEverySteps", "0", "trainer.publishEvery", "0s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("never publish");
    assertThatThrownBy(() -> load(Map.of("trainer.batchSize", "0")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> load(Map.of("trainer.transactionalId", "has space")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> load(Map.of("trainer.pollTimeout", "0s")))
        .isInstanceOf(ConfigException.class);
  }
}
