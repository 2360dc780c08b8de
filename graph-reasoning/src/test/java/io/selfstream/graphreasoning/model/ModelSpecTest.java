package io.selfstream.graphreasoning.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelSpecTest {

  @Test
  void swapTaskRunsOnlyForDtgrmWithARateAndAWeight() {
    ModelSpec dtgrm = ModelSpec.paper(ModelType.DTGRM, 138, 14);
    assertThat(dtgrm.hasSwapTask()).isTrue();
    assertThat(ModelSpec.paper(ModelType.MSTCN, 138, 14).hasSwapTask()).isFalse();
    assertThat(dtgrm.withSwap(SwapTaskConfig.off()).hasSwapTask()).isFalse();
    assertThat(dtgrm.withSwap(new SwapTaskConfig(0, 2, 0.5)).hasSwapTask()).isFalse();
    assertThat(dtgrm.withSwap(new SwapTaskConfig(0.2, 0, 0)).hasSwapTask()).isFalse();
    assertThat(dtgrm.withSwap(new SwapTaskConfig(0.2, 0, 0.5)).hasSwapTask()).isTrue();
    assertThat(dtgrm.withSwap(new SwapTaskConfig(0.2, 1, 0)).hasSwapTask()).isTrue();
  }

  @Test
  void swapWeightsMustNotBeNegative() {
    assertThatThrownBy(() -> new SwapTaskConfig(0.2, -1, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SwapTaskConfig(0.2, 2, -0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void swapSettingsSurviveTheCheckpointProperties() {
    ModelSpec spec =
        ModelSpec.paper(ModelType.DTGRM, 138, 14).withSwap(new SwapTaskConfig(0.2, 0.4, 0.1));
    assertThat(ModelSpec.fromProperties(spec.toProperties())).isEqualTo(spec);
  }
}
