package io.selfstream.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionHistoryTest {

  private static final ParameterSnapshot P =
      new ParameterSnapshot(
          new LinkedHashMap<>(Map.of("w", new float[] {1f})),
          new LinkedHashMap<>(Map.of("w", new long[] {1})));

  private static VersionHistory history() {
    VersionHistory h = new VersionHistory();
    h.offer(new VersionHistory.Entry(1, P, Map.of()));
    h.offer(new VersionHistory.Entry(2, P, Map.of("a", 9L)));
    h.offer(new VersionHistory.Entry(3, P, Map.of("a", 19L, "b", 4L)));
    return h;
  }

  @Test
  void selectsTheNewestVersionThatHasNotSeenTheFrame() {
    VersionHistory h = history();
    assertThat(h.select("a", 0).orElseThrow().version()).isEqualTo(1);
    assertThat(h.select("a", 9).orElseThrow().version()).isEqualTo(1);
    assertThat(h.select("a", 10).orElseThrow().version()).isEqualTo(2);
    assertThat(h.select("a", 20).orElseThrow().version()).isEqualTo(3);
    assertThat(h.select("b", 3).orElseThrow().version()).isEqualTo(2);
    assertThat(h.select("b", 5).orElseThrow().version()).isEqualTo(3);
    assertThat(h.select("new-source", 0).orElseThrow().version()).isEqualTo(3);
  }

  @Test
  void caughtUpWhenTheNewestVersionTrainedThroughThePreviousFrame() {
    VersionHistory h = history();
    assertThat(h.caughtUpTo("a", 20)).isTrue();
    assertThat(h.caughtUpTo("a", 21)).isFalse();
    assertThat(h.caughtUpTo("c", 0)).isFalse();
  }

  @Test
  void prunesOnlyVersionsNoFutureFrameCanSelect() {
    VersionHistory h = history();
    h.prune(Map.of("a", 10L, "b", 0L));
    assertThat(h.size()).isEqualTo(2); // version 1 is never needed again: version 2 serves a>=10
    assertThat(h.select("b", 0).orElseThrow().version()).isEqualTo(2);
    h.prune(Map.of("a", 20L, "b", 3L));
    assertThat(h.size()).isEqualTo(2); // b=3 still needs version 2
    h.prune(Map.of("a", 20L, "b", 5L));
    assertThat(h.size()).isEqualTo(1);
    assertThat(h.newest().orElseThrow().version()).isEqualTo(3);
  }
}
