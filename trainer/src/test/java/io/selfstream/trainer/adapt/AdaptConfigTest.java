package io.selfstream.trainer.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdaptConfigTest {

  @Test
  void defaultsAreTheKeyDefaultsAndOverridesApply() {
    AdaptConfig d = AdaptConfig.DEFAULT;
    assertThat(d.weightDecay()).isEqualTo(0.05);
    assertThat(AdaptConfig.KEYS).allMatch(k -> k.name().startsWith("adapt."));
    AdaptConfig o = AdaptConfig.withOverrides(Map.of("adapt.learningRate", "3e-4"));
    assertThat(o.learningRate()).isEqualTo(3e-4);
    assertThat(o.confidenceThreshold()).isEqualTo(d.confidenceThreshold());
  }

  @Test
  void badValuesAndUnknownKeysNameTheKey() {
    assertThatThrownBy(() -> AdaptConfig.withOverrides(Map.of("adapt.beta2", "1.5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("adapt.beta2");
    assertThatThrownBy(() -> AdaptConfig.withOverrides(Map.of("adapt.learningrate", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("adapt.learningRate");
    AdaptConfig d = AdaptConfig.DEFAULT;
    assertThatThrownBy(
            () ->
                new AdaptConfig(
                    d.confidenceThreshold(),
                    d.ceWeight(),
                    d.fairWeight(),
                    d.reconWeight(),
                    d.alignWeight(),
                    d.learningRate(),
                    d.weightDecay(),
                    d.beta1(),
                    d.beta2(),
                    d.emaDecayStart(),
                    d.emaDecayEnd(),
                    d.emaRampSteps(),
                    d.tentLearningRate(),
                    d.gradClipNorm(),
                    d.minPseudoLabelEntropy(),
                    d.maxDominantShare(),
                    d.guardPatience(),
                    0.0,
                    d.batchSize(),
                    d.ceOnUnmaskedView(),
                    d.maskedCeWeight(),
                    d.decoderLrScale(),
                    d.restoreProbability()))
        .hasMessageContaining("adapt.guard.lrBackoff");
  }
}
