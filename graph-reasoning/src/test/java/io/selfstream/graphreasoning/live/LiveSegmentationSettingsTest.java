package io.selfstream.graphreasoning.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveSegmentationSettingsTest {

  private static LiveSegmentationSettings load(Map<String, String> overrides) {
    return LiveSegmentationSettings.from(
        Config.load(LiveSegmentationSettings.KEYS, null, Map.of(), overrides));
  }

  @Test
  void defaultsAreValidAndDocumented() {
    LiveSegmentationSettings s = LiveSegmentationSettings.defaults();
    assertThat(s.model()).isEqualTo(TemporalModels.MODEL);
    assertThat(s.featurePolicy()).isEqualTo(FeaturePolicy.STRICT);
    assertThat(s.lookaheadFrames()).isLessThan(s.windowFrames());
    assertThat(s.trustedKeyFiles()).isEmpty();
    assertThat(LiveSegmentationSettings.KEYS)
        .allMatch(k -> k.name().startsWith("segmentation.") && !k.doc().isBlank());
    assertThat(s.lookaheadLatencyMillis(30)).isEqualTo(s.lookaheadFrames() * 1000.0 / 30);
  }

  @Test
  void parsesTypedValues() {
    LiveSegmentationSettings s =
        load(
            Map.of(
                "segmentation.windowFrames", "48",
                "segmentation.lookaheadFrames", "0",
                "segmentation.featurePolicy", "latest",
                "segmentation.trustedKeys", "/a.pem, /b.pem",
                "segmentation.idleTimeout", "0s"));
    assertThat(s.windowFrames()).isEqualTo(48);
    assertThat(s.lookaheadFrames()).isZero();
    assertThat(s.featurePolicy()).isEqualTo(FeaturePolicy.LATEST);
    assertThat(s.trustedKeyFiles()).containsExactly(Path.of("/a.pem"), Path.of("/b.pem"));
    assertThat(s.idleTimeout()).isZero();
  }

  @Test
  void rejectsInconsistentValuesNamingTheKey() {
    assertThatThrownBy(
            () ->
                load(Map.of("segmentation.windowFrames", "8", "segmentation.lookaheadFrames", "8")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("segmentation.lookaheadFrames");
    assertThatThrownBy(() -> load(Map.of("segmentation.featurePolicy", "sometimes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("segmentation.featurePolicy");
    assertThatThrownBy(() -> load(Map.of("segmentation.applicationId", "has space")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> LiveSegmentationApp.trustedKeys(java.util.List.of()))
        .hasMessageContaining("segmentation.trustedKeys");
  }
}
