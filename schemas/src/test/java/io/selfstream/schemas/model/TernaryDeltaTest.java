package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TernaryDeltaTest {

  @Test
  void twnRuleOnAKnownVector() {
    ModelParameters base =
        ModelParameters.builder().put("w", new float[] {1, 1, 1, 1, 1, 1}).build();
    ModelParameters trainer =
        ModelParameters.builder().put("w", new float[] {1.5f, 0.9f, 1.05f, 0.4f, 1f, 1.3f}).build();
    // d = [.5, -.1, .05, -.6, 0, .3]: mean|d| = 1.55/6, threshold 0.7 * that = 0.181;
    // kept {.5, -.6, .3}: scale = 1.4/3
    TernaryDelta.Encoded e = TernaryDelta.encode(base, trainer);

    float a = (float) ((((double) 1.5f - 1) + (1 - (double) 0.4f) + ((double) 1.3f - 1)) / 3);
    assertThat((double) a).isCloseTo(1.4 / 3, offset(1e-6));
    float[] got = e.consumerCopy().values("w");
    float[] expected = {1 + a, 1, 1, 1 - a, 1, 1 + a};
    assertThat(got).containsExactly(expected);
    assertThat(e.nonZero()).isEqualTo(3);
    assertThat(e.total()).isEqualTo(6);
    float[] residual = e.residual().values("w");
    for (int i = 0; i < 6; i++) {
      assertThat(residual[i]).isEqualTo(trainer.values("w")[i] - got[i]);
    }
  }

  @Test
  void applyReproducesTheTrainersConsumerCopyBitExactly() {
    ModelParameters base = TestModels.random(TestModels.SMALL, 1, 0.1);
    ModelParameters trainer = TestModels.step(base, new Random(2), 0.01);
    TernaryDelta.Encoded e = TernaryDelta.encode(base, trainer);

    ModelParameters applied = TernaryDelta.apply(base, e.payload());

    assertThat(applied).isEqualTo(e.consumerCopy());
    assertThat(e.density()).isBetween(0.3, 0.7);
  }

  @Test
  void identicalModelsGiveAnAllZeroDelta() {
    ModelParameters base = TestModels.random(TestModels.SMALL, 1, 0.1);
    TernaryDelta.Encoded e = TernaryDelta.encode(base, base);
    assertThat(e.nonZero()).isZero();
    assertThat(TernaryDelta.apply(base, e.payload())).isEqualTo(base);
  }

  /**
   * 200 random-walk versions of a 10 k-parameter model (each step N(0, 0.01) per weight). With
   * error feedback the consumer copy stays within a fraction of ONE step of the trainer; quantizing
   * consecutive trainer versions without feedback drifts like a random walk.
   */
  @Test
  void errorFeedbackKeepsTheConsumerCopyFromDrifting() {
    double stepStd = 0.01;
    Random random = new Random(42);
    ModelParameters trainer = TestModels.random(TestModels.SMALL, 7, 0.1);
    assertThat(trainer.parameterCount()).isBetween(10_000L, 12_000L);
    ModelParameters consumer = trainer; // version 1 is a FULL: both start equal
    ModelParameters consumerWithoutFeedback = trainer;
    double worstWithFeedback = 0;

    for (int version = 2; version <= 201; version++) {
      ModelParameters previousTrainer = trainer;
      trainer = TestModels.step(trainer, random, stepStd);

      TernaryDelta.Encoded e = TernaryDelta.encode(consumer, trainer);
      consumer = TernaryDelta.apply(consumer, e.payload()); // what the consumer does
      assertThat(consumer).isEqualTo(e.consumerCopy()); // trainer's copy never diverges

      byte[] naive = TernaryDelta.encode(previousTrainer, trainer).payload();
      consumerWithoutFeedback = TernaryDelta.apply(consumerWithoutFeedback, naive);

      worstWithFeedback = Math.max(worstWithFeedback, consumer.rmsDifference(trainer));
    }

    double withFeedback = consumer.rmsDifference(trainer);
    double withoutFeedback = consumerWithoutFeedback.rmsDifference(trainer);
    // stated tolerance: RMS error below one step's std at every version, max error below 6 steps
    assertThat(worstWithFeedback).isLessThan(stepStd);
    assertThat(consumer.maxAbsDifference(trainer)).isLessThan(6 * stepStd);
    // without feedback the error grows with the number of versions
    assertThat(withoutFeedback).isGreaterThan(5 * withFeedback);
    assertThat(withoutFeedback).isGreaterThan(2 * stepStd);
  }

  @Test
  void deltaIsAtMostATenthOfAFullForACompactVit() {
    ModelParameters v1 = TestModels.random(TestModels.compactVit(), 3, 0.05);
    ModelParameters v2 = TestModels.step(v1, new Random(4), 0.001);
    assertThat(v1.parameterCount()).isGreaterThan(400_000);

    int full = v2.toBytes().length;
    int delta = TernaryDelta.encode(v1, v2).payload().length;

    assertThat((double) delta / full).isLessThanOrEqualTo(0.1);
  }

  @Test
  void mismatchedOrMalformedPayloadsAreRefused() {
    ModelParameters base = TestModels.random(TestModels.SMALL, 1, 0.1);
    byte[] payload =
        TernaryDelta.encode(base, TestModels.step(base, new Random(1), 0.01)).payload();

    ModelParameters other = ModelParameters.builder().put("x", new float[] {1}).build();
    assertThatThrownBy(() -> TernaryDelta.apply(other, payload))
        .isInstanceOf(IllegalArgumentException.class);

    byte[] truncated = java.util.Arrays.copyOf(payload, payload.length - 1);
    assertThatThrownBy(() -> TernaryDelta.apply(base, truncated))
        .isInstanceOf(IllegalArgumentException.class);

    byte[] trailing = java.util.Arrays.copyOf(payload, payload.length + 1);
    assertThatThrownBy(() -> TernaryDelta.apply(base, trailing)).hasMessageContaining("trailing");

    byte[] allOnes = payload.clone();
    java.util.Arrays.fill(allOnes, allOnes.length - 4, allOnes.length, (byte) 0xff); // code 11
    assertThatThrownBy(() -> TernaryDelta.apply(base, allOnes))
        .isInstanceOf(IllegalArgumentException.class);

    assertThatThrownBy(() -> TernaryDelta.apply(base, base.toBytes()))
        .hasMessageContaining("magic");
  }

  @Test
  void refusesNonFiniteDifferences() {
    ModelParameters base = ModelParameters.builder().put("w", new float[] {1, 2}).build();
    ModelParameters nan = ModelParameters.builder().put("w", new float[] {Float.NaN, 2}).build();
    assertThatThrownBy(() -> TernaryDelta.encode(base, nan)).hasMessageContaining("w[0]");
  }
}
