package io.selfstream.ops.demo;

import io.selfstream.config.ClientSettings;
import io.selfstream.graphreasoning.metrics.SegmentationAccumulator;
import io.selfstream.graphreasoning.metrics.SegmentationScores;
import io.selfstream.ops.pipeline.LiveVideoFeeds;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.serde.SerdeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * The demo's ground-truth side of live segmentation: it generated the video feeds, so it knows
 * every frame's action. Reads {@code features}, {@code frame-labels} and {@code segments} (all
 * committed records from the start of a fresh stack), counts per feed what the pipeline did with
 * the frames, and scores the live labels against the truth with the MS-TCN metrics (frame accuracy,
 * edit, F1@50). Nothing here flows back into the pipeline. One thread: the demo's.
 */
final class SegmentationTracker implements AutoCloseable {

  /** Receives every labelled frame in arrival order (the dashboard). */
  @FunctionalInterface
  interface FrameSink {
    void onFrame(String feed, String predicted, String truth);
  }

  /**
   * What happened to one feed so far.
   *
   * @param frames frames in the feed (the truth's length)
   * @param features feature records of the feed
   * @param servable features of the fixed extractor's version (the temporal model's input)
   * @param labelled frames labelled on {@code frame-labels} (distinct seqs)
   * @param duplicateLabels labels of a seq already labelled (a replay; must be 0)
   * @param segments closed segment events
   * @param labelsByVersion labels per temporal model version
   * @param scores the labelled frames against the truth (null before any label)
   * @param featureMaxAbsDiff largest difference between a servable feature on the topic and the one
   *     computed offline from the generated frames (0: the live path is the offline one)
   */
  record FeedStatus(
      String feed,
      int frames,
      long features,
      long servable,
      long labelled,
      long duplicateLabels,
      long segments,
      Map<Long, Long> labelsByVersion,
      SegmentationScores scores,
      double featureMaxAbsDiff) {

    /** Features of a version the strict policy skips: never labelled, by design. */
    long otherVersion() {
      return features - servable;
    }
  }

  private final class Feed {
    final String id;
    final int[] truth;
    final int[] predicted;
    final io.selfstream.graphreasoning.data.Features expected;
    double maxDiff;
    long features;
    long servable;
    long labelled;
    long duplicates;
    long segments;
    final Map<Long, Long> byVersion = new TreeMap<>();

    Feed(String id, int[] truth, io.selfstream.graphreasoning.data.Features expected) {
      this.id = id;
      this.truth = truth;
      this.expected = expected;
      this.predicted = new int[truth.length];
      Arrays.fill(predicted, -1);
    }

    SegmentationScores scores() {
      if (labelled == 0) {
        return null;
      }
      SegmentationAccumulator a = new SegmentationAccumulator();
      addTo(a);
      return a.scores();
    }

    /** The labelled frames, in seq order, as one video. */
    void addTo(SegmentationAccumulator a) {
      int n = 0;
      for (int p : predicted) {
        n += p >= 0 ? 1 : 0;
      }
      if (n == 0) {
        return;
      }
      int[] t = new int[n];
      int[] p = new int[n];
      int k = 0;
      for (int i = 0; i < predicted.length; i++) {
        if (predicted[i] >= 0) {
          t[k] = truth[i];
          p[k] = predicted[i];
          k++;
        }
      }
      a.add(t, p, names);
    }
  }

  private final List<String> names;
  private final long servableVersion;
  private final Map<String, Feed> feeds = new LinkedHashMap<>();
  private final FrameSink sink;
  private final KafkaConsumer<String, FrameFeatures> features;
  private final KafkaConsumer<String, FrameLabel> labels;
  private final KafkaConsumer<String, SegmentEvent> segments;
  private long undecodable;
  private long outOfRange;

  /**
   * @param feeds the live feeds and their truth
   * @param names action names by index
   * @param servableVersion the encoder version of the features the temporal model reads
   */
  SegmentationTracker(
      ClientSettings client,
      List<LiveVideoFeeds.Feed> feeds,
      List<String> names,
      long servableVersion,
      FrameSink sink) {
    this.names = List.copyOf(names);
    this.servableVersion = servableVersion;
    this.sink = Objects.requireNonNull(sink, "sink");
    for (LiveVideoFeeds.Feed f : feeds) {
      this.feeds.put(f.sourceId(), new Feed(f.sourceId(), f.truth(), f.expected()));
    }
    SerdeFactory serdes = new SerdeFactory(client);
    KafkaConsumer<String, FrameFeatures> f = null;
    KafkaConsumer<String, FrameLabel> l = null;
    try {
      f = consumer(serdes, Topics.FEATURES);
      l = consumer(serdes, Topics.FRAME_LABELS);
      this.segments = consumer(serdes, Topics.SEGMENTS);
    } catch (RuntimeException e) {
      if (f != null) {
        f.close();
      }
      if (l != null) {
        l.close();
      }
      throw e;
    }
    this.features = f;
    this.labels = l;
  }

