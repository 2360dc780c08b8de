package io.selfstream.trainer.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PublishCadenceTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void byStepsOrByTimeWhicheverComesFirstButNeverWithoutAStep() {
    PublishCadence c = new PublishCadence(10, Duration.ofSeconds(5));
    assertThat(c.due(9, 4 * SECOND)).isFalse();
    assertThat(c.due(10, 0)).isTrue();
    assertThat(c.due(1, 5 * SECOND)).isTrue();
    assertThat(c.due(0, 100 * SECOND)).isFalse();
  }

  @Test
  void eitherTriggerCanBeOff() {
    PublishCadence steps = new PublishCadence(3, Duration.ZERO);
    assertThat(steps.due(2, 1_000 * SECOND)).isFalse();
    assertThat(steps.due(3, 0)).isTrue();
    PublishCadence time = new PublishCadence(0, Duration.ofMillis(500));
    assertThat(time.due(1_000_000, SECOND / 4)).isFalse();
    assertThat(time.due(1, SECOND / 2)).isTrue();
    assertThatThrownBy(() -> new PublishCadence(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
