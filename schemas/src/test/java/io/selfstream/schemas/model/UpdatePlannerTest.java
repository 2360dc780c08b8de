package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.schemas.avro.UpdateKind;
import org.junit.jupiter.api.Test;

class UpdatePlannerTest {

  @Test
  void fullEveryKVersionsStartingAtOne() {
    UpdatePlanner planner = new UpdatePlanner(5);
    StringBuilder kinds = new StringBuilder();
    for (long v = 1; v <= 12; v++) {
      kinds.append(planner.kindFor(v) == UpdateKind.FULL ? 'F' : 'd');
    }
    assertThat(kinds.toString()).isEqualTo("FddddFddddFd");
  }

  @Test
  void fullWithoutAConsumerCopy() {
    UpdatePlanner planner = new UpdatePlanner(10);
    assertThat(planner.kindFor(7, true)).isEqualTo(UpdateKind.DELTA);
    assertThat(planner.kindFor(7, false)).isEqualTo(UpdateKind.FULL);
  }

  @Test
  void kOfOneIsAlwaysFull() {
    UpdatePlanner planner = new UpdatePlanner(1);
    for (long v = 1; v <= 5; v++) {
      assertThat(planner.kindFor(v)).isEqualTo(UpdateKind.FULL);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new UpdatePlanner(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UpdatePlanner(3).kindFor(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
