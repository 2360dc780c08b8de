package io.selfstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ops.bench.LiveBenchmarkStats.FrameTimes;
import io.selfstream.ops.bench.LiveBenchmarkStats.Latencies;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LiveBenchmarkStatsTest {

  private static FrameTimes frame(long captureMs) {
    FrameTimes f = new FrameTimes();
    f.capture(captureMs);
    return f;
  }

  private static void label(FrameTimes f, long atMs, int lookahead) {
    f.labelMs = atMs;
    f.labelEmittedMs = atMs - 1;
    f.lookahead = lookahead;
  }

  @Test
  void excludesTheWaitForTheFrameThatCompletedTheLookahead() {
    TreeMap<Long, FrameTimes> feed = new TreeMap<>();
    for (long s = 0; s < 10; s++) {
      feed.put(s, frame(1_000 + s * 33));
    }
    // frame s is labelled 10 ms after frame s + 2 was captured
    for (long s = 0; s < 8; s++) {
      label(feed.get(s), feed.get(s + 2).captureMs + 10, 2);
    }
    Latencies l = LiveBenchmarkStats.compute(Map.of("a", feed), 2, 99_999);
    assertThat(Arrays.copyOf(l.excluding(), 8)).containsOnly(10L);
    assertThat(Arrays.copyOf(l.including(), 8)).containsOnly(76L);
    assertThat(l.emitted()).hasSize(8).containsOnly(75L);
    // the last two frames were never labelled: they enter as lower bounds from the deadline
    assertThat(l.censored()).isEqualTo(2);
    assertThat(l.excluding()).hasSize(10).endsWith(98_702L, 98_702L);
    assertThat(l.labelled()).isEqualTo(8);
  }

  @Test
  void lookaheadCountsFramesNotSeqNumbersAcrossGaps() {
    TreeMap<Long, FrameTimes> feed = new TreeMap<>();
    feed.put(0L, frame(0));
    feed.put(1L, frame(33));
    feed.put(5L, frame(500)); // seq 2-4 never arrived
    feed.put(6L, frame(533));
    label(feed.get(1L), 520, 1); // completed by seq 5, the next frame there is
    label(feed.get(0L), 40, 1);
    label(feed.get(5L), 540, 1);
    label(feed.get(6L), 600, 1);
    Latencies l = LiveBenchmarkStats.compute(Map.of("a", feed), 1, 1_000);
    assertThat(l.excluding()).containsExactly(7L, 7L, 20L, 67L);
    assertThat(l.censored()).isZero();
  }

  @Test
  void idleFlushedTailLabelsAreCountedApartAndUnlabelledFramesAreLowerBounds() {
    TreeMap<Long, FrameTimes> feed = new TreeMap<>();
    for (long s = 0; s < 5; s++) {
      feed.put(s, frame(s * 100));
    }
    label(feed.get(0L), 310, 3);
    label(feed.get(1L), 410, 3);
    // end of feed: frames 2 and 3 flushed by the idle timeout with the lookahead there was
    label(feed.get(2L), 2_500, 2);
    label(feed.get(3L), 2_500, 1);
    // frame 4 never labelled; deadline 5000
    Latencies l = LiveBenchmarkStats.compute(Map.of("a", feed), 3, 5_000);
    assertThat(l.tailFlushed()).isEqualTo(2);
    assertThat(l.tail()).containsExactly(2_200L, 2_300L);
    assertThat(l.emitted()).containsExactly(309L, 309L); // the flushed ones are not mixed in
    assertThat(l.labelled()).isEqualTo(4);
    assertThat(l.censored()).isEqualTo(1);
    // 10, 10 from labels; the censored frame 4: completing frame clamps to itself, 5000 - 400
    assertThat(l.excluding()).containsExactly(10L, 10L, 4_600L);
    assertThat(l.including()).containsExactly(310L, 310L, 4_600L);
  }

  @Test
  void stageLatenciesAndFramesThatNeverReachedFramesAreIgnored() {
    TreeMap<Long, FrameTimes> feed = new TreeMap<>();
    FrameTimes f = frame(100);
    f.normalizedMs = 130;
    f.featuresMs = 600;
    label(f, 650, 0);
    feed.put(0L, f);
    FrameTimes unseen = new FrameTimes(); // a dead letter: no capture time recorded
    feed.put(1L, unseen);
    Latencies l = LiveBenchmarkStats.compute(Map.of("a", feed), 0, 10_000);
    assertThat(l.normalized()).containsExactly(30L);
    assertThat(l.features()).containsExactly(500L);
    assertThat(l.excluding()).containsExactly(550L);
    assertThat(l.censored()).isZero();
  }

  @Test
  void nearestRankPercentiles() {
    long[] hundred = LongStream.rangeClosed(1, 100).toArray();
    assertThat(LiveBenchmarkStats.percentile(hundred, 0.99)).isEqualTo(99);
    assertThat(LiveBenchmarkStats.percentile(hundred, 0.50)).isEqualTo(50);
    assertThat(LiveBenchmarkStats.percentile(new long[] {7}, 0.99)).isEqualTo(7);
    assertThat(LiveBenchmarkStats.percentile(new long[0], 0.99)).isEqualTo(-1);
    long[] ten = LongStream.rangeClosed(1, 10).toArray();
    assertThat(LiveBenchmarkStats.percentile(ten, 0.99)).isEqualTo(10);
    assertThat(LiveBenchmarkStats.max(ten)).isEqualTo(10);
    assertThat(LiveBenchmarkStats.merge(new long[] {5, 9}, new long[] {1}))
        .containsExactly(1, 5, 9);
  }

  @Test
  void propagationLeavesOutVersionsNeverApplied() {
    Map<Long, Long> published = Map.of(2L, 1_000L, 3L, 2_000L, 4L, 3_000L);
    Map<Long, Long> applied = Map.of(2L, 1_250L, 4L, 3_100L);
    assertThat(LiveBenchmarkStats.propagation(published, applied)).containsExactly(100L, 250L);
  }
}