  private static <V> KafkaConsumer<String, V> consumer(SerdeFactory serdes, TopicSpec<?> topic) {
    Map<String, Object> props = new LinkedHashMap<>(serdes.consumerConfig(topic));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    KafkaConsumer<String, V> c = new KafkaConsumer<>(props);
    try {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic.name(), Duration.ofSeconds(30))) {
        parts.add(new TopicPartition(topic.name(), p.partition()));
      }
      if (parts.isEmpty()) {
        throw new IllegalStateException("topic " + topic.name() + " has no partitions");
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Reads what arrived (without waiting). */
  void poll() {
    for (ConsumerRecord<String, FrameFeatures> r : pollSafely(features)) {
      Feed feed = r.value() == null ? null : feeds.get(r.value().getSourceId().toString());
      if (feed != null) {
        feed.features++;
        if (r.value().getEncoderVersion() == servableVersion) {
          feed.servable++;
          compare(feed, r.value());
        }
      }
    }
    for (ConsumerRecord<String, FrameLabel> r : pollSafely(labels)) {
      FrameLabel l = r.value();
      Feed feed = l == null ? null : feeds.get(l.getSourceId().toString());
      if (feed == null) {
        continue;
      }
      long seq = l.getSeq();
      if (seq < 0 || seq >= feed.truth.length || l.getLabel() < 0 || l.getLabel() >= names.size()) {
        outOfRange++;
        continue;
      }
      int i = (int) seq;
      if (feed.predicted[i] >= 0) {
        feed.duplicates++;
      } else {
        feed.labelled++;
      }
      feed.predicted[i] = l.getLabel();
      feed.byVersion.merge(l.getTemporalModelVersion(), 1L, Long::sum);
      sink.onFrame(feed.id, names.get(l.getLabel()), names.get(feed.truth[i]));
    }
    for (ConsumerRecord<String, SegmentEvent> r : pollSafely(segments)) {
      SegmentEvent e = r.value();
      Feed feed = e == null ? null : feeds.get(e.getSourceId().toString());
      if (feed != null && e.getClosed()) {
        feed.segments++;
      }
    }
  }

  /** The live feature against the offline one of the same frame. */
  private void compare(Feed feed, FrameFeatures f) {
    long seq = f.getSeq();
    List<Float> values = f.getFeatures();
    if (seq < 0 || seq >= feed.expected.length() || values.size() != feed.expected.dim()) {
      feed.maxDiff = Double.POSITIVE_INFINITY;
      return;
    }
    for (int c = 0; c < values.size(); c++) {
      double d = Math.abs(values.get(c) - feed.expected.get(c, (int) seq));
      if (!(d <= feed.maxDiff)) {
        feed.maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
      }
    }
  }

  private <V> Iterable<ConsumerRecord<String, V>> pollSafely(KafkaConsumer<String, V> c) {
    try {
      return c.poll(Duration.ZERO);
    } catch (RecordDeserializationException e) {
      undecodable++;
      c.seek(e.topicPartition(), e.offset() + 1);
      return List.of();
    }
  }

  /** Every feed's status, in feed order. */
  List<FeedStatus> status() {
    List<FeedStatus> out = new ArrayList<>();
    for (Feed f : feeds.values()) {
      out.add(
          new FeedStatus(
              f.id,
              f.truth.length,
              f.features,
              f.servable,
              f.labelled,
              f.duplicates,
              f.segments,
              Map.copyOf(f.byVersion),
              f.scores(),
              f.maxDiff));
    }
    return out;
  }

  /** All feeds' labelled frames pooled (one video per feed), null before any label. */
  SegmentationScores pooled() {
    SegmentationAccumulator a = new SegmentationAccumulator();
    for (Feed f : feeds.values()) {
      f.addTo(a);
    }
    return a.videos() == 0 ? null : a.scores();
  }

  /** Records that could not be decoded, or labels of seqs outside a feed. */
  long anomalies() {
    return undecodable + outOfRange;
  }

  @Override
  public void close() {
    features.close(Duration.ofSeconds(5));
    labels.close(Duration.ofSeconds(5));
    segments.close(Duration.ofSeconds(5));
  }
}
