package io.selfstream.graphreasoning.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live segmentation topology on TopologyTestDriver with a real, tiny trained DTGRM. */
class SegmentationTopologyTest {

  private static final AvroTestSerde<FrameFeatures> FEATURES =
      new AvroTestSerde<>(FrameFeatures.class);
  private static final AvroTestSerde<FrameLabel> LABEL = new AvroTestSerde<>(FrameLabel.class);
  private static final AvroTestSerde<SegmentEvent> SEGMENT =
      new AvroTestSerde<>(SegmentEvent.class);

  private TopologyTestDriver driver;
  private TemporalModelHolder holder;
  private LiveCounters counters;
  private TestInputTopic<String, FrameFeatures> in;
  private TestInputTopic<String, byte[]> inBytes;
  private TestOutputTopic<String, FrameLabel> labels;
  private TestOutputTopic<String, SegmentEvent> segments;

  private static LiveSegmentationSettings settings(int window, int lookahead) {
    // the fixtures' capture times are years before the driver's clock: without this every test
    // would run in catch-up mode (tested on its own below)
    return LiveSegmentationSettings.defaults()
        .withWindow(window, lookahead)
        .withCatchUp(Duration.ofMillis(250), 1);
  }

  @TempDir Path stateDir;

  private void start(LiveSegmentationSettings settings) {
    holder = new TemporalModelHolder(TemporalModels.MODEL);
    counters = new LiveCounters();
    Properties props = LiveSegmentationApp.streamsProperties(settings, "unused:9092");
    // own RocksDB dir: the default /tmp/kafka-streams/<app id> is locked by any concurrent run
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            SegmentationTopology.build(
                settings, holder, new SegmentationSerdes(FEATURES, LABEL, SEGMENT), counters),
            props,
            Instant.parse("2025-01-01T00:00:00Z"));
    in =
        driver.createInputTopic(
            Topics.FEATURES.name(), new StringSerializer(), FEATURES.serializer());
    inBytes =
        driver.createInputTopic(
            Topics.FEATURES.name(), new StringSerializer(), new ByteArraySerializer());
    labels =
        driver.createOutputTopic(
            Topics.FRAME_LABELS.name(), new StringDeserializer(), LABEL.deserializer());
    segments =
        driver.createOutputTopic(
            Topics.SEGMENTS.name(), new StringDeserializer(), SEGMENT.deserializer());
  }

  private void serve(long version) {
    assertThat(holder.offer(LiveFixtures.version(version, LiveFixtures.trained(), Map.of())))
        .isTrue();
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
    if (holder != null) {
      holder.close();
    }
  }

  private void pipe(String source, long seq, long encoderVersion, Features f, int t) {
    in.pipeInput(source, LiveFixtures.frame(source, seq, encoderVersion, f, t));
  }

  private void pipeVideo(String source, LabeledVideo v) {
    for (int t = 0; t < v.length(); t++) {
      pipe(source, t, 0, v.features(), t);
    }
  }

  /** The idle timeout flushes pending lookahead frames and closes the open segment. */
  private void goIdle() {
    driver.advanceWallClockTime(Duration.ofSeconds(10));
  }

  @Test
  void labelsEveryFrameAndEmitsASegmentAtEveryLabelChange() {
    start(settings(32, 0));
    serve(1);
    LabeledVideo v = LiveFixtures.videos().get(0);
    pipeVideo("cam-1", v);
    List<FrameLabel> frameLabels = labels.readValuesToList();
    List<SegmentEvent> beforeIdle = segments.readValuesToList();
    goIdle();
    List<SegmentEvent> afterIdle = segments.readValuesToList();

    assertThat(frameLabels)
        .extracting(FrameLabel::getSeq)
        .containsExactlyElementsOf(seqs(v.length()));
    int[] predicted = frameLabels.stream().mapToInt(FrameLabel::getLabel).toArray();
    int changes = 0;
    for (int t = 1; t < predicted.length; t++) {
      changes += predicted[t] != predicted[t - 1] ? 1 : 0;
    }
    assertThat(changes).as("the model must not label everything alike").isPositive();
    // one closed segment per label change while frames flow; the last one closes on idle
    assertThat(beforeIdle).hasSize(changes).allMatch(SegmentEvent::getClosed);
    assertThat(afterIdle).hasSize(1);
    List<SegmentEvent> all = new ArrayList<>(beforeIdle);
    all.addAll(afterIdle);
    long next = 0;
    for (SegmentEvent s : all) {
      assertThat(s.getStartSeq()).isEqualTo(next);
      for (long t = s.getStartSeq(); t <= s.getEndSeq(); t++) {
        assertThat(predicted[(int) t]).as("frame %d of %s", t, s).isEqualTo(s.getLabel());
      }
      assertThat(s.getLabelName()).isEqualTo(LiveFixtures.actionName(s.getLabel()));
      assertThat(s.getTemporalModelVersion()).isEqualTo(1);
      assertThat(s.getEncoderVersion()).isZero();
      assertThat(s.getConfidence()).isBetween(0f, 1f);
      next = s.getEndSeq() + 1;
    }
    assertThat(next).isEqualTo(v.length());
    // real labels, not noise: far above chance (1/14) even causally on a barely trained model
    int correct = 0;
    for (int t = 0; t < predicted.length; t++) {
      correct += predicted[t] == v.labels()[t] ? 1 : 0;
    }
    assertThat((double) correct / predicted.length).isGreaterThan(0.25);
    assertThat(counters.snapshot().labelled()).isEqualTo(v.length());
    assertThat(counters.snapshot().segments()).isEqualTo(changes + 1L);
  }

  /**
   * The tiny model sees 10 frames each side (TCN: 3 layers, 1+2+4; graph stage: 2 layers, 1+2).
   * With that much lookahead and context the window changes nothing: the live labels are the
   * offline full-sequence prediction (the window starts where the video starts, and the idle flush
   * ends it where the video ends, as the offline zero padding does).
   */
  @Test
  void withLookaheadAndContextBeyondTheModelsReachLiveLabelsAreTheOfflineOnes() {
    start(settings(24, 10));
    serve(1);
    LabeledVideo v = LiveFixtures.videos().get(1);
    pipeVideo("cam-1", v);
    goIdle();
    int[] live = labels.readValuesToList().stream().mapToInt(FrameLabel::getLabel).toArray();
    int[] offline = LiveFixtures.offline(1);
    assertThat(live).hasSameSizeAs(offline);
    int same = 0;
    for (int t = 0; t < live.length; t++) {
      same += live[t] == offline[t] ? 1 : 0;
    }
    // float sums over windows of other lengths may flip a near-tie, nothing more
    assertThat((double) same / live.length).isGreaterThan(0.98);
  }

  /**
   * Behind (frames arrive long after their capture), labels come in batches of {@code
   * catchUpFrames} from one inference each, still in order, each frame once, with at least the
   * configured lookahead, and (with context beyond the model's reach) the offline labels.
   */
  @Test
  void behindItLabelsInBatchesWithTheSameLabels() {
    int lookahead = 10;
    int batch = 8;
    start(settings(24, lookahead).withCatchUp(Duration.ofMillis(250), batch));
    serve(1);
    LabeledVideo v = LiveFixtures.videos().get(1);
    List<FrameLabel> live = new ArrayList<>();
    for (int t = 0; t < v.length(); t++) {
      pipe("cam-1", t, 0, v.features(), t);
      List<FrameLabel> out = labels.readValuesToList();
      assertThat(out.size()).as("labels after frame %d", t).isIn(0, batch);
      for (FrameLabel l : out) {
        assertThat(l.getLookaheadFrames()).isGreaterThanOrEqualTo(lookahead);
      }
      live.addAll(out);
    }
    assertThat(counters.snapshot().catchUpDeferred()).isPositive();
    goIdle(); // the tail, with the lookahead there is
    live.addAll(labels.readValuesToList());
    assertThat(live).extracting(FrameLabel::getSeq).isSorted().doesNotHaveDuplicates();
    int[] offline = LiveFixtures.offline(1);
    assertThat(live).hasSize(offline.length);
    int same = 0;
    for (int t = 0; t < offline.length; t++) {
      same += live.get(t).getLabel() == offline[t] ? 1 : 0;
    }
    assertThat((double) same / offline.length).isGreaterThan(0.98);
  }

  @Test
  void catchUpFramesAreCappedToFitBehindTheLookaheadInTheWindow() {
    LiveSegmentationSettings s = settings(24, 10);
    assertThat(s.withCatchUp(Duration.ofMillis(250), 15).catchUpFrames()).isEqualTo(14);
    assertThat(s.withCatchUp(Duration.ofMillis(250), 14).catchUpFrames()).isEqualTo(14);
    assertThat(s.withCatchUp(Duration.ofMillis(250), 40).withWindow(64, 8).catchUpFrames())
        .isEqualTo(14); // capped when set, not raised again by a larger window
    assertThatThrownBy(() -> s.withCatchUp(Duration.ofMillis(250), 0))
        .isInstanceOf(io.selfstream.config.ConfigException.class)
        .hasMessageContaining("segmentation.catchUpFrames");
  }

  @Test
  void lookaheadDelaysEveryLabelByExactlyLFrames() {
    int lookahead = 4;
    start(settings(32, lookahead));
    serve(1);
    Features f = LiveFixtures.videos().get(1).features();
    for (int t = 0; t < 40; t++) {
      pipe("cam-1", t, 0, f, t);
      List<FrameLabel> out = labels.readValuesToList();
      if (t < lookahead) {
        assertThat(out).as("after frame %d", t).isEmpty();
      } else {
        assertThat(out).as("after frame %d", t).hasSize(1);
        assertThat(out.get(0).getSeq()).isEqualTo(t - lookahead);
        assertThat(out.get(0).getLookaheadFrames()).isEqualTo(lookahead);
      }
    }
    goIdle();
    // idle: the last L frames are labelled with the lookahead there is
    assertThat(labels.readValuesToList())
        .extracting(FrameLabel::getSeq, FrameLabel::getLookaheadFrames)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(36L, 3),
            org.assertj.core.groups.Tuple.tuple(37L, 2),
            org.assertj.core.groups.Tuple.tuple(38L, 1),
            org.assertj.core.groups.Tuple.tuple(39L, 0));
  }

  @Test
  void sourcesAreIsolated() {
    LabeledVideo a = LiveFixtures.videos().get(0);
    LabeledVideo b = LiveFixtures.videos().get(2);
    start(settings(24, 2));
    serve(1);
    pipeVideo("alone", a);
    List<FrameLabel> alone = labels.readValuesToList();
    List<SegmentEvent> aloneSegments = segments.readValuesToList();
    close();

    start(settings(24, 2));
    serve(1);
    int n = Math.max(a.length(), b.length());
    for (int t = 0; t < n; t++) {
      if (t < a.length()) {
        pipe("alone", t, 0, a.features(), t);
      }
      if (t < b.length()) {
        pipe("other", t, 0, b.features(), t);
      }
    }
    Map<String, List<Integer>> byKey = new HashMap<>();
    labels
        .readKeyValuesToList()
        .forEach(
            kv -> byKey.computeIfAbsent(kv.key, k -> new ArrayList<>()).add(kv.value.getLabel()));
    assertThat(byKey.get("alone"))
        .containsExactlyElementsOf(alone.stream().map(FrameLabel::getLabel).toList());
    assertThat(byKey.get("other")).hasSize(b.length() - 2);
    List<SegmentEvent> mixed =
        segments.readKeyValuesToList().stream()
            .filter(kv -> kv.key.equals("alone"))
            .map(kv -> kv.value)
            .toList();
    assertThat(mixed)
        .extracting(SegmentEvent::getStartSeq, SegmentEvent::getEndSeq, SegmentEvent::getLabel)
        .containsExactlyElementsOf(
            aloneSegments.stream()
                .map(
                    s ->
                        org.assertj.core.groups.Tuple.tuple(
                            s.getStartSeq(), s.getEndSeq(), s.getLabel()))
                .toList());
  }

  @Test
  void strictPolicySkipsFeaturesOfAnotherEncoderVersion() {
    start(settings(16, 0));
    serve(1);
    Features f = LiveFixtures.videos().get(0).features();
    for (int t = 0; t < 30; t++) {
      pipe("cam-1", t, t % 3 == 2 ? 7 : 0, f, t); // every third frame from encoder v7
    }
    List<FrameLabel> out = labels.readValuesToList();
    assertThat(out).hasSize(20).allMatch(l -> l.getSeq() % 3 != 2);
    assertThat(out).allMatch(l -> l.getEncoderVersion() == 0 && l.getModelEncoderVersion() == 0);
    LiveCounters.Snapshot c = counters.snapshot();
    assertThat(c.encoderMismatch()).isEqualTo(10);
    assertThat(c.mixedVersionLabels()).isZero();
    assertThat(c.framesIn()).isEqualTo(c.labelled() + c.encoderMismatch());
  }

  @Test
  void latestPolicyLabelsThemAndStampsBothVersions() {
    start(settings(16, 0).withFeaturePolicy(FeaturePolicy.LATEST));
    serve(1);
    Features f = LiveFixtures.videos().get(0).features();
    for (int t = 0; t < 30; t++) {
      pipe("cam-1", t, t % 3 == 2 ? 7 : 0, f, t);
    }
    List<FrameLabel> out = labels.readValuesToList();
    assertThat(out).hasSize(30);
    assertThat(out.stream().filter(l -> l.getSeq() % 3 == 2))
        .allMatch(l -> l.getEncoderVersion() == 7 && l.getModelEncoderVersion() == 0);
    assertThat(counters.snapshot().mixedVersionLabels()).isEqualTo(10);
    assertThat(counters.snapshot().encoderMismatch()).isZero();
  }

  @Test
  void hotSwapStampsTheNewVersionWithoutRestart() {
    start(settings(16, 0));
    serve(1);
    LabeledVideo v = LiveFixtures.videos().get(0);
    for (int t = 0; t < 60; t++) {
      pipe("cam-1", t, 0, v.features(), t);
    }
    assertThat(labels.readValuesToList()).allMatch(l -> l.getTemporalModelVersion() == 1);
    segments.readValuesToList();
    serve(2);
    for (int t = 60; t < v.length(); t++) {
      pipe("cam-1", t, 0, v.features(), t);
    }
    goIdle();
    List<FrameLabel> after = labels.readValuesToList();
    assertThat(after).hasSize(v.length() - 60).allMatch(l -> l.getTemporalModelVersion() == 2);
    List<SegmentEvent> segs = segments.readValuesToList();
    assertThat(segs).isNotEmpty();
    assertThat(segs.get(segs.size() - 1).getTemporalModelVersion()).isEqualTo(2);
  }

  @Test
  void framesBeforeTheFirstModelAreCountedNotLabelled() {
    start(settings(16, 0));
    Features f = LiveFixtures.videos().get(0).features();
    for (int t = 0; t < 5; t++) {
      pipe("cam-1", t, 0, f, t);
    }
    assertThat(labels.readValuesToList()).isEmpty();
    assertThat(counters.snapshot().noModel()).isEqualTo(5);
    serve(1);
    pipe("cam-1", 5, 0, f, 5);
    assertThat(labels.readValuesToList()).extracting(FrameLabel::getSeq).containsExactly(5L);
  }

  @Test
  void gapsDuplicatesAndBadRecordsAreHandledExplicitly() {
    start(settings(16, 0).withSegments(1, false));
    serve(1);
    Features f = LiveFixtures.videos().get(0).features();
    for (int t = 0; t < 10; t++) {
      pipe("cam-1", t, 0, f, t);
    }
    pipe("cam-1", 5, 0, f, 5); // replayed / out of order
    pipe("cam-1", 12, 0, f, 12); // small gap: bridged
    segments.readValuesToList();
    pipe("cam-1", 100, 0, f, 13); // beyond maxGapFrames (30): the open segment ends
    List<SegmentEvent> closedByGap = segments.readValuesToList();
    inBytes.pipeInput("cam-1", new byte[] {1, 2, 3});
    List<FrameLabel> out = labels.readValuesToList();
    assertThat(out)
        .extracting(FrameLabel::getSeq)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 12L, 100L);
    assertThat(closedByGap).isNotEmpty();
    assertThat(closedByGap.get(closedByGap.size() - 1).getEndSeq()).isEqualTo(12);
    assertThat(closedByGap).allMatch(SegmentEvent::getClosed);
    LiveCounters.Snapshot c = counters.snapshot();
    assertThat(c.outOfOrder()).isEqualTo(1);
    assertThat(c.gapFrames()).isEqualTo(2 + 87);
    assertThat(c.windowResets()).isEqualTo(1);
    assertThat(c.undecodable()).isEqualTo(1);
  }

  @Test
  void minSegmentFramesMergesShortRunsAndProvisionalEventsAnnounceOpenSegments() {
    start(settings(32, 0).withSegments(4, true));
    serve(1);
    LabeledVideo v = LiveFixtures.videos().get(0);
    pipeVideo("cam-1", v);
    goIdle();
    List<SegmentEvent> events = segments.readValuesToList();
    List<SegmentEvent> closed = events.stream().filter(SegmentEvent::getClosed).toList();
    assertThat(events.stream().filter(e -> !e.getClosed()).count()).isEqualTo(closed.size());
    long next = 0;
    for (int i = 0; i < closed.size(); i++) {
      SegmentEvent s = closed.get(i);
      assertThat(s.getStartSeq()).isEqualTo(next);
      if (i > 0) {
        assertThat(s.getEndSeq() - s.getStartSeq() + 1).isGreaterThanOrEqualTo(4);
        assertThat(s.getLabel()).isNotEqualTo(closed.get(i - 1).getLabel());
      }
      next = s.getEndSeq() + 1;
    }
    assertThat(next).isEqualTo(v.length());
  }

  private static List<Long> seqs(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
