package io.selfstream.trainer.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.trainer.consumer.ResumePlan.Action;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The resume decision table: checkpoint version x newest committed version on the topic. */
class ResumePlanTest {

  @ParameterizedTest(name = "checkpoint v{0}, topic v{1} -> {2} (last published v{3})")
  @CsvSource({
    // killed between checkpoint and commit: the stored v goes out, never a new v
    "7, 6, REPUBLISH_PENDING, 7",
    "1, 0, REPUBLISH_PENDING, 1",
    // killed after the commit (or between publishes): nothing to publish
    "7, 7, UP_TO_DATE, 7",
    "1, 1, UP_TO_DATE, 1",
    // anything else would fork or repeat versions
    "7, 8, CONFLICT, 8",
    "7, 5, CONFLICT, 5",
    "7, 0, CONFLICT, 0",
  })
  void withACheckpoint(long checkpoint, long topic, Action action, long last) {
    ResumePlan p = ResumePlan.decide(OptionalLong.of(checkpoint), topic, true);
    assertThat(p.action()).isEqualTo(action);
    assertThat(p.lastPublished()).isEqualTo(last);
    assertThat(ResumePlan.decide(OptionalLong.of(checkpoint), topic, false).action())
        .as("whoever published v1")
        .isEqualTo(action);
  }

  @Test
  void withoutACheckpoint() {
    assertThat(ResumePlan.decide(OptionalLong.empty(), 0, true).action())
        .isEqualTo(Action.PUBLISH_SOURCE);
    assertThat(ResumePlan.decide(OptionalLong.empty(), 0, true).lastPublished()).isEqualTo(1);
    ResumePlan needsBootstrap = ResumePlan.decide(OptionalLong.empty(), 0, false);
    assertThat(needsBootstrap.action()).isEqualTo(Action.NEED_SOURCE_VERSION);
    assertThat(needsBootstrap.reason()).contains("bootstrap encoder");
    ResumePlan cont = ResumePlan.decide(OptionalLong.empty(), 4, false);
    assertThat(cont.action()).isEqualTo(Action.CONTINUE_FROM_TOPIC);
    assertThat(cont.lastPublished()).isEqualTo(4);
  }
}
