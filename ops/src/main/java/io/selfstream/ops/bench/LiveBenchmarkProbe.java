package io.selfstream.ops.bench;

import io.selfstream.config.ClientSettings;
import io.selfstream.ops.bench.LiveBenchmarkStats.FrameTimes;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.serde.SerdeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code frames}, {@code features}, {@code frame-labels} and {@code frames.dlq} from their
 * current ends, {@code read_committed} (what a downstream consumer sees), on its own thread, and
 * records when each frame of the watched sources became visible on each. Only the poll thread
 * writes the per-frame times; they are read after {@link #close()}.
 */
final class LiveBenchmarkProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveBenchmarkProbe.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<Frame> frames;
  private final Deserializer<FrameFeatures> features;
  private final Deserializer<FrameLabel> labels;
  private final Deserializer<DeadFrame> dead;
  private final Predicate<String> watched;
  private final Map<String, TreeMap<Long, FrameTimes>> times = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> labelCounts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> featureCounts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> deadCounts = new ConcurrentHashMap<>();
  private final AtomicLong duplicateLabels = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;

  private LiveBenchmarkProbe(ClientSettings client, Predicate<String> watched) {
    this.watched = watched;
    SerdeFactory serdes = new SerdeFactory(client);
    this.frames = serdes.valueDeserializer(Topics.FRAMES);
    this.features = serdes.valueDeserializer(Topics.FEATURES);
    this.labels = serdes.valueDeserializer(Topics.FRAME_LABELS);
    this.dead = serdes.valueDeserializer(Topics.FRAMES_DLQ);
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                client.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                20,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic :
        List.of(
            Topics.FRAMES.name(),
            Topics.FEATURES.name(),
            Topics.FRAME_LABELS.name(),
            Topics.FRAMES_DLQ.name())) {
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the ends now: only what comes later counts
    this.thread = new Thread(this::loop, "bench-live-probe");
    this.thread.setDaemon(true);
  }

  /** Starts watching the sources {@code watched} accepts. */
  static LiveBenchmarkProbe start(ClientSettings client, Predicate<String> watched) {
    LiveBenchmarkProbe probe = new LiveBenchmarkProbe(client, watched);
    probe.thread.start();
    return probe;
  }

  private void loop() {
    try {
      while (!stop.get()) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(50));
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          take(r, now);
        }
      }
    } catch (RuntimeException e) {
      failure.set(e);
      log.error("probe failed", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> r, long now) {
    String topic = r.topic();
    if (topic.equals(Topics.FRAMES.name())) {
      Frame f = frames.deserialize(topic, r.headers(), r.value());
      if (watched.test(f.getSourceId())) {
        FrameTimes t = at(f.getSourceId(), f.getSeq());
        t.capture(f.getCaptureTimeMs().toEpochMilli());
        t.normalizedMs = now;
      }
    } else if (topic.equals(Topics.FEATURES.name())) {
      FrameFeatures f = features.deserialize(topic, r.headers(), r.value());
      if (watched.test(f.getSourceId())) {
        FrameTimes t = at(f.getSourceId(), f.getSeq());
        t.capture(f.getCaptureTimeMs().toEpochMilli());
        if (t.featuresMs < 0) {
          t.featuresMs = now;
          count(featureCounts, f.getSourceId());
        }
      }
    } else if (topic.equals(Topics.FRAME_LABELS.name())) {
      FrameLabel l = labels.deserialize(topic, r.headers(), r.value());
      if (watched.test(l.getSourceId())) {
        FrameTimes t = at(l.getSourceId(), l.getSeq());
        t.capture(l.getCaptureTimeMs().toEpochMilli());
        if (t.labelMs >= 0) {
          duplicateLabels.incrementAndGet();
          return;
        }
        t.labelMs = now;
        t.labelEmittedMs = l.getEmittedAtMs().toEpochMilli();
        t.lookahead = l.getLookaheadFrames();
        count(labelCounts, l.getSourceId());
      }
    } else if (topic.equals(Topics.FRAMES_DLQ.name())) {
      DeadFrame d = dead.deserialize(topic, r.headers(), r.value());
      if (d.getSourceId() != null && watched.test(d.getSourceId())) {
        count(deadCounts, d.getSourceId());
      }
    }
  }

  private FrameTimes at(String source, long seq) {
    return times
        .computeIfAbsent(source, s -> new TreeMap<>())
        .computeIfAbsent(seq, s -> new FrameTimes());
  }

  private static void count(Map<String, AtomicLong> counts, String source) {
    counts.computeIfAbsent(source, s -> new AtomicLong()).incrementAndGet();
  }

  private static long sum(Map<String, AtomicLong> counts, Predicate<String> sources) {
    return counts.entrySet().stream()
        .filter(e -> sources.test(e.getKey()))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  /** Labels received so far for the sources {@code sources} accepts (live, any thread). */
  long labels(Predicate<String> sources) {
    return sum(labelCounts, sources);
  }

  /** Frames seen on {@code features} so far for those sources. */
  long features(Predicate<String> sources) {
    return sum(featureCounts, sources);
  }

  /** Dead letters of those sources so far. */
  long deadLetters(Predicate<String> sources) {
    return sum(deadCounts, sources);
  }

  long duplicateLabels() {
    return duplicateLabels.get();
  }

  /** The per-frame times of the sources {@code sources} accepts; call after {@link #close()}. */
  Map<String, TreeMap<Long, FrameTimes>> times(Predicate<String> sources) {
    if (thread.isAlive()) {
      throw new IllegalStateException("close the probe before reading its times");
    }
    Map<String, TreeMap<Long, FrameTimes>> out = new TreeMap<>();
    times.forEach(
        (source, frames) -> {
          if (sources.test(source)) {
            out.put(source, frames);
          }
        });
    return out;
  }

  /** Stops polling (bounded); throws if the poll thread failed. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(15_000);
    if (failure.get() != null) {
      throw new IllegalStateException("probe failed: " + failure.get(), failure.get());
    }
  }
}
