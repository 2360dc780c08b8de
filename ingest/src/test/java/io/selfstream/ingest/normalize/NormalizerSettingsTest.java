package io.selfstream.ingest.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.ingest.image.ResizeMethod;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class NormalizerSettingsTest {

  private static NormalizerSettings load(Map<String, String> overrides) {
    return NormalizerSettings.from(Config.load(NormalizerSettings.KEYS, null, Map.of(), overrides));
  }

  @Test
  void defaultsAreFashionMnistShaped() {
    NormalizerSettings s = NormalizerSettings.defaults();
    assertThat(s.width()).isEqualTo(28);
    assertThat(s.height()).isEqualTo(28);
    assertThat(s.channels()).isEqualTo(1);
    assertThat(s.resize()).isEqualTo(ResizeMethod.AREA);
    assertThat(s.frameBytes()).isEqualTo(784);
    assertThat(s.stateDir()).isEmpty();
  }

  @Test
  void overridesFromEnvironmentAndCommandLine() {
    NormalizerSettings s =
        NormalizerSettings.from(
            Config.load(
                NormalizerSettings.KEYS,
                null,
                Map.of("SELFSTREAM_NORMALIZER_WIDTH", "32", "SELFSTREAM_NORMALIZER_HEIGHT", "32"),
                Map.of(
                    "normalizer.channels",
                    "3",
                    "normalizer.resize",
                    "bilinear",
                    "normalizer.stateDir",
                    "/tmp/ks")));
    assertThat(s.width()).isEqualTo(32);
    assertThat(s.channels()).isEqualTo(3);
    assertThat(s.resize()).isEqualTo(ResizeMethod.BILINEAR);
    assertThat(NormalizerApp.streamsProperties(s, "b:9092"))
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/tmp/ks").toString())
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> load(Map.of("normalizer.channels", "2")))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("normalizer.channels");
    assertThatThrownBy(() -> load(Map.of("normalizer.width", "0")))
        .hasMessageContaining("normalizer.width");
    assertThatThrownBy(() -> load(Map.of("normalizer.resize", "lanczos")))
        .hasMessageContaining("normalizer.resize");
    assertThatThrownBy(() -> load(Map.of("normalizer.applicationId", "a b")))
        .hasMessageContaining("normalizer.applicationId");
    assertThatThrownBy(() -> load(Map.of("normalizer.commitInterval", "soon")))
        .hasMessageContaining("normalizer.commitInterval");
  }
}
