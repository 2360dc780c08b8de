package io.selfstream.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorTableTest {

  @Test
  void meanErrorWeighsEveryDomainOnceAndPooledWeighsFrames() {
    ErrorTable t = new ErrorTable();
    // fog: 1 of 4 wrong; snow: 1 of 1 wrong
    t.add("fog", true);
    t.add("fog", true);
    t.add("fog", false);
    t.add("fog", true);
    t.add("snow", false);
    assertThat(t.error("fog")).isEqualTo(0.25);
    assertThat(t.meanError()).isCloseTo((0.25 + 1.0) / 2, within(1e-12));
    assertThat(t.pooledError()).isCloseTo(2.0 / 5, within(1e-12));
    assertThat(t.perDomain())
        .containsExactly(java.util.Map.entry("fog", 0.25), java.util.Map.entry("snow", 1.0));
    assertThat(t.error("frost")).isNaN();
    assertThat(new ErrorTable().meanError()).isNaN();
  }
}
